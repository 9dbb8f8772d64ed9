using System.Linq.Expressions;
using System.Security.Claims;
using System.Security.Cryptography;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Users;
using KamaChat.Server.Infrastructure.Caching;
using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace KamaChat.Server.Features.Auth;

/// <summary>Starts sessions and issues, rotates and revokes their tokens. Shared by the auth endpoints and the gateway.</summary>
public sealed class TokenService(
    KamaDbContext db,
    SnowflakeGenerator ids,
    TimeProvider time,
    EventLog events,
    KamaCache cache,
    IOptions<JwtOptions> jwtOptions)
{
    public const string SessionClaim = "sid";
    public const string SigningAlgorithm = SecurityAlgorithms.HmacSha256;

    private static readonly JsonWebTokenHandler Handler = new();
    private readonly JwtOptions _jwt = jwtOptions.Value;

    public async Task<AuthTokens> StartSessionAsync(User user, string? userAgent, string? ipAddress, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var session = new Session
        {
            Id = ids.NextId(),
            UserId = user.Id,
            CreatedAt = now,
            LastUsedAt = now,
            ExpiresAt = now + _jwt.RefreshTokenLifetime,
            UserAgent = Truncate(userAgent, 512),
            IpAddress = Truncate(ipAddress, 64),
        };
        db.Sessions.Add(session);
        var refreshToken = AddRefreshToken(session.Id, now);
        await db.SaveChangesAsync(cancellationToken);
        return Issue(user, session, refreshToken);
    }

    public enum RefreshFailure
    {
        None,
        Invalid,
        SessionEnded,
        Reused,
    }

    /// <summary>
    /// Trades a refresh token for a new pair. A token that was already traded means it leaked (or a client
    /// raced itself): the whole session is revoked so whoever holds the copies is locked out.
    /// </summary>
    public async Task<(AuthTokens? Tokens, RefreshFailure Failure)> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var hash = Hash(refreshToken);
        var stored = await db.RefreshTokens.Include(t => t.Session).ThenInclude(s => s.User)
            .SingleOrDefaultAsync(t => t.TokenHash == hash, cancellationToken);
        if (stored is null)
            return (null, RefreshFailure.Invalid);

        var session = stored.Session;
        if (session.RevokedAt is not null || session.ExpiresAt <= now)
            return (null, RefreshFailure.SessionEnded);

        // Claim the token atomically: of two concurrent refreshes with one token, exactly one wins.
        var claimed = stored.UsedAt is null && await db.RefreshTokens
            .Where(t => t.Id == stored.Id && t.UsedAt == null)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.UsedAt, now), cancellationToken) == 1;
        if (!claimed)
        {
            await RevokeAsync(session.Id, "refresh_token_reused", cancellationToken);
            return (null, RefreshFailure.Reused);
        }

        session.LastUsedAt = now;
        var next = AddRefreshToken(session.Id, now);
        await db.SaveChangesAsync(cancellationToken);
        return (Issue(session.User, session, next), RefreshFailure.None);
    }

    /// <summary>Ends one session (logout, signing a device out, a reused refresh token).</summary>
    /// <returns>Whether an active session was revoked.</returns>
    public async Task<bool> RevokeAsync(Snowflake sessionId, string reason, CancellationToken cancellationToken)
    {
        var userId = await db.Sessions.Where(s => s.Id == sessionId && s.RevokedAt == null)
            .Select(s => (Snowflake?)s.UserId).SingleOrDefaultAsync(cancellationToken);
        if (userId is null)
            return false;
        await using var change = await events.BeginAsync(cancellationToken);
        var revoked = await RevokeAsync(change, userId.Value, s => s.Id == sessionId, reason, cancellationToken);
        await change.CommitAsync(cancellationToken);
        return revoked > 0;
    }

    /// <summary>Signs out every session of a user (a password reset), or every one but the caller's (a password or 2FA change).</summary>
    /// <returns>How many sessions were revoked.</returns>
    public async Task<int> RevokeAllAsync(Snowflake userId, Snowflake? exceptSessionId, string reason, CancellationToken cancellationToken)
    {
        await using var change = await events.BeginAsync(cancellationToken);
        var keep = exceptSessionId ?? default;
        var revoked = await RevokeAsync(change, userId, s => s.Id != keep, reason, cancellationToken);
        await change.CommitAsync(cancellationToken);
        return revoked;
    }

    /// <summary>
    /// The one way sessions end, whatever ends them: each still-active session of <paramref name="userId"/> that
    /// <paramref name="which"/> selects is marked revoked and gets a logged SessionRevoked event, in the caller's
    /// transaction. REST refuses its tokens from the commit on; the event closes its gateway connections on every node
    /// (each node's dispatcher aborts its own connections of that session as it delivers the event).
    /// </summary>
    /// <returns>How many sessions were revoked.</returns>
    public async Task<int> RevokeAsync(
        EventTransaction change, Snowflake userId, Expression<Func<Session, bool>> which, string reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var candidates = await db.Sessions.Where(s => s.UserId == userId && s.RevokedAt == null).Where(which)
            .Select(s => s.Id).ToListAsync(cancellationToken);
        var revoked = 0;
        foreach (var sessionId in candidates)
        {
            // One row at a time: a session another request revoked meanwhile gets no second event.
            if (await db.Sessions.Where(s => s.Id == sessionId && s.RevokedAt == null)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.RevokedAt, now).SetProperty(x => x.RevokedReason, reason), cancellationToken) == 0)
                continue;
            await change.AppendAsync(new SessionRevoked(userId, sessionId, reason), cancellationToken);
            revoked++;
        }
        return revoked;
    }

    /// <summary>Whether an access token's session may still be used; checked on every authenticated request.</summary>
    /// <remarks>
    /// From this node's memory after the first request: a session's owner and end never change, and revoking it drops
    /// the entry on every node as it applies the SessionRevoked event (<see cref="CacheInvalidation"/>), this node's
    /// own revocations before their request answers. A revoked or unknown session is not remembered.
    /// </remarks>
    public async Task<bool> IsSessionActiveAsync(Snowflake userId, Snowflake sessionId, CancellationToken cancellationToken)
    {
        var session = await cache.GetLocalAsync(
            $"session:{sessionId}",
            [CacheTags.Session(sessionId)],
            token => db.Sessions.AsNoTracking()
                .Where(s => s.Id == sessionId && s.RevokedAt == null)
                .Select(s => new ActiveSession(s.UserId, s.ExpiresAt))
                .SingleOrDefaultAsync(token),
            cancellationToken);
        return session is not null && session.UserId == userId && session.ExpiresAt > time.GetUtcNow();
    }

    private sealed record ActiveSession(Snowflake UserId, DateTimeOffset ExpiresAt);

    public static TokenValidationParameters ValidationParameters(JwtOptions jwt) => new()
    {
        ValidIssuer = jwt.Issuer,
        ValidAudience = jwt.Audience,
        IssuerSigningKey = new SymmetricSecurityKey(jwt.SigningKey),
        // Pinned: a token that names another algorithm (none, RS256 with our secret as a public key) is refused.
        ValidAlgorithms = [SigningAlgorithm],
        ValidateIssuer = true,
        ValidateAudience = true,
        ValidateLifetime = true,
        ValidateIssuerSigningKey = true,
        RequireExpirationTime = true,
        RequireSignedTokens = true,
        ClockSkew = jwt.ClockSkew,
        NameClaimType = JwtRegisteredClaimNames.Sub,
    };

    private AuthTokens Issue(User user, Session session, string refreshToken)
    {
        var now = time.GetUtcNow();
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = _jwt.Issuer,
            Audience = _jwt.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = (now + _jwt.AccessTokenLifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(_jwt.SigningKey), SigningAlgorithm),
            Subject = new ClaimsIdentity(
            [
                new Claim(JwtRegisteredClaimNames.Sub, user.Id.ToString()),
                new Claim(SessionClaim, session.Id.ToString()),
                new Claim(JwtRegisteredClaimNames.Jti, ids.NextId().ToString()),
            ]),
        };
        return new AuthTokens(
            Handler.CreateToken(descriptor),
            refreshToken,
            "Bearer",
            (int)_jwt.AccessTokenLifetime.TotalSeconds,
            session.Id,
            MeResponse.From(user));
    }

    private string AddRefreshToken(Snowflake sessionId, DateTimeOffset now)
    {
        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        db.RefreshTokens.Add(new RefreshToken { Id = ids.NextId(), SessionId = sessionId, TokenHash = Hash(token), CreatedAt = now });
        return token;
    }

    // The token is 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    private static byte[] Hash(string token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));

    private static string? Truncate(string? value, int max) => value is null || value.Length <= max ? value : value[..max];
}

using Microsoft.Extensions.Caching.Memory;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace KamaChat.Server.Features.Auth;

/// <summary>
/// The bearer token handler, remembering the access tokens it has already validated until they expire. A client sends
/// the same token with every request for its whole lifetime, and validating it again (parsing it, checking its HMAC,
/// issuer, audience and lifetime, building its claims) was a tenth of the node's CPU per message send. Only a token
/// that passed every check is remembered, by its exact text, and never past its own expiry (without the clock skew, so
/// a remembered token is refused no later than a re-validated one). A token is remembered together with the
/// validation parameters it passed, so parameters of another scheme, or new signing keys, validate it afresh.
/// Revocation is not the token's business: the session check (<see cref="TokenService.IsSessionActiveAsync"/>) still
/// runs for every request.
/// </summary>
internal sealed class ValidatedTokens : JsonWebTokenHandler, IDisposable
{
    /// <summary>At most this many tokens are remembered (about 1 KiB each); beyond that the cache evicts and validates again.</summary>
    public const int Capacity = 20_000;

    private readonly MemoryCache _validated = new(new MemoryCacheOptions { SizeLimit = Capacity });

    public ValidatedTokens() => MapInboundClaims = false;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var key = new Key(token, validationParameters);
        if (_validated.TryGetValue(key, out TokenValidationResult? known) && known!.SecurityToken.ValidTo > DateTime.UtcNow)
            return Copy(known);
        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is { } valid && valid.ValidTo > DateTime.UtcNow)
            _validated.Set(key, result, new MemoryCacheEntryOptions
            {
                Size = 1,
                AbsoluteExpiration = new DateTimeOffset(DateTime.SpecifyKind(valid.ValidTo, DateTimeKind.Utc)),
            });
        return result;
    }

    /// <summary>Each request gets an identity of its own: what one request's pipeline does to its principal stays there.</summary>
    private static TokenValidationResult Copy(TokenValidationResult known) => new()
    {
        IsValid = true,
        SecurityToken = known.SecurityToken,
        ClaimsIdentity = known.ClaimsIdentity.Clone(),
        Issuer = known.Issuer,
        TokenType = known.TokenType,
        TokenContext = known.TokenContext,
    };

    public void Dispose() => _validated.Dispose();

    /// <summary>Whether this token's validation against these parameters is remembered (for tests).</summary>
    internal bool Remembers(string token, TokenValidationParameters validationParameters) =>
        _validated.TryGetValue(new Key(token, validationParameters), out _);

    /// <summary>A token with what decides whether it passes (<see cref="Checks"/>), not with the parameters object itself.</summary>
    private sealed record Key(string Token, Checks Checks)
    {
        public Key(string token, TokenValidationParameters parameters)
            : this(token, Checks.Of(parameters))
        {
        }
    }

    /// <summary>
    /// What in the validation parameters decides whether a token passes, or what identity it gives: keys, issuers,
    /// audiences, algorithms and types (by their items), the checks asked for, custom validators, and the claim types
    /// and authentication type the identity is built with (a remembered identity is handed out as it was built).
    /// Not the parameters object: the bearer handler validates every request against a copy of its options' parameters
    /// made for that request (with copies of their collections), so a key by reference never matched twice. Every
    /// request then validated its token afresh and added an entry (the token, its claims and the copy) that lived for
    /// the token's lifetime or until the cache was full: in the gateway bench thousands a minute, whose promotion
    /// through the generations made the node's garbage collection pauses.
    /// </summary>
    private readonly record struct Checks(
        SecurityKey? Key, Items<SecurityKey> Keys, string? Issuer, Items<string> Issuers, string? Audience, Items<string> Audiences,
        Items<string> Algorithms, Items<string> Types, bool ValidateIssuer, bool ValidateAudience, bool ValidateLifetime,
        bool ValidateSigningKey, bool RequireSignedTokens, bool RequireExpirationTime, TimeSpan ClockSkew, object? ConfigurationManager,
        Delegate? IssuerValidator, Delegate? AudienceValidator, Delegate? LifetimeValidator, Delegate? SignatureValidator,
        Delegate? KeyResolver, Delegate? KeyValidator, Delegate? AlgorithmValidator, Delegate? TypeValidator, Delegate? ReplayValidator,
        bool ValidateActor, bool ValidateTokenReplay, SecurityKey? DecryptionKey, Items<SecurityKey> DecryptionKeys,
        string? NameClaimType, string? RoleClaimType, string? AuthenticationType)
    {
        public static Checks Of(TokenValidationParameters p) => new(
            p.IssuerSigningKey, new(p.IssuerSigningKeys), p.ValidIssuer, new(p.ValidIssuers), p.ValidAudience, new(p.ValidAudiences),
            new(p.ValidAlgorithms), new(p.ValidTypes), p.ValidateIssuer, p.ValidateAudience, p.ValidateLifetime, p.ValidateIssuerSigningKey,
            p.RequireSignedTokens, p.RequireExpirationTime, p.ClockSkew, p.ConfigurationManager, p.IssuerValidator,
            p.AudienceValidator, p.LifetimeValidator, p.SignatureValidator, p.IssuerSigningKeyResolver, p.IssuerSigningKeyValidator,
            p.AlgorithmValidator, p.TypeValidator, p.TokenReplayValidator, p.ValidateActor, p.ValidateTokenReplay,
            p.TokenDecryptionKey, new(p.TokenDecryptionKeys), p.NameClaimType, p.RoleClaimType, p.AuthenticationType);
    }

    /// <summary>One of the parameters' collections, equal to another with the same items in the same order (keys: the same objects).</summary>
    private sealed class Items<T>(IEnumerable<T>? items) : IEquatable<Items<T>>
    {
        private readonly T[]? _items = items?.ToArray();

        public bool Equals(Items<T>? other) =>
            other is not null && (_items is null ? other._items is null : other._items is not null && _items.SequenceEqual(other._items));

        public override bool Equals(object? obj) => Equals(obj as Items<T>);

        public override int GetHashCode() => _items?.Length ?? -1;
    }
}

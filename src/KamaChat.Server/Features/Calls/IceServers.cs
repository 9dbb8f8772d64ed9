using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Calls;

/// <summary>One entry of RTCConfiguration.iceServers, as a browser takes it.</summary>
public sealed record IceServer(IReadOnlyList<string> Urls, string? Username = null, string? Credential = null);

/// <summary>A time-limited TURN credential (TURN REST API): it works until <see cref="ExpiresAt"/>.</summary>
public sealed record TurnCredential(string Username, string Password, DateTimeOffset ExpiresAt)
{
    /// <summary>
    /// The username is "expiry:userId" (expiry in Unix seconds), the password base64(HMAC-SHA1(secret, username)):
    /// what coturn recomputes with its static-auth-secret, refusing the credential once the expiry has passed.
    /// </summary>
    public static TurnCredential Create(string secret, string userId, DateTimeOffset expiresAt)
    {
        if (userId.Contains(':', StringComparison.Ordinal))
            throw new ArgumentException("A TURN user id cannot contain ':' (coturn's separator).", nameof(userId));
        var username = string.Create(CultureInfo.InvariantCulture, $"{expiresAt.ToUnixTimeSeconds()}:{userId}");
#pragma warning disable CA5350 // The TURN REST API (and coturn) define the password as HMAC-SHA1; HMAC does not rely on SHA-1's collision resistance.
        var password = Convert.ToBase64String(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(username)));
#pragma warning restore CA5350
        return new TurnCredential(username, password, DateTimeOffset.FromUnixTimeSeconds(expiresAt.ToUnixTimeSeconds()));
    }
}

/// <summary>The iceServers a user's client gets for a call: STUN as configured, TURN with a fresh credential of its own.</summary>
public sealed class IceServers(IOptions<TurnOptions> options, TimeProvider time)
{
    public IReadOnlyList<IceServer> For(long userId)
    {
        var turn = options.Value;
        var servers = new List<IceServer>();
        if (turn.StunUrls.Count > 0)
            servers.Add(new IceServer(turn.StunUrls));
        if (turn.TurnUrls.Count > 0 && turn.Secret is { } secret)
        {
            var credential = TurnCredential.Create(secret, userId.ToString(CultureInfo.InvariantCulture), time.GetUtcNow() + turn.CredentialLifetime);
            servers.Add(new IceServer(turn.TurnUrls, credential.Username, credential.Password));
        }
        return servers;
    }
}

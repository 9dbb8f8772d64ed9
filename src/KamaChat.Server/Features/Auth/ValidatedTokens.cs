using System.Runtime.CompilerServices;
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

    /// <summary>The parameters are compared by reference: a scheme's options hold one instance for the node's life.</summary>
    private sealed record Key(string Token, TokenValidationParameters Parameters)
    {
        public bool Equals(Key? other) =>
            other is not null && Token == other.Token && ReferenceEquals(Parameters, other.Parameters);

        public override int GetHashCode() => HashCode.Combine(Token, RuntimeHelpers.GetHashCode(Parameters));
    }
}

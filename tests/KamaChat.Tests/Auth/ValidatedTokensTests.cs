using System.Security.Claims;
using System.Text;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace KamaChat.Tests.Auth;

/// <summary>
/// The bearer handler remembers tokens it validated; remembering must never accept what validating would refuse.
/// (That a remembered token still goes through the session check is <see cref="SessionTests"/>' logout test: the
/// logout request itself validated the token the next request is refused with.)
/// </summary>
public sealed class ValidatedTokensTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("a test key that is long enough to sign HS256!!");

    private static readonly TokenValidationParameters Parameters = TokenService.ValidationParameters(new JwtOptions { SigningKey = Key, ClockSkew = TimeSpan.Zero });

    private static string Token(DateTime expires, byte[]? key = null) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "kamachat",
        Audience = "kamachat",
        IssuedAt = DateTime.UtcNow.AddMinutes(-1),
        NotBefore = DateTime.UtcNow.AddMinutes(-1),
        Expires = expires,
        Subject = new ClaimsIdentity([new Claim("sub", "1"), new Claim("sid", "2")]),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key ?? Key), SecurityAlgorithms.HmacSha256),
    });

    [Fact]
    public async Task A_valid_token_is_remembered_and_each_request_gets_its_own_identity()
    {
        var handler = new ValidatedTokens();
        var token = Token(DateTime.UtcNow.AddMinutes(5));

        var first = await handler.ValidateTokenAsync(token, Parameters);
        var second = await handler.ValidateTokenAsync(token, Parameters);

        Assert.True(first.IsValid);
        Assert.True(second.IsValid);
        Assert.True(handler.Remembers(token, Parameters));
        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
        Assert.Equal("1", second.ClaimsIdentity.FindFirst("sub")?.Value);
        Assert.Equal("2", second.ClaimsIdentity.FindFirst("sid")?.Value);
    }

    [Fact]
    public async Task A_token_is_remembered_across_the_copies_of_the_parameters_made_for_each_request()
    {
        // The bearer handler validates every request against a copy of its options' parameters, made for that request.
        var handler = new ValidatedTokens();
        var token = Token(DateTime.UtcNow.AddMinutes(5));

        Assert.True((await handler.ValidateTokenAsync(token, Parameters.Clone())).IsValid);

        Assert.True(handler.Remembers(token, Parameters.Clone()));
        Assert.True(handler.Remembers(token, Parameters));
    }

    [Fact]
    public async Task A_refused_token_is_not_remembered_and_stays_refused()
    {
        var handler = new ValidatedTokens();
        var forged = Token(DateTime.UtcNow.AddMinutes(5), Encoding.UTF8.GetBytes("another key that is long enough to sign HS256!!"));

        Assert.False((await handler.ValidateTokenAsync(forged, Parameters)).IsValid);
        Assert.False(handler.Remembers(forged, Parameters));
        Assert.False((await handler.ValidateTokenAsync(forged, Parameters)).IsValid);
    }

    [Fact]
    public async Task A_remembered_token_is_refused_once_it_expires()
    {
        var handler = new ValidatedTokens();
        var token = Token(DateTime.UtcNow.AddSeconds(2));
        Assert.True((await handler.ValidateTokenAsync(token, Parameters)).IsValid);

        await Task.Delay(TimeSpan.FromSeconds(3));
        var late = await handler.ValidateTokenAsync(token, Parameters);

        Assert.False(late.IsValid);
        Assert.IsType<SecurityTokenExpiredException>(late.Exception);
    }

    [Fact]
    public async Task A_token_remembered_for_one_set_of_parameters_is_validated_afresh_against_another()
    {
        var handler = new ValidatedTokens();
        var token = Token(DateTime.UtcNow.AddMinutes(5));
        Assert.True((await handler.ValidateTokenAsync(token, Parameters)).IsValid);

        // Another scheme's parameters, or the node's after a signing-key change: this token's signature does not match.
        var otherKey = TokenService.ValidationParameters(new JwtOptions
        {
            SigningKey = Encoding.UTF8.GetBytes("another key that is long enough to sign HS256!!"),
            ClockSkew = TimeSpan.Zero,
        });
        var other = await handler.ValidateTokenAsync(token, otherKey);

        Assert.False(other.IsValid);
        Assert.False(handler.Remembers(token, otherKey));
        Assert.True((await handler.ValidateTokenAsync(token, Parameters)).IsValid);
    }

    [Fact]
    public async Task An_identity_remembered_with_one_name_claim_type_is_not_handed_out_for_another()
    {
        var handler = new ValidatedTokens();
        var token = Token(DateTime.UtcNow.AddMinutes(5));
        Assert.Equal("1", (await handler.ValidateTokenAsync(token, Parameters)).ClaimsIdentity.Name);

        // Same keys and checks, another shape of identity: a remembered one would name the wrong claim.
        var bySession = Parameters.Clone();
        bySession.NameClaimType = "sid";
        var result = await handler.ValidateTokenAsync(token, bySession);

        Assert.True(result.IsValid);
        Assert.Equal("2", result.ClaimsIdentity.Name);
    }
}

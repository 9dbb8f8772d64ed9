using KamaChat.Server.Features.Account;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Account;

/// <summary>RFC 6238 Appendix B (SHA-1): the tests' own TOTP, and the server's, against the published vectors.</summary>
public sealed class TotpVectorTests
{
    private static readonly byte[] Secret = "12345678901234567890"u8.ToArray();

    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void Both_implementations_match_the_rfc_6238_test_vectors(long unixTime, string expected)
    {
        Assert.Equal(expected, TotpCodes.AtStep(Secret, unixTime / 30, digits: 8));
        // Six digits are the last six of eight: the same truncated value, a smaller modulus.
        Assert.Equal(expected[2..], TotpCodes.AtStep(Secret, unixTime / 30));
        Assert.Equal(expected[2..], Totp.Compute(Secret, unixTime / 30));
    }

    [Fact]
    public void Base32_secrets_decode_the_same_in_both()
    {
        const string secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"; // base32 of the RFC secret
        Assert.Equal(Secret, TotpCodes.Base32(secret));
        Assert.Equal(Secret, Totp.DecodeBase32(secret));
    }
}

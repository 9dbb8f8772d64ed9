using System.Security.Cryptography;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// RFC 6238 written again for the tests, sharing no code with the server, so a bug in the server's
/// algorithm cannot hide behind the same bug in the tests. Checked against RFC 6238 Appendix B.
/// </summary>
public static class TotpCodes
{
    public static string At(string base32Secret, DateTimeOffset time, int digits = 6) =>
        AtStep(Base32(base32Secret), time.ToUnixTimeSeconds() / 30, digits);

    public static string Now(string base32Secret, int stepsFromNow = 0) =>
        At(base32Secret, DateTimeOffset.UtcNow.AddSeconds(30 * stepsFromNow));

    public static string AtStep(byte[] key, long step, int digits = 6)
    {
        var counter = BitConverter.GetBytes(step);
        if (BitConverter.IsLittleEndian)
            Array.Reverse(counter);
#pragma warning disable CA5350 // RFC 6238's reference algorithm is HMAC-SHA1.
        using var hmac = new HMACSHA1(key);
#pragma warning restore CA5350
        var hash = hmac.ComputeHash(counter);
        var offset = hash[^1] & 0xf;
        var binary = ((hash[offset] & 0x7f) << 24) | (hash[offset + 1] << 16) | (hash[offset + 2] << 8) | hash[offset + 3];
        var modulo = (int)Math.Pow(10, digits);
        return (binary % modulo).ToString(new string('0', digits), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static byte[] Base32(string text)
    {
        var clean = text.TrimEnd('=').Replace(" ", "", StringComparison.Ordinal).ToUpperInvariant();
        var bytes = new byte[clean.Length * 5 / 8];
        long buffer = 0;
        int bits = 0, index = 0;
        foreach (var c in clean)
        {
            var value = c is >= 'A' and <= 'Z' ? c - 'A' : c - '2' + 26;
            buffer = (buffer << 5) | (uint)value;
            bits += 5;
            if (bits >= 8)
            {
                bytes[index++] = (byte)(buffer >> (bits - 8));
                bits -= 8;
            }
        }
        return bytes;
    }

    /// <summary>
    /// Waits until at least <paramref name="secondsLeft"/> remain in the current 30-second step, so a test that
    /// computes a code and sends it does not straddle a step boundary.
    /// </summary>
    public static async Task WaitForFreshStepAsync(int secondsLeft = 8)
    {
        var intoStep = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() % 30_000;
        if (30_000 - intoStep < secondsLeft * 1000)
            await Task.Delay(TimeSpan.FromMilliseconds(30_000 - intoStep + 200));
    }
}

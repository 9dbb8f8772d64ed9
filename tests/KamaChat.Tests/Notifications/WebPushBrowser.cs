using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace KamaChat.Tests.Notifications;

/// <summary>
/// A browser's side of Web Push, written from RFC 8291 §3.4 and RFC 8188: its subscription keys, and the decryption of
/// an aes128gcm message with them. Checked against RFC 8291 Appendix A, so a message it reads was encrypted correctly.
/// </summary>
public sealed class WebPushBrowser : IDisposable
{
    private readonly ECDiffieHellman _key;

    public byte[] AuthSecret { get; }

    public WebPushBrowser()
        : this(ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256), RandomNumberGenerator.GetBytes(16))
    {
    }

    private WebPushBrowser(ECDiffieHellman key, byte[] authSecret) => (_key, AuthSecret) = (key, authSecret);

    /// <summary>The receiver of RFC 8291 Appendix A, from its private key and authentication secret.</summary>
    public static WebPushBrowser FromPrivateKey(string privateKey, string authSecret)
    {
        var d = Base64Url.DecodeFromChars(privateKey);
        var key = ECDiffieHellman.Create(new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d });
        // Importing D alone leaves Q empty on some platforms: derive the public point by a round trip.
        var full = ECDiffieHellman.Create(key.ExportParameters(includePrivateParameters: true));
        key.Dispose();
        return new WebPushBrowser(full, Base64Url.DecodeFromChars(authSecret));
    }

    /// <summary>The uncompressed public point, as PushSubscription.toJSON() gives it (keys.p256dh).</summary>
    public byte[] PublicKey
    {
        get
        {
            var q = _key.ExportParameters(includePrivateParameters: false).Q;
            return [0x04, .. q.X!, .. q.Y!];
        }
    }

    public object SubscriptionJson(string endpoint) =>
        new { endpoint, keys = new { p256dh = Base64Url.EncodeToString(PublicKey), auth = Base64Url.EncodeToString(AuthSecret) } };

    /// <summary>Decrypts one aes128gcm body (a single record, as Web Push sends); throws if any byte was wrong.</summary>
    public string Decrypt(byte[] body)
    {
        var salt = body.AsSpan(0, 16).ToArray();
        var recordSize = BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(16, 4));
        var keyIdLength = body[20];
        var senderPublic = body.AsSpan(21, keyIdLength).ToArray();
        var ciphertext = body.AsSpan(21 + keyIdLength).ToArray();
        Assert.True(ciphertext.Length <= recordSize, "one record");

        using var sender = ECDiffieHellman.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            Q = new ECPoint { X = senderPublic[1..33], Y = senderPublic[33..65] },
        });
        var sharedSecret = _key.DeriveRawSecretAgreement(sender.PublicKey);
        byte[] keyInfo = [.. "WebPush: info\0"u8, .. PublicKey, .. senderPublic];
        var ikm = HKDF.DeriveKey(HashAlgorithmName.SHA256, sharedSecret, 32, AuthSecret, keyInfo);
        var contentKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 16, salt, "Content-Encoding: aes128gcm\0"u8.ToArray());
        var nonce = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 12, salt, "Content-Encoding: nonce\0"u8.ToArray());

        var plaintext = new byte[ciphertext.Length - 16];
        using var aes = new AesGcm(contentKey, 16);
        aes.Decrypt(nonce, ciphertext[..^16], ciphertext[^16..], plaintext);
        // The last record ends with the delimiter 2, then zero padding.
        var end = Array.LastIndexOf(plaintext, (byte)2);
        Assert.True(end >= 0 && plaintext[(end + 1)..].All(b => b == 0), "padding delimiter of the last record");
        return Encoding.UTF8.GetString(plaintext, 0, end);
    }

    public void Dispose() => _key.Dispose();
}

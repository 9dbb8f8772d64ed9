using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KamaChat.Server.Infrastructure.Janus;

/// <summary>
/// Each room's secret (to administer it: destroy, allowed, kick, moderate) and PIN (to join or subscribe at all),
/// known only to the server. They are derived from a key every node shares (from JWT_SECRET), not stored: any node
/// can administer a room another node created, and a restarted node still can.
/// </summary>
public sealed class VideoRoomSecrets(byte[] sharedKey)
{
    private readonly byte[] _key = HKDF.DeriveKey(HashAlgorithmName.SHA256, sharedKey, 32, info: "kamachat janus videoroom"u8.ToArray());

    public string Secret(long roomId) => Derive("secret", roomId);

    public string Pin(long roomId) => Derive("pin", roomId);

    private string Derive(string purpose, long roomId) =>
        Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{purpose}:{roomId}"))))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace KamaChat.Server.Infrastructure.Janus;

/// <summary>
/// Which of several Janus instances a room lives on: rendezvous (highest random weight) hashing of the room id over
/// the instances' URLs. Every node computes the same answer from the same list, with no coordination and whatever
/// order the list is written in; adding an instance moves only the rooms that now weigh highest on it (about 1/N of
/// them), and removing one moves only its own rooms.
/// </summary>
public static class JanusPlacement
{
    /// <summary>The index in <paramref name="instances"/> of the instance that carries <paramref name="roomId"/>.</summary>
    public static int Pick(IReadOnlyList<Uri> instances, long roomId)
    {
        ArgumentOutOfRangeException.ThrowIfZero(instances.Count);
        if (instances.Count == 1)
            return 0;
        var best = 0;
        var bestWeight = 0UL;
        var bestKey = "";
        for (var i = 0; i < instances.Count; i++)
        {
            var key = Key(instances[i]);
            var weight = Weight(key, roomId);
            // Ties (practically never) go to the smaller key, so that they too do not depend on the list's order.
            if (i == 0 || weight > bestWeight || (weight == bestWeight && string.CompareOrdinal(key, bestKey) < 0))
                (best, bestWeight, bestKey) = (i, weight, key);
        }
        return best;
    }

    /// <summary>How an instance is named for hashing: its URL without a trailing slash (scheme and host lower case).</summary>
    public static string Key(Uri instance) => instance.AbsoluteUri.TrimEnd('/');

    private static ulong Weight(string key, long roomId)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{key}\n{roomId}")), hash);
        return BinaryPrimitives.ReadUInt64BigEndian(hash);
    }
}

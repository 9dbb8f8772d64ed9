using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace KamaChat.Tests.Calls;

/// <summary>What a TURN Allocate ended with: the relayed address, or the server's error code (401: not authenticated).</summary>
public sealed record AllocateResult(IPEndPoint? RelayedAddress, int? ErrorCode, string? Reason);

/// <summary>
/// Just enough of a TURN client (RFC 5389 STUN, RFC 5766 Allocate over UDP) to ask a real coturn for a relay with a
/// long-term credential: the first Allocate learns the realm and nonce from the 401, the second is signed with
/// MESSAGE-INTEGRITY (HMAC-SHA1 keyed with MD5(username:realm:password)) exactly as browsers do.
/// </summary>
public static class TurnClient
{
    private const uint MagicCookie = 0x2112A442;
    private const ushort AllocateRequest = 0x0003;
    private const ushort AllocateSuccess = 0x0103;
    private const ushort AllocateError = 0x0113;
    private const ushort Username = 0x0006, MessageIntegrity = 0x0008, ErrorCode = 0x0009, Realm = 0x0014, Nonce = 0x0015,
        XorRelayedAddress = 0x0016, RequestedTransport = 0x0019;

    public static async Task<AllocateResult> AllocateAsync(IPEndPoint server, string username, string password)
    {
        using var udp = new UdpClient(server.AddressFamily);
        udp.Connect(server);
        var challenge = Parse(await ExchangeAsync(udp, Build([(RequestedTransport, [17, 0, 0, 0])], null)));
        if (challenge.Type != AllocateError || challenge.Attributes.GetValueOrDefault(Realm) is not { } realm || challenge.Attributes.GetValueOrDefault(Nonce) is not { } nonce)
            throw new InvalidOperationException($"expected a 401 with a realm and nonce, got type 0x{challenge.Type:x4}");

#pragma warning disable CA5351 // RFC 5389's long-term credential key is MD5 by definition.
        var key = MD5.HashData(Encoding.UTF8.GetBytes($"{username}:{Encoding.UTF8.GetString(realm)}:{password}"));
#pragma warning restore CA5351
        var reply = Parse(await ExchangeAsync(udp, Build(
            [(RequestedTransport, [17, 0, 0, 0]), (Username, Encoding.UTF8.GetBytes(username)), (Realm, realm), (Nonce, nonce)], key)));
        if (reply.Type == AllocateSuccess)
            return new AllocateResult(XorAddress(reply.Attributes[XorRelayedAddress], reply.TransactionId), null, null);
        var error = reply.Attributes[ErrorCode];
        return new AllocateResult(null, (error[2] & 0x7) * 100 + error[3], Encoding.UTF8.GetString(error.AsSpan(4)));
    }

    private static async Task<byte[]> ExchangeAsync(UdpClient udp, byte[] request)
    {
        // UDP: a lost datagram is sent again, as every STUN client does (RFC 5389 §7.2.1), a few times within 5 s.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            await udp.SendAsync(request);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            try
            {
                var response = await udp.ReceiveAsync(timeout.Token);
                if (response.Buffer.AsSpan(8, 12).SequenceEqual(request.AsSpan(8, 12)))
                    return response.Buffer;
            }
            catch (OperationCanceledException)
            {
            }
        }
        throw new TimeoutException("the TURN server did not answer");
    }

    private static byte[] Build(IReadOnlyList<(ushort Type, byte[] Value)> attributes, byte[]? integrityKey)
    {
        using var message = new MemoryStream();
        Span<byte> header = stackalloc byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(header, AllocateRequest);
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], MagicCookie);
        RandomNumberGenerator.Fill(header[8..]);
        message.Write(header);
        foreach (var (type, value) in attributes)
            WriteAttribute(message, type, value);
        if (integrityKey is not null)
        {
            // The length covers MESSAGE-INTEGRITY itself (24 bytes) while the HMAC covers everything before it.
            var body = message.ToArray();
            BinaryPrimitives.WriteUInt16BigEndian(body.AsSpan(2), (ushort)(body.Length - 20 + 24));
#pragma warning disable CA5350 // STUN's MESSAGE-INTEGRITY is HMAC-SHA1 by definition.
            WriteAttribute(message, MessageIntegrity, HMACSHA1.HashData(integrityKey, body));
#pragma warning restore CA5350
        }
        var bytes = message.ToArray();
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(2), (ushort)(bytes.Length - 20));
        return bytes;
    }

    private static void WriteAttribute(MemoryStream message, ushort type, byte[] value)
    {
        Span<byte> header = stackalloc byte[4];
        BinaryPrimitives.WriteUInt16BigEndian(header, type);
        BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)value.Length);
        message.Write(header);
        message.Write(value);
        message.Write(new byte[(4 - value.Length % 4) % 4]);
    }

    private static (ushort Type, byte[] TransactionId, Dictionary<ushort, byte[]> Attributes) Parse(byte[] message)
    {
        var attributes = new Dictionary<ushort, byte[]>();
        var length = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(2));
        for (var offset = 20; offset + 4 <= 20 + length;)
        {
            var type = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(offset));
            var size = BinaryPrimitives.ReadUInt16BigEndian(message.AsSpan(offset + 2));
            attributes.TryAdd(type, message.AsSpan(offset + 4, size).ToArray());
            offset += 4 + size + (4 - size % 4) % 4;
        }
        return (BinaryPrimitives.ReadUInt16BigEndian(message), message[8..20], attributes);
    }

    private static IPEndPoint XorAddress(byte[] value, byte[] transactionId)
    {
        var port = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(value.AsSpan(2)) ^ (MagicCookie >> 16));
        var address = new byte[value[1] == 1 ? 4 : 16];
        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, MagicCookie);
        transactionId.CopyTo(mask[4..]);
        for (var i = 0; i < address.Length; i++)
            address[i] = (byte)(value[4 + i] ^ mask[i]);
        return new IPEndPoint(new IPAddress(address), port);
    }
}

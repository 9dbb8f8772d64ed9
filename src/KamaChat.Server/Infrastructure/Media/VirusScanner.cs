using System.Buffers;
using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Media;

public enum ScanVerdict
{
    /// <summary>CLAMAV_URL is not set: nothing is scanned (and /readyz says so).</summary>
    NotConfigured,
    Clean,
    Infected,
}

/// <param name="Signature">The name of the signature that matched, when infected.</param>
public sealed record ScanResult(ScanVerdict Verdict, string? Signature = null);

/// <summary>Scans files for malware before anyone else can fetch them.</summary>
public interface IVirusScanner
{
    bool IsConfigured { get; }

    /// <exception cref="VirusScannerUnavailableException">clamd could not be reached or answered with an error (retry later).</exception>
    Task<ScanResult> ScanAsync(Stream content, CancellationToken cancellationToken);

    /// <summary>Whether clamd answers PING with PONG.</summary>
    Task<bool> PingAsync(CancellationToken cancellationToken);
}

/// <summary>CLAMAV_URL: <c>tcp://host:3310</c> or <c>unix:///run/clamav/clamd.ctl</c>; unset means no scanning.</summary>
public sealed class ClamAvOptions
{
    public Uri? Url { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    public string? Error { get; set; }

    public static void Bind(ClamAvOptions options, IConfiguration configuration)
    {
        if (configuration["CLAMAV_URL"] is not { Length: > 0 } text)
            return;
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && ((url.Scheme == "tcp" && url.Port > 0) || (url.Scheme == "unix" && url.AbsolutePath.Length > 1)))
            options.Url = url;
        else
            options.Error = $"CLAMAV_URL must look like tcp://127.0.0.1:3310 or unix:///run/clamav/clamd.ctl (got '{text}').";
    }
}

internal sealed class ClamAvOptionsValidator : IValidateOptions<ClamAvOptions>
{
    public ValidateOptionsResult Validate(string? name, ClamAvOptions options) =>
        options.Error is null ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.Error);
}

public sealed class VirusScannerUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// clamd's INSTREAM command over TCP or its unix socket (written here: nClam is not obtainable): the file goes in
/// length-prefixed chunks, clamd answers "stream: OK" or "stream: NAME FOUND".
/// </summary>
public sealed class ClamAvScanner(IOptions<ClamAvOptions> options) : IVirusScanner
{
    private const int ChunkSize = 64 * 1024;
    private readonly ClamAvOptions _options = options.Value;

    public bool IsConfigured => _options.Url is not null;

    public async Task<ScanResult> ScanAsync(Stream content, CancellationToken cancellationToken)
    {
        if (_options.Url is null)
            return new ScanResult(ScanVerdict.NotConfigured);
        var reply = await ConverseAsync("zINSTREAM\0"u8.ToArray(), async (stream, token) =>
        {
            var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize + 4);
            try
            {
                int read;
                while ((read = await content.ReadAsync(buffer.AsMemory(4, ChunkSize), token)) > 0)
                {
                    BinaryPrimitives.WriteUInt32BigEndian(buffer, (uint)read);
                    await stream.WriteAsync(buffer.AsMemory(0, read + 4), token);
                }
                BinaryPrimitives.WriteUInt32BigEndian(buffer, 0);
                await stream.WriteAsync(buffer.AsMemory(0, 4), token);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }, cancellationToken);
        // "stream: OK", "stream: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR"
        if (reply.EndsWith(" FOUND", StringComparison.Ordinal))
        {
            var signature = reply["stream: ".Length..^" FOUND".Length];
            return new ScanResult(ScanVerdict.Infected, signature);
        }
        if (reply == "stream: OK")
            return new ScanResult(ScanVerdict.Clean);
        throw new VirusScannerUnavailableException($"clamd answered: {reply}");
    }

    public async Task<bool> PingAsync(CancellationToken cancellationToken)
    {
        if (_options.Url is null)
            return false;
        try
        {
            return await ConverseAsync("zPING\0"u8.ToArray(), null, cancellationToken) == "PONG";
        }
        catch (VirusScannerUnavailableException)
        {
            return false;
        }
    }

    /// <summary>Sends a command (and its body), then reads the reply up to clamd's NUL terminator.</summary>
    private async Task<string> ConverseAsync(byte[] command, Func<NetworkStream, CancellationToken, Task>? body, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Timeout);
        var url = _options.Url!;
        try
        {
            using var socket = url.Scheme == "unix"
                ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified)
                : new Socket(SocketType.Stream, ProtocolType.Tcp);
            if (url.Scheme == "unix")
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(url.AbsolutePath), deadline.Token);
            else
                await socket.ConnectAsync(url.Host, url.Port, deadline.Token);
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await stream.WriteAsync(command, deadline.Token);
            if (body is not null)
                await body(stream, deadline.Token);
            var reply = new MemoryStream();
            var buffer = new byte[256];
            int read;
            while ((read = await stream.ReadAsync(buffer, deadline.Token)) > 0)
            {
                var end = Array.IndexOf(buffer, (byte)0, 0, read);
                reply.Write(buffer, 0, end < 0 ? read : end);
                if (end >= 0 || reply.Length > 4096)
                    break;
            }
            return Encoding.ASCII.GetString(reply.ToArray()).Trim();
        }
        catch (Exception e) when (e is SocketException or IOException || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new VirusScannerUnavailableException($"clamd at {url} could not be reached or did not answer: {e.Message}", e);
        }
    }
}

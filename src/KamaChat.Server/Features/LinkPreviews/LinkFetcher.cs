using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.LinkPreviews;

/// <summary>
/// Fetches what a user's link points at without letting the link reach anything the server can reach but its users
/// cannot (server-side request forgery). The host is resolved here and the connection made to the very address that
/// was checked (<see cref="SocketsHttpHandler.ConnectCallback"/>), so a name that resolves to a public address once and
/// to 127.0.0.1 the next time (DNS rebinding) gets nowhere. Redirects are followed by hand, each checked the same way;
/// the whole fetch has one deadline; at most a fixed number of bytes is read, and only of the types asked for.
/// </summary>
public sealed class LinkFetcher : IDisposable
{
    public const string UserAgent = "Mozilla/5.0 (compatible; KamaChat-LinkPreview/1.0; +https://github.com/kamachat)";

    private readonly HttpClient _client;
    private readonly LinkPreviewOptions _options;

    public LinkFetcher(IOptions<LinkPreviewOptions> options)
    {
        _options = options.Value;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            // A proxy would do the resolving and connecting this class exists to control.
            UseProxy = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.All,
            ConnectTimeout = _options.Timeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(1),
            MaxResponseHeadersLength = 64,
            ConnectCallback = ConnectAsync,
        };
        _client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>
    /// The body of <paramref name="url"/> (after at most the allowed redirects), when its type is one of
    /// <paramref name="mediaTypes"/>, cut at <paramref name="maxBytes"/>; otherwise why not.
    /// </summary>
    public async Task<FetchResult> FetchAsync(Uri url, string[] mediaTypes, int maxBytes, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_options.Timeout);
        try
        {
            var current = url;
            for (var hop = 0; ; hop++)
            {
                if (!LinkUrls.IsWebAddress(current))
                    return FetchResult.Refused;
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                request.Headers.UserAgent.ParseAdd(UserAgent);
                foreach (var type in mediaTypes)
                    request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
                using var response = await _client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                if (IsRedirect(response.StatusCode))
                {
                    if (hop == _options.MaxRedirects || response.Headers.Location is not { } location)
                        return FetchResult.Failed;
                    current = location.IsAbsoluteUri ? location : new Uri(current, location);
                    continue;
                }
                if (!response.IsSuccessStatusCode)
                    return FetchResult.Failed;
                var mediaType = response.Content.Headers.ContentType?.MediaType;
                if (mediaType is null || !mediaTypes.Contains(mediaType, StringComparer.OrdinalIgnoreCase))
                    return FetchResult.Failed;
                var body = await ReadAtMostAsync(response.Content, maxBytes, deadline.Token);
                return new FetchResult(FetchOutcome.Fetched, current, mediaType, response.Content.Headers.ContentType?.CharSet, body);
            }
        }
        catch (HttpRequestException e) when (e.InnerException is RefusedAddressException || e is { HttpRequestError: HttpRequestError.NameResolutionError })
        {
            return e.InnerException is RefusedAddressException ? FetchResult.Refused : FetchResult.Failed;
        }
        catch (HttpRequestException)
        {
            return FetchResult.Failed;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return FetchResult.Failed; // the deadline
        }
    }

    private static bool IsRedirect(HttpStatusCode status) =>
        status is HttpStatusCode.MovedPermanently or HttpStatusCode.Found or HttpStatusCode.SeeOther
            or HttpStatusCode.TemporaryRedirect or HttpStatusCode.PermanentRedirect;

    /// <summary>The first <paramref name="maxBytes"/> bytes of the body (all of it when shorter); the rest is never read.</summary>
    private static async Task<byte[]> ReadAtMostAsync(HttpContent content, int maxBytes, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        var buffer = new byte[maxBytes];
        var length = 0;
        while (length < maxBytes)
        {
            var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
            if (read == 0)
                break;
            length += read;
        }
        return length == maxBytes ? buffer : buffer[..length];
    }

    /// <summary>Resolves the host, keeps only the addresses a preview may reach, and connects to one of those.</summary>
    private async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        if (PublicAddresses.IsReservedName(host))
            throw new RefusedAddressException(host);
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(host, cancellationToken);
        var allowed = addresses.Where(a => PublicAddresses.MayConnect(a, _options.AllowNetworks)).ToList();
        if (allowed.Count == 0)
            throw new RefusedAddressException(host);
        SocketException? last = null;
        foreach (var address in allowed)
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }
        throw last!;
    }

    public void Dispose() => _client.Dispose();

    /// <summary>The host named only addresses a preview may not reach.</summary>
    private sealed class RefusedAddressException(string host) : Exception($"{host} is not a public address.");
}

public enum FetchOutcome
{
    Fetched,

    /// <summary>The link (or a redirect) points somewhere previews may not go.</summary>
    Refused,

    /// <summary>Unreachable, too slow, an error status, or not a type asked for.</summary>
    Failed,
}

public sealed record FetchResult(FetchOutcome Outcome, Uri? FinalUrl, string? MediaType, string? CharSet, byte[]? Body)
{
    public static readonly FetchResult Refused = new(FetchOutcome.Refused, null, null, null, null);

    public static readonly FetchResult Failed = new(FetchOutcome.Failed, null, null, null, null);
}

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Serialization;

namespace KamaChat.Server.Infrastructure.Storage;

/// <summary>
/// Media in Cloudinary through its REST APIs, signed as <see cref="CloudinarySigner"/> does. Every object is a
/// <c>raw</c> asset of type <c>authenticated</c> whose public id is the storage key: we make our own derivatives,
/// and authenticated assets are reachable only through signed URLs. Reads use the signed delivery URL (the CDN,
/// with ranges); browsers get a signed download URL that expires.
/// </summary>
public sealed class CloudinaryStorage(CloudinaryOptions options, HttpClient http, TimeProvider time) : IMediaStorage
{
    private const string ResourceType = "raw";
    private const string DeliveryType = "authenticated";

    public string Backend => "cloudinary";

    public async Task<long> PutAsync(string key, Stream content, long? length, string contentType, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        var parameters = SignedParameters(new()
        {
            ["public_id"] = key,
            ["type"] = DeliveryType,
            ["overwrite"] = "true",
            ["invalidate"] = "true",
        });
        var chunkSize = options.ChunkSize;
        var buffer = System.Buffers.ArrayPool<byte>.Shared.Rent(chunkSize);
        byte[]? next = null;
        try
        {
            var filled = await StreamCopy.FillAsync(content, buffer.AsMemory(0, chunkSize), cancellationToken);
            if (filled < chunkSize)
            {
                StreamCopy.CheckLength(length, filled, final: true);
                await UploadAsync(parameters, buffer, filled, contentRange: null, uploadId: null, cancellationToken);
                return filled;
            }
            // Chunked upload (as the SDKs' upload_large): the same signed parameters with each chunk, the total
            // unknown (-1) until the last one, which is known only once the next read comes back empty.
            next = System.Buffers.ArrayPool<byte>.Shared.Rent(chunkSize);
            var uploadId = Guid.NewGuid().ToString("N");
            long offset = 0;
            while (true)
            {
                var nextFilled = await StreamCopy.FillAsync(content, next.AsMemory(0, chunkSize), cancellationToken);
                var last = nextFilled == 0;
                StreamCopy.CheckLength(length, offset + filled, final: last);
                var total = last ? (offset + filled).ToString(CultureInfo.InvariantCulture) : "-1";
                await UploadAsync(parameters, buffer, filled, $"bytes {offset}-{offset + filled - 1}/{total}", uploadId, cancellationToken);
                offset += filled;
                if (last)
                    return offset;
                (buffer, next) = (next, buffer);
                filled = nextFilled;
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
            if (next is not null)
                System.Buffers.ArrayPool<byte>.Shared.Return(next);
        }
    }

    private async Task UploadAsync(Dictionary<string, object?> parameters, byte[] buffer, int count, string? contentRange, string? uploadId, CancellationToken cancellationToken)
    {
        using var form = Form(parameters);
        var file = new ByteArrayContent(buffer, 0, count);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", "blob");
        using var request = new HttpRequestMessage(HttpMethod.Post, ApiUrl($"{ResourceType}/upload")) { Content = form };
        if (contentRange is not null)
        {
            request.Headers.TryAddWithoutValidation("Content-Range", contentRange);
            request.Headers.Add("X-Unique-Upload-Id", uploadId);
        }
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, "upload", cancellationToken);
    }

    public async Task<StoredObject?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, DeliveryUrl(key));
        if (range is { } wanted)
            request.Headers.TryAddWithoutValidation("Range", wanted.ToHeaderValue());
        var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        try
        {
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                response.Dispose();
                return null;
            }
            if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                throw new StorageRangeNotSatisfiableException(response.Content.Headers.ContentRange?.Length ?? 0);
            await EnsureSuccessAsync(response, "read", cancellationToken);
            var headers = response.Content.Headers;
            var length = headers.ContentLength ?? -1;
            var total = headers.ContentRange?.Length ?? length;
            ByteRange? served = headers.ContentRange is { From: { } from, To: { } to } ? ByteRange.Between(from, to) : null;
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            return new StoredObject(stream, length, total, headers.ContentType?.ToString() ?? "application/octet-stream", served, response);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default)
    {
        using var request = AdminRequest(HttpMethod.Get, $"resources/{ResourceType}/{DeliveryType}/{StorageKey.Validate(key)}");
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
            return false;
        await EnsureSuccessAsync(response, "look-up", cancellationToken);
        return true;
    }

    public async Task DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var parameters = SignedParameters(new() { ["public_id"] = StorageKey.Validate(key), ["type"] = DeliveryType, ["invalidate"] = "true" });
        using var form = Form(parameters);
        using var response = await http.PostAsync(ApiUrl($"{ResourceType}/destroy"), form, cancellationToken);
        await EnsureSuccessAsync(response, "delete", cancellationToken);
        // {"result":"ok"} or {"result":"not found"}: both mean the asset is gone.
    }

    public async IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        StorageKey.ValidatePrefix(prefix);
        string? cursor = null;
        do
        {
            var query = $"resources/{ResourceType}/{DeliveryType}?max_results=500&prefix={Uri.EscapeDataString(prefix)}"
                        + (cursor is null ? "" : $"&next_cursor={Uri.EscapeDataString(cursor)}");
            using var request = AdminRequest(HttpMethod.Get, query);
            using var response = await http.SendAsync(request, cancellationToken);
            await EnsureSuccessAsync(response, "listing", cancellationToken);
            var page = await response.Content.ReadFromJsonAsync<ResourcePage>(cancellationToken) ?? new ResourcePage();
            foreach (var resource in page.Resources)
                yield return new StoredObjectInfo(resource.PublicId, resource.Bytes, resource.CreatedAt);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
    }

    public Uri GetReadUrl(string key, TimeSpan lifetime, ReadUrlOptions? options = null) =>
        PrivateDownloadUrl(key, time.GetUtcNow() + lifetime, attachment: options?.DownloadFileName is not null);

    /// <summary>
    /// The signed, expiring URL of the download API (the SDKs' <c>private_download_url</c>); Cloudinary redirects
    /// it to the bytes until <paramref name="expiresAt"/>.
    /// </summary>
    public Uri PrivateDownloadUrl(string key, DateTimeOffset expiresAt, bool attachment)
    {
        var parameters = SignedParameters(new()
        {
            ["public_id"] = StorageKey.Validate(key),
            ["type"] = DeliveryType,
            ["attachment"] = attachment ? "true" : null,
            ["expires_at"] = expiresAt.ToUnixTimeSeconds(),
        });
        var query = string.Join('&', parameters.Where(p => CloudinarySigner.Format(p.Value) is { Length: > 0 })
            .Select(p => $"{p.Key}={Uri.EscapeDataString(CloudinarySigner.Format(p.Value)!)}"));
        return new Uri(ApiUrl($"{ResourceType}/download") + "?" + query);
    }

    /// <summary>The CDN URL of an authenticated asset, signed (the SDKs' <c>url(…, sign_url: true, long_url_signature: true)</c>).</summary>
    public Uri DeliveryUrl(string key)
    {
        StorageKey.Validate(key);
        // The SDKs add a version component to ids with folders, and sign only the part after the signature.
        var version = key.Contains('/', StringComparison.Ordinal) ? "v1/" : "";
        var signature = CloudinarySigner.DeliverySignature(key, options.ApiSecret!);
        return new Uri(options.DeliveryBase, $"{options.CloudName}/{ResourceType}/{DeliveryType}/{signature}/{version}{key}");
    }

    private Dictionary<string, object?> SignedParameters(Dictionary<string, object?> parameters)
    {
        parameters["timestamp"] = time.GetUtcNow().ToUnixTimeSeconds();
        parameters["signature"] = CloudinarySigner.Sign(parameters, options.ApiSecret!, options.SignatureAlgorithm);
        parameters["api_key"] = options.ApiKey;
        return parameters;
    }

    private static MultipartFormDataContent Form(Dictionary<string, object?> parameters)
    {
        var form = new MultipartFormDataContent();
        foreach (var (name, value) in parameters)
        {
            if (CloudinarySigner.Format(value) is { Length: > 0 } text)
                form.Add(new StringContent(text), name);
        }
        return form;
    }

    private Uri ApiUrl(string path) => new(options.ApiBase, $"{options.CloudName}/{path}");

    private HttpRequestMessage AdminRequest(HttpMethod method, string path)
    {
        var request = new HttpRequestMessage(method, ApiUrl(path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{options.ApiKey}:{options.ApiSecret}")));
        return request;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
            return;
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var message = $"Cloudinary refused the {what} ({(int)response.StatusCode}): {body[..Math.Min(body.Length, 300)]}";
        // 4xx other than rate limiting is a configuration or request problem that retrying will not fix.
        if ((int)response.StatusCode is >= 400 and < 500 and not 429)
            throw new StorageException(message);
        throw new HttpRequestException(message, null, response.StatusCode);
    }

    private sealed class ResourcePage
    {
        [JsonPropertyName("resources")]
        public List<Resource> Resources { get; set; } = [];

        [JsonPropertyName("next_cursor")]
        public string? NextCursor { get; set; }
    }

    private sealed class Resource
    {
        [JsonPropertyName("public_id")]
        public string PublicId { get; set; } = "";

        [JsonPropertyName("bytes")]
        public long Bytes { get; set; }

        [JsonPropertyName("created_at")]
        public DateTimeOffset CreatedAt { get; set; }
    }
}

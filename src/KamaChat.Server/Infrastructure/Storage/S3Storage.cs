using System.Buffers;
using System.Net;
using System.Runtime.CompilerServices;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace KamaChat.Server.Infrastructure.Storage;

/// <summary>
/// Media in an S3-compatible bucket through AWSSDK.S3. Uploads stream in parts of <see cref="S3StorageOptions.PartSize"/>
/// (one pooled buffer per upload in memory at a time): a body that fits in one part is a single PUT, a larger one a
/// multipart upload that is aborted on any failure, so nothing half-written stays in the bucket.
/// </summary>
public sealed class S3Storage : IMediaStorage, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly S3StorageOptions _options;
    private readonly TimeProvider _time;

    public S3Storage(S3StorageOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        var config = new AmazonS3Config
        {
            ForcePathStyle = options.ForcePathStyle,
            // S3-compatible servers (MinIO, Garage, s3rver, R2...) reject or mangle the SDK's default CRC trailers.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
        };
        if (options.Endpoint is { } endpoint)
        {
            config.ServiceURL = endpoint.ToString();
            config.AuthenticationRegion = options.Region;
        }
        else
        {
            config.RegionEndpoint = Amazon.RegionEndpoint.GetBySystemName(options.Region);
        }
        _client = options.AccessKey is { } accessKey
            ? new AmazonS3Client(new BasicAWSCredentials(accessKey, options.SecretKey), config)
            : new AmazonS3Client(config); // the SDK's default chain: environment, profile, instance role
    }

    public string Backend => "s3";

    public async Task<long> PutAsync(string key, Stream content, long? length, string contentType, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        var partSize = _options.PartSize;
        var buffer = ArrayPool<byte>.Shared.Rent(partSize);
        try
        {
            var filled = await StreamCopy.FillAsync(content, buffer.AsMemory(0, partSize), cancellationToken);
            if (filled < partSize)
            {
                StreamCopy.CheckLength(length, filled, final: true);
                await SendAsync(() => _client.PutObjectAsync(new PutObjectRequest
                {
                    BucketName = _options.Bucket,
                    Key = key,
                    ContentType = contentType,
                    InputStream = new MemoryStream(buffer, 0, filled, writable: false),
                    AutoCloseStream = false,
                }, cancellationToken));
                return filled;
            }
            return await PutMultipartAsync(key, content, length, contentType, buffer, filled, cancellationToken);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private async Task<long> PutMultipartAsync(string key, Stream content, long? length, string contentType, byte[] buffer, int filled, CancellationToken cancellationToken)
    {
        var upload = await SendAsync(() => _client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = _options.Bucket, Key = key, ContentType = contentType }, cancellationToken));
        var parts = new List<PartETag>();
        long total = 0;
        try
        {
            while (filled > 0)
            {
                total += filled;
                StreamCopy.CheckLength(length, total, final: false);
                var part = await SendAsync(() => _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = _options.Bucket,
                    Key = key,
                    UploadId = upload.UploadId,
                    PartNumber = parts.Count + 1,
                    PartSize = filled,
                    InputStream = new MemoryStream(buffer, 0, filled, writable: false),
                }, cancellationToken));
                parts.Add(new PartETag(parts.Count + 1, part.ETag));
                filled = await StreamCopy.FillAsync(content, buffer.AsMemory(0, _options.PartSize), cancellationToken);
            }
            StreamCopy.CheckLength(length, total, final: true);
            await SendAsync(() => _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = _options.Bucket,
                Key = key,
                UploadId = upload.UploadId,
                PartETags = parts,
            }, cancellationToken));
            return total;
        }
        catch
        {
            // Not with the caller's token: a cancelled upload must still be aborted, or its parts are billed forever.
            try
            {
                await _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest { BucketName = _options.Bucket, Key = key, UploadId = upload.UploadId },
                    CancellationToken.None);
            }
            catch (AmazonS3Exception)
            {
                // The bucket's lifecycle rule for incomplete uploads is the backstop (README).
            }
            throw;
        }
    }

    public async Task<StoredObject?> GetAsync(string key, ByteRange? range = null, CancellationToken cancellationToken = default)
    {
        StorageKey.Validate(key);
        var request = new GetObjectRequest { BucketName = _options.Bucket, Key = key };
        if (range is { SuffixLength: not null } suffix)
        {
            // Not every S3-compatible server reads "bytes=-N" as the last N bytes; explicit offsets mean the same everywhere.
            if (await HeadAsync(key, cancellationToken) is not { } head)
                return null;
            var (first, last) = suffix.Resolve(head.ContentLength);
            range = ByteRange.Between(first, last);
        }
        if (range is { } wanted)
            request.ByteRange = new Amazon.S3.Model.ByteRange(wanted.ToHeaderValue());
        GetObjectResponse response;
        try
        {
            response = await _client.GetObjectAsync(request, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            var head = await HeadAsync(key, cancellationToken);
            throw head is null ? e : new StorageRangeNotSatisfiableException(head.ContentLength);
        }
        var length = response.ContentLength;
        var total = length;
        ByteRange? served = null;
        // "bytes 0-99/1234"
        if (response.ContentRange is { Length: > 0 } contentRange &&
            System.Net.Http.Headers.ContentRangeHeaderValue.TryParse(contentRange, out var parsed) && parsed.From is { } from && parsed.To is { } to)
        {
            total = parsed.Length ?? length;
            served = ByteRange.Between(from, to);
        }
        return new StoredObject(response.ResponseStream, length, total, response.Headers.ContentType ?? "application/octet-stream", served, response);
    }

    public async Task<bool> ExistsAsync(string key, CancellationToken cancellationToken = default) =>
        await HeadAsync(StorageKey.Validate(key), cancellationToken) is not null;

    private async Task<GetObjectMetadataResponse?> HeadAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.GetObjectMetadataAsync(_options.Bucket, key, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public Task DeleteAsync(string key, CancellationToken cancellationToken = default) =>
        SendAsync(() => _client.DeleteObjectAsync(_options.Bucket, StorageKey.Validate(key), cancellationToken));

    public async IAsyncEnumerable<StoredObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = StorageKey.ValidatePrefix(prefix) };
        while (true)
        {
            var page = await SendAsync(() => _client.ListObjectsV2Async(request, cancellationToken));
            foreach (var item in page.S3Objects ?? [])
                yield return new StoredObjectInfo(item.Key, item.Size ?? 0, item.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.MinValue);
            if (page.IsTruncated != true)
                yield break;
            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public Uri GetReadUrl(string key, TimeSpan lifetime, ReadUrlOptions? options = null)
    {
        var request = new GetPreSignedUrlRequest
        {
            BucketName = _options.Bucket,
            Key = StorageKey.Validate(key),
            Verb = HttpVerb.GET,
            Expires = (_time.GetUtcNow() + lifetime).UtcDateTime,
            Protocol = _options.Endpoint?.Scheme == Uri.UriSchemeHttp ? Protocol.HTTP : Protocol.HTTPS,
        };
        if (options?.ContentType is { } contentType)
            request.ResponseHeaderOverrides.ContentType = contentType;
        if (options?.DownloadFileName is { } fileName)
            request.ResponseHeaderOverrides.ContentDisposition = ContentDisposition.Attachment(fileName);
        return new Uri(_client.GetPreSignedURL(request));
    }

    private static async Task<T> SendAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized || e.ErrorCode == "NoSuchBucket")
        {
            throw new StorageException($"S3 refused the request ({e.ErrorCode}): check S3_BUCKET and the credentials.", e);
        }
    }

    public void Dispose() => _client.Dispose();
}

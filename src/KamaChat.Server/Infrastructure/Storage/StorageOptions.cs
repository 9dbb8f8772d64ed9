using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Storage;

public enum StorageBackend
{
    Local,
    S3,
    Cloudinary,
}

/// <summary>
/// Which backend keeps media and how to reach it. KAMACHAT_STORAGE=local|s3|cloudinary chooses; without it, the
/// backend whose variables are set (S3_BUCKET or CLOUDINARY_*), else local disk.
/// </summary>
public sealed class StorageOptions
{
    public StorageBackend Backend { get; set; } = StorageBackend.Local;

    /// <summary>Local disk: KAMACHAT_MEDIA_DIR, default data/media.</summary>
    public string LocalDirectory { get; set; } = Path.Combine("data", "media");

    public S3StorageOptions S3 { get; set; } = new();

    public CloudinaryOptions Cloudinary { get; set; } = new();

    public List<string> Errors { get; } = [];

    public static void Bind(StorageOptions options, IConfiguration configuration, string dataDirectory)
    {
        options.LocalDirectory = configuration["KAMACHAT_MEDIA_DIR"] is { Length: > 0 } directory ? directory : Path.Combine(dataDirectory, "media");
        S3StorageOptions.Bind(options.S3, configuration, options.Errors);
        CloudinaryOptions.Bind(options.Cloudinary, configuration, options.Errors);

        switch (configuration["KAMACHAT_STORAGE"]?.Trim().ToLowerInvariant())
        {
            case "local":
                options.Backend = StorageBackend.Local;
                break;
            case "s3":
                options.Backend = StorageBackend.S3;
                if (!options.S3.IsConfigured)
                    options.Errors.Add("KAMACHAT_STORAGE=s3 needs S3_BUCKET.");
                break;
            case "cloudinary":
                options.Backend = StorageBackend.Cloudinary;
                if (!options.Cloudinary.IsConfigured)
                    options.Errors.Add("KAMACHAT_STORAGE=cloudinary needs CLOUDINARY_CLOUD_NAME, CLOUDINARY_API_KEY and CLOUDINARY_API_SECRET (or CLOUDINARY_URL).");
                break;
            case null or "":
                if (options.S3.IsConfigured && options.Cloudinary.IsConfigured)
                    options.Errors.Add("Both S3_BUCKET and CLOUDINARY_* are set: choose one with KAMACHAT_STORAGE=s3 or KAMACHAT_STORAGE=cloudinary.");
                options.Backend = options.S3.IsConfigured ? StorageBackend.S3 : options.Cloudinary.IsConfigured ? StorageBackend.Cloudinary : StorageBackend.Local;
                break;
            case var other:
                options.Errors.Add($"KAMACHAT_STORAGE must be local, s3 or cloudinary (got '{other}').");
                break;
        }
    }

    public override string ToString() => Backend switch
    {
        StorageBackend.S3 => $"S3 bucket {S3.Bucket} at {S3.Endpoint?.ToString() ?? S3.Region}",
        StorageBackend.Cloudinary => $"Cloudinary cloud {Cloudinary.CloudName}",
        _ => $"local disk {LocalDirectory}",
    };
}

/// <summary>S3_BUCKET, S3_ENDPOINT, S3_REGION, S3_ACCESS_KEY, S3_SECRET_KEY, S3_FORCE_PATH_STYLE, S3_PART_SIZE_MB.</summary>
public sealed class S3StorageOptions
{
    /// <summary>S3's own lower bound for every part but the last.</summary>
    public const int MinimumPartSize = 5 * 1024 * 1024;

    public string? Bucket { get; set; }

    /// <summary>Null for AWS itself; the URL of any other S3-compatible service (MinIO, Garage, R2...).</summary>
    public Uri? Endpoint { get; set; }

    public string Region { get; set; } = "us-east-1";

    /// <summary>Null: the SDK's default credential chain (environment, profile, instance role).</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    /// <summary>bucket in the path (http://host/bucket/key) rather than the host name; the default with S3_ENDPOINT.</summary>
    public bool ForcePathStyle { get; set; }

    /// <summary>Bytes buffered per part of an upload; also the largest object sent as one PUT.</summary>
    public int PartSize { get; set; } = 8 * 1024 * 1024;

    public bool IsConfigured => !string.IsNullOrEmpty(Bucket);

    public static void Bind(S3StorageOptions options, IConfiguration configuration, List<string> errors)
    {
        options.Bucket = configuration["S3_BUCKET"] is { Length: > 0 } bucket ? bucket : null;
        if (configuration["S3_ENDPOINT"] is { Length: > 0 } endpoint)
        {
            if (Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
                options.Endpoint = uri;
            else
                errors.Add($"S3_ENDPOINT must be an http or https URL such as https://s3.example.com (got '{endpoint}').");
        }
        if (configuration["S3_REGION"] is { Length: > 0 } region)
            options.Region = region;
        options.AccessKey = configuration["S3_ACCESS_KEY"] is { Length: > 0 } accessKey ? accessKey : null;
        options.SecretKey = configuration["S3_SECRET_KEY"] is { Length: > 0 } secretKey ? secretKey : null;
        if ((options.AccessKey is null) != (options.SecretKey is null))
            errors.Add("Set both S3_ACCESS_KEY and S3_SECRET_KEY, or neither (the SDK's default credentials).");
        options.ForcePathStyle = BooleanSetting.Read(configuration, "S3_FORCE_PATH_STYLE", options.Endpoint is not null, errors);
        options.PartSize = WholeNumberSetting.Read(configuration, "S3_PART_SIZE_MB", options.PartSize / (1024 * 1024), 5, 512, "from 5 to 512", errors) * 1024 * 1024;
    }
}

/// <summary>CLOUDINARY_CLOUD_NAME, CLOUDINARY_API_KEY, CLOUDINARY_API_SECRET (or CLOUDINARY_URL), CLOUDINARY_SIGNATURE_ALGORITHM.</summary>
public sealed class CloudinaryOptions
{
    public string? CloudName { get; set; }

    public string? ApiKey { get; set; }

    public string? ApiSecret { get; set; }

    public CloudinarySignatureAlgorithm SignatureAlgorithm { get; set; } = CloudinarySignatureAlgorithm.Sha1;

    /// <summary>Bytes per request of a chunked upload (Cloudinary takes at least 5 MB per chunk but the last).</summary>
    public int ChunkSize { get; set; } = 20 * 1024 * 1024;

    public Uri ApiBase { get; set; } = new("https://api.cloudinary.com/v1_1/");

    public Uri DeliveryBase { get; set; } = new("https://res.cloudinary.com/");

    public bool IsConfigured => !string.IsNullOrEmpty(CloudName) && !string.IsNullOrEmpty(ApiKey) && !string.IsNullOrEmpty(ApiSecret);

    public static void Bind(CloudinaryOptions options, IConfiguration configuration, List<string> errors)
    {
        // cloudinary://API_KEY:API_SECRET@CLOUD_NAME, as the Cloudinary console shows it; the separate variables win.
        if (configuration["CLOUDINARY_URL"] is { Length: > 0 } url)
        {
            if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme == "cloudinary" && uri.UserInfo.Contains(':', StringComparison.Ordinal))
            {
                var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
                options.CloudName = uri.Host;
                options.ApiKey = Uri.UnescapeDataString(uri.UserInfo[..colon]);
                options.ApiSecret = Uri.UnescapeDataString(uri.UserInfo[(colon + 1)..]);
            }
            else
            {
                errors.Add("CLOUDINARY_URL must look like cloudinary://API_KEY:API_SECRET@CLOUD_NAME.");
            }
        }
        if (configuration["CLOUDINARY_CLOUD_NAME"] is { Length: > 0 } cloud)
            options.CloudName = cloud;
        if (configuration["CLOUDINARY_API_KEY"] is { Length: > 0 } key)
            options.ApiKey = key;
        if (configuration["CLOUDINARY_API_SECRET"] is { Length: > 0 } secret)
            options.ApiSecret = secret;
        var given = new[] { options.CloudName, options.ApiKey, options.ApiSecret }.Count(v => !string.IsNullOrEmpty(v));
        if (given is 1 or 2)
            errors.Add("Set all of CLOUDINARY_CLOUD_NAME, CLOUDINARY_API_KEY and CLOUDINARY_API_SECRET, or none.");
        switch (configuration["CLOUDINARY_SIGNATURE_ALGORITHM"]?.ToLowerInvariant())
        {
            case null or "" or "sha1":
                break;
            case "sha256":
                options.SignatureAlgorithm = CloudinarySignatureAlgorithm.Sha256;
                break;
            case var other:
                errors.Add($"CLOUDINARY_SIGNATURE_ALGORITHM must be sha1 or sha256 (got '{other}').");
                break;
        }
    }
}

internal sealed class StorageOptionsValidator : IValidateOptions<StorageOptions>
{
    public ValidateOptionsResult Validate(string? name, StorageOptions options) =>
        options.Errors.Count > 0 ? ValidateOptionsResult.Fail(options.Errors) : ValidateOptionsResult.Success;
}

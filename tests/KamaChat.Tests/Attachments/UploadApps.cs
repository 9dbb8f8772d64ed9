using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Attachments;

/// <summary>
/// The app with small upload limits (1 MiB a file; 5 files and 3 MiB a minute per account) so the limits are cheap
/// to reach. SQLite keeps media on local disk, PostgreSQL in a throwaway S3 server.
/// </summary>
public sealed class UploadSqliteApp : KamaChatApp
{
    public override string ProviderName => "sqlite";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => UploadLimits.Settings;
}

public sealed class UploadPostgresApp : KamaChatApp
{
    public override string ProviderName => "postgres";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => PostgresServer.CreateDatabaseAsync();

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => UploadLimits.Settings;

    protected override async Task<IReadOnlyDictionary<string, string?>> SettingsAsync() => new Dictionary<string, string?>
    {
        ["S3_BUCKET"] = S3TestServer.Bucket,
        ["S3_ENDPOINT"] = (await S3TestServer.EndpointAsync()).ToString(),
        ["S3_ACCESS_KEY"] = S3TestServer.AccessKey,
        ["S3_SECRET_KEY"] = S3TestServer.SecretKey,
    };
}

internal static class UploadLimits
{
    public const int MaxFileBytes = 1024 * 1024;
    public const int FilesPerMinute = 5;
    public const int KilobytesPerMinute = 3 * 1024;

    public static readonly KeyValuePair<string, string>[] Settings =
    [
        new("KAMACHAT_MAX_UPLOAD_MB", "1"),
        new("RateLimits:Upload:PerAccount", FilesPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("RateLimits:UploadBytes:PerAccount", KilobytesPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];
}

using KamaChat.Server.Infrastructure.Configuration;

namespace KamaChat.Server.Features.Attachments;

/// <summary>
/// Limits on uploads (KAMACHAT_MAX_UPLOAD_MB). How many files and bytes an account may upload per minute are rate limits
/// like the others (<c>RateLimits__Upload__PerAccount</c>, <c>RateLimits__UploadBytes__PerAccount</c> in KiB).
/// </summary>
public sealed class UploadOptions : ISettingErrors
{
    public const int MaxAttachmentsPerMessage = 10;

    /// <summary>Largest file accepted, in bytes.</summary>
    public long MaxFileBytes { get; set; } = 25L * 1024 * 1024;

    /// <summary>An upload not sent with a message within this time is deleted.</summary>
    public TimeSpan UnattachedLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the unattached uploads are swept.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often storage is listed for files no row refers to (<see cref="OrphanFileSweeper"/>).</summary>
    public TimeSpan OrphanSweepInterval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Files younger than this are never orphans: their row may still be on its way.</summary>
    public TimeSpan OrphanGrace { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How long a signed attachment URL in a message reads. Expiries are rounded up to whole periods of this length, so
    /// every reader of a message in one period gets the same URL (a CDN or the browser caches it once).
    /// </summary>
    public TimeSpan UrlLifetime { get; set; } = TimeSpan.FromHours(24);

    public List<string> Errors { get; } = [];

    public static void Bind(UploadOptions options, IConfiguration configuration)
    {
        options.MaxFileBytes = WholeNumberSetting.Read(configuration, "KAMACHAT_MAX_UPLOAD_MB",
            (int)(options.MaxFileBytes / (1024 * 1024)), 1, 10_240, options.Errors) * 1024L * 1024;
    }
}

using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Media;

public static class MediaExtensions
{
    /// <summary>The media engines: libvips images, ffmpeg video/audio, optional ClamAV scanning.</summary>
    public static IHostApplicationBuilder AddMedia(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MediaOptions>().Configure<IConfiguration>((o, c) => MediaOptions.Bind(o, c)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MediaOptions>, Configuration.SettingErrorsValidator<MediaOptions>>();
        services.AddOptions<ClamAvOptions>().Configure<IConfiguration>((o, c) => ClamAvOptions.Bind(o, c)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClamAvOptions>, ClamAvOptionsValidator>();
        services.AddSingleton<ImageProcessor>();
        services.AddSingleton(sp => new MediaProcessRunner(sp.GetRequiredService<IOptions<MediaOptions>>().Value));
        services.AddSingleton<FfmpegProcessor>();
        services.AddSingleton<IVirusScanner, ClamAvScanner>();
        services.AddHealthChecks().AddCheck<ClamAvHealthCheck>("clamav", tags: ["ready"]);
        return builder;
    }
}

/// <summary>Readiness: clamd answers when configured; without CLAMAV_URL the check passes and says nothing is scanned.</summary>
internal sealed class ClamAvHealthCheck(IVirusScanner scanner) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!scanner.IsConfigured)
            return HealthCheckResult.Healthy("ClamAV is not configured (CLAMAV_URL): uploads are not scanned.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(5));
        return await scanner.PingAsync(timeout.Token) ? HealthCheckResult.Healthy("ClamAV answers.") : HealthCheckResult.Unhealthy("ClamAV (CLAMAV_URL) does not answer.");
    }
}

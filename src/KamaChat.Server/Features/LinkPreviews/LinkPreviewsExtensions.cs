using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Jobs;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.LinkPreviews;

public static class LinkPreviewsExtensions
{
    /// <summary>Link previews: options (LINK_PREVIEWS, LINK_PREVIEW_ALLOW_NETWORKS), the guarded fetcher, pictures, the cache, the job and the sweep.</summary>
    public static IHostApplicationBuilder AddLinkPreviews(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<LinkPreviewOptions>().Configure<IConfiguration>(LinkPreviewOptions.Bind).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LinkPreviewOptions>, SettingErrorsValidator<LinkPreviewOptions>>();
        services.AddSingleton<LinkFetcher>();
        services.AddSingleton<LinkPictures>();
        services.AddSingleton<LinkPreviewFetches>();
        services.AddScoped<LinkPreviewCache>();
        services.AddJobHandler<LinkPreviewJob, LinkPreviewJobHandler>();
        services.AddSingleton<LinkPreviewSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<LinkPreviewSweeper>());
        return builder;
    }
}

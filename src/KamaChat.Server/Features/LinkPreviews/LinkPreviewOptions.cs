using System.Net;
using KamaChat.Server.Infrastructure.Configuration;

namespace KamaChat.Server.Features.LinkPreviews;

/// <summary>Link previews: on or off (LINK_PREVIEWS), the networks besides the public internet they may reach (LINK_PREVIEW_ALLOW_NETWORKS), and the limits of a fetch.</summary>
public sealed class LinkPreviewOptions : ISettingErrors
{
    /// <summary>How many links of a message get a preview.</summary>
    public const int MaxLinksPerMessage = 3;

    public bool Enabled { get; set; } = true;

    /// <summary>Networks a preview may reach although they are not public (an intranet; loopback in tests).</summary>
    public List<IPNetwork> AllowNetworks { get; } = [];

    /// <summary>The whole fetch of one link, redirects and body included.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    public int MaxRedirects { get; set; } = 3;

    /// <summary>At most this much of a page is read; what a preview needs is in its head.</summary>
    public int MaxHtmlBytes { get; set; } = 512 * 1024;

    /// <summary>How long a link's preview (or the lack of one) is reused before the page is fetched again.</summary>
    public TimeSpan CacheLifetime { get; set; } = TimeSpan.FromHours(1);

    /// <summary>A page's picture larger than this is not shown (nor read past this).</summary>
    public int MaxImageBytes { get; set; } = 10 * 1024 * 1024;

    /// <summary>A picture with more pixels than this (all frames together), by its header, is not decoded: a decompression bomb.</summary>
    public long MaxImagePixels { get; set; } = 40_000_000;

    /// <summary>Pictures are stored at most this many pixels wide and high: enough for a large card on a dense screen.</summary>
    public int MaxImageSide { get; set; } = 800;

    /// <summary>How often <see cref="LinkPreviewSweeper"/> removes old entries and the pictures nothing shows.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How long past its <see cref="CacheLifetime"/> an entry is kept, and how long a picture is kept after it was last
    /// stored or found: a job that read either just before is done with it long before.
    /// </summary>
    public TimeSpan SweepGrace { get; set; } = TimeSpan.FromHours(1);

    public List<string> Errors { get; } = [];

    public static void Bind(LinkPreviewOptions options, IConfiguration configuration)
    {
        options.Enabled = BooleanSetting.ReadOnOff(configuration, "LINK_PREVIEWS", options.Enabled, options.Errors);
        var networks = configuration["LINK_PREVIEW_ALLOW_NETWORKS"] ?? "";
        foreach (var text in networks.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (IPNetwork.TryParse(text, out var network))
                options.AllowNetworks.Add(network);
            else
                options.Errors.Add($"LINK_PREVIEW_ALLOW_NETWORKS must list networks as address/prefix, separated by commas (got '{text}').");
        }
    }
}

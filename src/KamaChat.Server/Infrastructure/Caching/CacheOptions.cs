using KamaChat.Server.Infrastructure.Configuration;

namespace KamaChat.Server.Infrastructure.Caching;

/// <summary>The cache's settings: <c>KAMACHAT_CACHE=off</c> turns it off (every read goes to the database, as a baseline for the bench).</summary>
public sealed class CacheOptions : ISettingErrors
{
    public bool Enabled { get; set; } = true;

    public List<string> Errors { get; } = [];

    /// <summary>How long a permission input lives without being invalidated: a safety net only, events drop entries at once.</summary>
    public TimeSpan LocalLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a user summary lives. Profile changes travel as gateway signals, not logged events (see ProfileBroadcast),
    /// so a node that misses one still shows the new name after this at the latest.
    /// </summary>
    public TimeSpan SummaryLifetime { get; set; } = TimeSpan.FromMinutes(1);

    public static void Bind(CacheOptions options, IConfiguration configuration) =>
        options.Enabled = BooleanSetting.ReadOnOff(configuration, "KAMACHAT_CACHE", options.Enabled, options.Errors);
}

namespace KamaChat.Server.Infrastructure.Caching;

/// <summary>
/// The tags cached entries carry, by what changes them. An event drops every entry with one of the tags it names
/// (<see cref="CacheInvalidation"/>): a role change drops the whole server, a member's roles that member's standing.
/// </summary>
public static class CacheTags
{
    /// <summary>HybridCache's wildcard: every entry (for an event this node cannot read).</summary>
    public const string All = "*";

    /// <summary>Everything about a server: its owner and roles, every member's standing and every channel in it.</summary>
    public static string Server(Snowflake serverId) => $"s:{serverId}";

    /// <summary>One member's standing in one server (roles, timeout).</summary>
    public static string Member(Snowflake serverId, Snowflake userId) => $"m:{serverId}:{userId}";

    /// <summary>One channel: its row, its overwrites, a DM's recipients.</summary>
    public static string Channel(Snowflake channelId) => $"c:{channelId}";

    /// <summary>One user's name and picture.</summary>
    public static string User(Snowflake userId) => $"u:{userId}";

    /// <summary>One sign-in session: whether its tokens are still good.</summary>
    public static string Session(Snowflake sessionId) => $"session:{sessionId}";
}

using KamaChat.Server.Features.Users;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// What the hub's "Event" message carries. <see cref="Data"/> is the event's JSON exactly as logged: carried as a
/// string so every protocol (JSON, MessagePack) transports it untouched and the server never re-serializes it.
/// Clients keep, per stream (scope + scopeId), the last sequence they applied, ignore events at or below it,
/// and call Resume when they see a gap.
/// </summary>
public sealed record GatewayEvent(Snowflake Id, string Type, string Scope, Snowflake ScopeId, long Sequence, string Data);

/// <summary>Short-lived signals that are not logged: typing, presence.</summary>
public sealed record TypingStarted(Snowflake ChannelId, Snowflake UserId, DateTimeOffset ExpiresAt);

public sealed record PresenceUpdated(Snowflake UserId, string Status);

/// <summary>Where a client stands: the last sequence applied per stream (keyed by the channel's or server's id; a key that is not an id is ignored).</summary>
public sealed record StreamCursors(Dictionary<string, long>? Channels, Dictionary<string, long>? Servers, long? User);

public sealed record ResumeResult(IReadOnlyList<GatewayEvent> Events, IReadOnlyList<StreamRef> Refetch);

/// <summary>A stream the client must reload through REST: its cursor is older than the log or too far behind.</summary>
public sealed record StreamRef(string Scope, Snowflake ScopeId);

/// <summary>The snapshot a client gets on connect. <c>Status</c>: the presence the user chose (online, idle, dnd,
/// invisible), so each of their devices shows it.</summary>
public sealed record ReadyPayload(
    MeResponse User,
    IReadOnlyList<ReadyServer> Servers,
    IReadOnlyList<ReadyDirectChannel> DirectChannels,
    IReadOnlyList<ReadyReadState> ReadStates,
    IReadOnlyList<PresenceUpdated> Presences,
    StreamCursors Cursors,
    Snowflake SessionId,
    int NodeId,
    string Status,
    IReadOnlyList<Calls.VoiceState> VoiceStates,
    IReadOnlyList<Calls.DmCallState> Calls);

public sealed record ReadyServer(Snowflake Id, string Name, string? IconUrl, Snowflake OwnerId, IReadOnlyList<ReadyChannel> Channels,
    string? BannerUrl = null);

public sealed record ReadyChannel(
    Snowflake Id, string Type, string? Name, string? Topic, Snowflake? ParentId, int Position, Snowflake? LastMessageId, string Permissions)
{
    /// <summary>The channels a member sees in one server, as Ready lists them: by position, then id.</summary>
    public static List<ReadyChannel> Of(IEnumerable<KamaChat.Server.Features.Permissions.ChannelAccess> visible) => visible
        .OrderBy(v => v.Channel.Position).ThenBy(v => v.Channel.Id)
        .Select(v => new ReadyChannel(v.Channel.Id, Channels.ChannelResponse.TypeName(v.Channel.Type), v.Channel.Name, v.Channel.Topic,
            v.Channel.ParentId, v.Channel.Position, v.Channel.LastMessageId, KamaChat.Server.Features.Permissions.PermissionBits.Text(v.Permissions)))
        .ToList();
}

/// <summary>
/// The hub's "ServerView" message: what one member now sees in one server and may do there (Ready's channel list for that
/// server), sent only to that member's connections after a role, overwrite or member-role change altered it. Not logged:
/// it is state, not history (a new connection's Ready carries it), and one row per affected member would make a role edit
/// in a big server a write storm. <c>Sequence</c>: the server-stream event it follows, so a client can tell it from an
/// older Ready.
/// </summary>
public sealed record ServerViewChanged(Snowflake ServerId, long Sequence, IReadOnlyList<ReadyChannel> Channels)
{
    public const string Method = "ServerView";

    /// <summary>Two independent 64-bit hashes of a view's channel ids and permissions (what a view is sent for).</summary>
    public static (ulong, ulong) Fingerprint(IEnumerable<ReadyChannel> channels)
    {
        ulong a = 14695981039346656037UL, b = 0x9E3779B97F4A7C15UL;
        void Add(ulong part)
        {
            a = (a ^ part) * 1099511628211UL;
            b = (ulong.RotateLeft(b ^ part, 27) * 0xBF58476D1CE4E5B9UL) + 0x94D049BB133111EBUL;
        }
        foreach (var c in channels)
        {
            Add((ulong)c.Id.Value);
            foreach (var ch in c.Permissions)
                Add(ch);
            Add(0x2C);
        }
        return (a, b);
    }
}

public sealed record ReadyDirectChannel(
    Snowflake Id, string Type, string? Name, Snowflake? OwnerId, IReadOnlyList<Snowflake> RecipientIds, Snowflake? LastMessageId);

public sealed record ReadyReadState(Snowflake ChannelId, Snowflake LastReadMessageId, int MentionCount);

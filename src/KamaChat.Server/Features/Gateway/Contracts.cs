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
    Snowflake Id, string Type, string? Name, string? Topic, Snowflake? ParentId, int Position, Snowflake? LastMessageId, string Permissions);

public sealed record ReadyDirectChannel(
    Snowflake Id, string Type, string? Name, Snowflake? OwnerId, IReadOnlyList<Snowflake> RecipientIds, Snowflake? LastMessageId);

public sealed record ReadyReadState(Snowflake ChannelId, Snowflake LastReadMessageId, int MentionCount);

using System.Collections.Frozen;
using System.Text.Json;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.DirectMessages;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Notifications;
using KamaChat.Server.Features.ReadStates;
using KamaChat.Server.Features.Relationships;
using KamaChat.Server.Features.Servers;

namespace KamaChat.Server.Infrastructure.Caching;

/// <summary>
/// Which cached entries each event makes wrong, in one place. Every event type is listed, those that change nothing
/// cached too, so a new event type is a decision (a test fails until it is here). Applied by every node to every
/// event it applies: its own commits at once, other nodes' when they arrive (Redis or the event-log poll).
/// </summary>
public sealed class CacheInvalidation(KamaCache cache)
{
    // An event arrives more than once (this node's commit and the poll; the poll re-reads a window): drop once.
    private readonly Features.Gateway.RecentIds _applied = new(capacity: 100_000);

    private delegate IEnumerable<string> Tags(EventLogEntry entry, JsonElement data);

    private static readonly Tags Nothing = (_, _) => [];
    private static readonly Tags WholeServer = (e, _) => [CacheTags.Server(e.ScopeId)];
    private static readonly Tags ServerMember = (e, d) => [CacheTags.Member(e.ScopeId, Id(d, "userId"))];
    private static readonly Tags ServerChannel = (_, d) => [CacheTags.Channel(Id(d, "id"))];
    private static readonly Tags DmChannel = (_, d) => [CacheTags.Channel(Id(d, "id"))];

    /// <summary>Event name → the tags to drop.</summary>
    private static readonly FrozenDictionary<string, Tags> ByEvent = new Dictionary<string, Tags>
    {
        // A server's owner (transfer), its existence, its roles (permissions, positions; a deleted role's overwrites go too).
        [ServerUpdated.Type] = WholeServer,
        [ServerDeleted.Type] = WholeServer,
        [RoleCreated.Type] = WholeServer,
        [RoleUpdated.Type] = WholeServer,
        [RoleDeleted.Type] = WholeServer,
        // A member gone takes their channel overwrites with them: the server's channels go too.
        [MemberLeft.Type] = WholeServer,
        [BanAdded.Type] = WholeServer,
        [ServerRemoved.Type] = (_, d) => [CacheTags.Server(Id(d, "serverId"))],
        // One member's standing: roles, timeout, membership.
        [MemberJoined.Type] = ServerMember,
        [MemberUpdated.Type] = ServerMember,
        [BanRemoved.Type] = ServerMember,
        [ServerJoined.Type] = (e, d) => [CacheTags.Member(Id(d, "id"), e.ScopeId)],
        // A channel's row and overwrites.
        [ChannelCreated.Type] = ServerChannel,
        [ChannelUpdated.Type] = ServerChannel,
        [ChannelDeleted.Type] = ServerChannel,
        // A DM's or group DM's row and recipients.
        [DmChannelCreated.Type] = DmChannel,
        [DmChannelUpdated.Type] = DmChannel,
        [DmChannelRemoved.Type] = DmChannel,
        [RecipientAdded.Type] = (e, _) => [CacheTags.Channel(e.ScopeId)],
        [RecipientRemoved.Type] = (e, _) => [CacheTags.Channel(e.ScopeId)],
        // Nothing cached: messages and what hangs on them (a channel's last message id is not cached), invites,
        // read states, relationships (DM refusals are read fresh), notification settings.
        // A session checked on every request: revoked, it is refused from the moment this node applies the event.
        [SessionRevoked.Type] = (_, d) => [CacheTags.Session(Id(d, "sessionId"))],
        [MessageCreated.Type] = Nothing,
        [MessageUpdated.Type] = Nothing,
        [MessageDeleted.Type] = Nothing,
        [MessagePinned.Type] = Nothing,
        [MessageUnpinned.Type] = Nothing,
        [ReactionAdded.Type] = Nothing,
        [ReactionRemoved.Type] = Nothing,
        [InviteCreated.Type] = Nothing,
        [InviteDeleted.Type] = Nothing,
        [ReadStateUpdated.Type] = Nothing,
        [RelationshipUpdated.Type] = Nothing,
        [RelationshipRemoved.Type] = Nothing,
        [NotificationSettingsUpdated.Type] = Nothing,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The event names this mapping decides about (a test holds it to <see cref="EventCatalog"/>).</summary>
    public static IReadOnlyCollection<string> Mapped => ByEvent.Keys;

    /// <summary>The tags one event drops; everything (<see cref="CacheTags.All"/>) for an event this node cannot read.</summary>
    public static IReadOnlyList<string> TagsOf(EventLogEntry entry)
    {
        // A name not mapped here (another version's event) may change anything.
        if (!ByEvent.TryGetValue(entry.Type, out var tags))
            return [CacheTags.All];
        if (ReferenceEquals(tags, Nothing))
            return [];
        try
        {
            using var payload = JsonDocument.Parse(entry.Payload);
            return tags(entry, payload.RootElement).ToList();
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            // A payload without the ids we expect (an older node's shape): drop everything rather than guess.
            return [CacheTags.All];
        }
    }

    /// <summary>Drops what these events change, on this node. Called before the events are delivered.</summary>
    public void Apply(IReadOnlyList<EventLogEntry> events)
    {
        if (!cache.Enabled)
            return;
        var tags = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in events)
            if (_applied.Add(entry.Id))
                tags.UnionWith(TagsOf(entry));
        cache.Invalidate(tags);
    }

    private static Snowflake Id(JsonElement data, string property) =>
        Snowflake.Parse(data.GetProperty(property).GetString() ?? throw new FormatException($"{property} is null"), null);
}

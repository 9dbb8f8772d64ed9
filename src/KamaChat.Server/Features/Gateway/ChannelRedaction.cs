using System.Text.Json;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// What a server event about one channel (<see cref="IAboutChannel{TData}"/>) looks like to a member who may not view
/// the channel: ChannelDeleted with the same id and sequence. Same sequence, so the server stream stays gap-free for
/// everyone (a skipped number would make the client resume, and the replay must be redacted the same way); ChannelDeleted,
/// because it names nothing but the id and is what the client must do when a channel it showed became private to it:
/// drop it. A channel that becomes visible arrives as it is (ChannelUpdated), which the client adds.
/// </summary>
public static class ChannelRedaction
{
    /// <summary>The channel a server event describes, or null when it is not about one channel.</summary>
    public static Snowflake? ChannelOf(EventLogEntry entry) =>
        entry.Scope == EventScope.Server && EventCatalog.Find(entry.Type) is { } type ? type.AboutChannel(entry.Payload) : null;

    public static GatewayEvent Hidden(GatewayEvent message, Snowflake channelId) => message with
    {
        Type = ChannelDeleted.Type,
        Data = JsonSerializer.Serialize(new ChannelDeletedData(channelId, message.ScopeId), EventLog.PayloadJson),
    };
}

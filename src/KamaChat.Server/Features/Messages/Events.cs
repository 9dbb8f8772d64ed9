using KamaChat.Server.Features.Events;

namespace KamaChat.Server.Features.Messages;

// Message events go to everyone who can see the channel (server channels, DMs and group DMs alike).

/// <summary>Appended with <see cref="EventTransaction.AppendWithSequenceAsync{TEvent}"/>: the message carries its channel sequence number.</summary>
public sealed record MessageCreated(long ChannelId, MessageResponse Data) : IChannelEvent<MessageResponse>
{
    public static string Type => "MessageCreated";
}

public sealed record MessageUpdated(long ChannelId, MessageResponse Data) : IChannelEvent<MessageResponse>
{
    public static string Type => "MessageUpdated";
}

public sealed record MessageDeleted(long ChannelId, long MessageId) : IChannelEvent<MessageDeletedData>
{
    public static string Type => "MessageDeleted";

    public MessageDeletedData Data => new(Ids.Text(MessageId), Ids.Text(ChannelId));
}

public sealed record MessageDeletedData(string Id, string ChannelId);

public sealed record ReactionAdded(long ChannelId, long MessageId, string Emoji, long UserId) : IChannelEvent<ReactionData>
{
    public static string Type => "ReactionAdded";

    public ReactionData Data => new(Ids.Text(MessageId), Ids.Text(ChannelId), Emoji, Ids.Text(UserId));
}

public sealed record ReactionRemoved(long ChannelId, long MessageId, string Emoji, long UserId) : IChannelEvent<ReactionData>
{
    public static string Type => "ReactionRemoved";

    public ReactionData Data => new(Ids.Text(MessageId), Ids.Text(ChannelId), Emoji, Ids.Text(UserId));
}

public sealed record ReactionData(string MessageId, string ChannelId, string Emoji, string UserId);

public sealed record MessagePinned(long ChannelId, long MessageId, DateTimeOffset PinnedAt) : IChannelEvent<PinData>
{
    public static string Type => "MessagePinned";

    public PinData Data => new(Ids.Text(MessageId), Ids.Text(ChannelId), PinnedAt);
}

public sealed record MessageUnpinned(long ChannelId, long MessageId) : IChannelEvent<PinData>
{
    public static string Type => "MessageUnpinned";

    public PinData Data => new(Ids.Text(MessageId), Ids.Text(ChannelId), null);
}

/// <summary><see cref="PinnedAt"/> is null when the message was unpinned.</summary>
public sealed record PinData(string MessageId, string ChannelId, DateTimeOffset? PinnedAt);

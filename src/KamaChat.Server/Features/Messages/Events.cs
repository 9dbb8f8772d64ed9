using KamaChat.Server.Features.Events;

namespace KamaChat.Server.Features.Messages;

// Message events go to everyone who can see the channel (server channels, DMs and group DMs alike).

/// <summary>Appended with <see cref="EventTransaction.AppendCreatingAsync{TEvent}"/>: the message takes its id and its channel sequence number there.</summary>
public sealed record MessageCreated(Snowflake ChannelId, MessageResponse Data) : IChannelEvent<MessageResponse>
{
    public static string Type => "MessageCreated";
}

public sealed record MessageUpdated(Snowflake ChannelId, MessageResponse Data) : IChannelEvent<MessageResponse>
{
    public static string Type => "MessageUpdated";
}

public sealed record MessageDeleted(Snowflake ChannelId, Snowflake MessageId) : IChannelEvent<MessageDeletedData>
{
    public static string Type => "MessageDeleted";

    public MessageDeletedData Data => new(MessageId, ChannelId);
}

public sealed record MessageDeletedData(Snowflake Id, Snowflake ChannelId);

public sealed record ReactionAdded(Snowflake ChannelId, Snowflake MessageId, string Emoji, Snowflake UserId) : IChannelEvent<ReactionData>
{
    public static string Type => "ReactionAdded";

    public ReactionData Data => new(MessageId, ChannelId, Emoji, UserId);
}

public sealed record ReactionRemoved(Snowflake ChannelId, Snowflake MessageId, string Emoji, Snowflake UserId) : IChannelEvent<ReactionData>
{
    public static string Type => "ReactionRemoved";

    public ReactionData Data => new(MessageId, ChannelId, Emoji, UserId);
}

public sealed record ReactionData(Snowflake MessageId, Snowflake ChannelId, string Emoji, Snowflake UserId);

public sealed record MessagePinned(Snowflake ChannelId, Snowflake MessageId, DateTimeOffset PinnedAt) : IChannelEvent<PinData>
{
    public static string Type => "MessagePinned";

    public PinData Data => new(MessageId, ChannelId, PinnedAt);
}

public sealed record MessageUnpinned(Snowflake ChannelId, Snowflake MessageId) : IChannelEvent<PinData>
{
    public static string Type => "MessageUnpinned";

    public PinData Data => new(MessageId, ChannelId, null);
}

/// <summary><see cref="PinnedAt"/> is null when the message was unpinned.</summary>
public sealed record PinData(Snowflake MessageId, Snowflake ChannelId, DateTimeOffset? PinnedAt);

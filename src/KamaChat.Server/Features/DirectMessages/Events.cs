using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;

namespace KamaChat.Server.Features.DirectMessages;

// DM channels appear in and leave each participant's own stream; group DM membership changes go to the channel.

/// <summary>A DM or group DM you are in was opened, or you were added to a group DM.</summary>
public sealed record DmChannelCreated(Snowflake UserId, DmChannelResponse Data) : IUserEvent<DmChannelResponse>, IChangesMemberships
{
    public static string Type => "DmChannelCreated";
}

/// <summary>A group DM's participants or owner changed.</summary>
public sealed record DmChannelUpdated(Snowflake UserId, DmChannelResponse Data) : IUserEvent<DmChannelResponse>
{
    public static string Type => "DmChannelUpdated";
}

/// <summary>You left or were removed from a group DM.</summary>
public sealed record DmChannelRemoved(Snowflake UserId, Snowflake ChannelId) : IUserEvent<DmChannelRemovedData>, IChangesMemberships
{
    public static string Type => "DmChannelRemoved";

    public DmChannelRemovedData Data => new(ChannelId);
}

public sealed record DmChannelRemovedData(Snowflake Id);

public sealed record RecipientAdded(Snowflake ChannelId, UserSummary User) : IChannelEvent<RecipientData>, IChangesChannelRecipients
{
    public static string Type => "RecipientAdded";

    public RecipientData Data => new(ChannelId, User);
}

public sealed record RecipientRemoved(Snowflake ChannelId, UserSummary User) : IChannelEvent<RecipientData>, IChangesChannelRecipients
{
    public static string Type => "RecipientRemoved";

    public RecipientData Data => new(ChannelId, User);
}

public sealed record RecipientData(Snowflake ChannelId, UserSummary User);

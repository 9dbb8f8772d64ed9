using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;

namespace KamaChat.Server.Features.DirectMessages;

// DM channels appear in and leave each participant's own stream; group DM membership changes go to the channel.

/// <summary>A DM or group DM you are in was opened, or you were added to a group DM.</summary>
public sealed record DmChannelCreated(long UserId, DmChannelResponse Data) : IUserEvent<DmChannelResponse>, IChangesMemberships
{
    public static string Type => "DmChannelCreated";
}

/// <summary>A group DM's participants or owner changed.</summary>
public sealed record DmChannelUpdated(long UserId, DmChannelResponse Data) : IUserEvent<DmChannelResponse>
{
    public static string Type => "DmChannelUpdated";
}

/// <summary>You left or were removed from a group DM.</summary>
public sealed record DmChannelRemoved(long UserId, long ChannelId) : IUserEvent<DmChannelRemovedData>, IChangesMemberships
{
    public static string Type => "DmChannelRemoved";

    public DmChannelRemovedData Data => new(Ids.Text(ChannelId));
}

public sealed record DmChannelRemovedData(string Id);

public sealed record RecipientAdded(long ChannelId, UserSummary User) : IChannelEvent<RecipientData>, IChangesChannelRecipients
{
    public static string Type => "RecipientAdded";

    public RecipientData Data => new(Ids.Text(ChannelId), User);
}

public sealed record RecipientRemoved(long ChannelId, UserSummary User) : IChannelEvent<RecipientData>, IChangesChannelRecipients
{
    public static string Type => "RecipientRemoved";

    public RecipientData Data => new(Ids.Text(ChannelId), User);
}

public sealed record RecipientData(string ChannelId, UserSummary User);

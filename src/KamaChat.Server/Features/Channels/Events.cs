using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Servers;

namespace KamaChat.Server.Features.Channels;

// A server's channel events. Each changes who may see what in the server, so the gateway re-syncs groups first. Created
// and Updated carry the channel's name and topic, so members who may not view it get them as ChannelDeleted instead
// (IAboutChannel); ChannelDeleted itself says nothing but the id, which every member may hear.

public sealed record ChannelCreated(Snowflake ServerId, ChannelResponse Data)
    : IServerEvent<ChannelResponse>, IChangesServerVisibility, IAboutChannel<ChannelResponse>
{
    public static string Type => "ChannelCreated";

    public static Snowflake AboutChannelId(ChannelResponse data) => data.Id;
}

/// <summary>Also sent when the channel's permission overwrites, position or category change.</summary>
public sealed record ChannelUpdated(Snowflake ServerId, ChannelResponse Data)
    : IServerEvent<ChannelResponse>, IChangesServerVisibility, IAboutChannel<ChannelResponse>
{
    public static string Type => "ChannelUpdated";

    public static Snowflake AboutChannelId(ChannelResponse data) => data.Id;
}

public sealed record ChannelDeleted(Snowflake ServerId, Snowflake ChannelId) : IServerEvent<ChannelDeletedData>, IChangesServerVisibility
{
    public static string Type => "ChannelDeleted";

    public ChannelDeletedData Data => new(ChannelId, ServerId);
}

public sealed record ChannelDeletedData(Snowflake Id, Snowflake ServerId);

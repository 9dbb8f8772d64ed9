using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Servers;

namespace KamaChat.Server.Features.Channels;

// A server's channel events. Each changes who may see what in the server, so the gateway re-syncs groups first.

public sealed record ChannelCreated(long ServerId, ChannelResponse Data) : IServerEvent<ChannelResponse>, IChangesServerVisibility
{
    public static string Type => "ChannelCreated";
}

/// <summary>Also sent when the channel's permission overwrites, position or category change.</summary>
public sealed record ChannelUpdated(long ServerId, ChannelResponse Data) : IServerEvent<ChannelResponse>, IChangesServerVisibility
{
    public static string Type => "ChannelUpdated";
}

public sealed record ChannelDeleted(long ServerId, long ChannelId) : IServerEvent<ChannelDeletedData>, IChangesServerVisibility
{
    public static string Type => "ChannelDeleted";

    public ChannelDeletedData Data => new(ChannelId.Text(), ServerId.Text());
}

public sealed record ChannelDeletedData(string Id, string ServerId);

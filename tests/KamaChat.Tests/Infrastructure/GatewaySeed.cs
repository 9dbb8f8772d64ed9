using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Servers;
using Microsoft.Extensions.DependencyInjection;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Infrastructure;

/// <summary>Puts a server, channels and members straight into the database, for gateway tests that need a setting, not the server API.</summary>
public static class GatewaySeed
{
    private static long _next = DateTime.UtcNow.Ticks;

    public static Snowflake NewId() => new(Interlocked.Increment(ref _next));

    public static async Task<(Snowflake ServerId, Snowflake ChannelId)> ServerWithChannelAsync(KamaChatApp app, Snowflake ownerId, params Snowflake[] memberIds)
    {
        var serverId = NewId();
        var channelId = NewId();
        await app.QueryAsync(async db =>
        {
            db.Servers.Add(new ChatServer { Id = serverId, Name = "Seeded", OwnerId = ownerId, CreatedAt = DateTimeOffset.UtcNow });
            db.Roles.Add(new Role { Id = serverId, ServerId = serverId, Name = Role.EveryoneName, Permissions = P.DefaultEveryone });
            foreach (var userId in memberIds.Prepend(ownerId).Distinct())
                db.Members.Add(new Member { ServerId = serverId, UserId = userId, JoinedAt = DateTimeOffset.UtcNow });
            db.Channels.Add(new Channel { Id = channelId, ServerId = serverId, Type = ChannelType.Text, Name = "general", CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });
        return (serverId, channelId);
    }

    /// <summary>Logs an event the way every feature does: through EventLog, committed, then published.</summary>
    public static async Task<EventLogEntry> AppendAsync<TEvent>(KamaChatApp app, TEvent @event)
        where TEvent : IEvent
    {
        await using var services = app.Services.CreateAsyncScope();
        var log = services.ServiceProvider.GetRequiredService<EventLog>();
        await using var change = await log.BeginAsync(CancellationToken.None);
        var entry = await change.AppendAsync(@event, CancellationToken.None);
        await change.CommitAsync(CancellationToken.None);
        return entry;
    }
}

/// <summary>A MessageCreated with made-up data, for tests of delivery and ordering that need no real message.</summary>
public sealed record SeededMessageCreated(Snowflake ChannelId, object Data) : IChannelEvent<object>
{
    public static string Type => MessageCreated.Type;
}

/// <summary>An event no feature sends: the gateway delivers it without side effects.</summary>
public sealed record TestEvent(Snowflake ChannelId, object Data) : IChannelEvent<object>
{
    public static string Type => "Test";
}

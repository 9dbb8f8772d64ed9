using KamaChat.Server.Data;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Servers;
using Microsoft.Extensions.DependencyInjection;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// Chat put straight into the app's database (servers, channels, members, roles, overwrites, messages), so a test of
/// one feature does not depend on the endpoints of another. Users are still made through the API (<see cref="TestUsers"/>).
/// </summary>
public static class ChatSeed
{
    /// <summary>A server owned by <paramref name="owner"/> with its @everyone role (id = server id) and the owner's membership.</summary>
    public static Task<Snowflake> SeedServerAsync(this KamaChatApp app, TestUser owner, Perms everyone = Perms.DefaultEveryone) => app.WriteAsync((db, ids) =>
    {
        var id = ids.NextId();
        db.Servers.Add(new ChatServer { Id = id, Name = "Test server", OwnerId = owner.Id, CreatedAt = DateTimeOffset.UtcNow });
        db.Roles.Add(new Role { Id = id, ServerId = id, Name = Role.EveryoneName, Permissions = everyone });
        db.Members.Add(new Member { ServerId = id, UserId = owner.Id, JoinedAt = DateTimeOffset.UtcNow });
        return id;
    });

    public static Task<Snowflake> SeedTextChannelAsync(this KamaChatApp app, Snowflake serverId, int slowModeSeconds = 0, string name = "general") => app.WriteAsync((db, ids) =>
    {
        var id = ids.NextId();
        db.Channels.Add(new Channel { Id = id, ServerId = serverId, Type = ChannelType.Text, Name = name, SlowModeSeconds = slowModeSeconds, CreatedAt = DateTimeOffset.UtcNow });
        return id;
    });

    public static Task SeedMemberAsync(this KamaChatApp app, Snowflake serverId, TestUser user) => app.WriteAsync((db, _) =>
    {
        db.Members.Add(new Member { ServerId = serverId, UserId = user.Id, JoinedAt = DateTimeOffset.UtcNow });
        return default;
    });

    /// <summary>A role with these permissions, given to <paramref name="members"/>.</summary>
    public static Task<Snowflake> SeedRoleAsync(this KamaChatApp app, Snowflake serverId, Perms permissions, params TestUser[] members) => app.WriteAsync((db, ids) =>
    {
        var id = ids.NextId();
        db.Roles.Add(new Role { Id = id, ServerId = serverId, Name = "role", Permissions = permissions, Position = 1 });
        foreach (var member in members)
            db.MemberRoles.Add(new MemberRole { ServerId = serverId, UserId = member.Id, RoleId = id });
        return id;
    });

    public static Task SeedOverwriteAsync(this KamaChatApp app, Snowflake channelId, OverwriteTarget target, Snowflake targetId, Perms allow, Perms deny) =>
        app.WriteAsync((db, _) =>
        {
            db.PermissionOverwrites.Add(new PermissionOverwrite { ChannelId = channelId, TargetType = target, TargetId = targetId, Allow = allow, Deny = deny });
            return default;
        });

    /// <summary>A server owned by a new user, with a text channel and the given members.</summary>
    public static async Task<(Snowflake ServerId, Snowflake ChannelId, TestUser Owner)> SeedServerWithChannelAsync(this KamaChatApp app, params TestUser[] members)
    {
        var owner = await app.UserAsync();
        var serverId = await app.SeedServerAsync(owner);
        var channelId = await app.SeedTextChannelAsync(serverId);
        foreach (var member in members)
            await app.SeedMemberAsync(serverId, member);
        return (serverId, channelId, owner);
    }

    /// <summary>Inserts <paramref name="count"/> messages directly (fast history); returns their ids, oldest first.</summary>
    public static async Task<List<Snowflake>> SeedMessagesAsync(this KamaChatApp app, Snowflake channelId, TestUser author, int count, Func<int, string>? content = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var ids = scope.ServiceProvider.GetRequiredService<SnowflakeGenerator>();
        var created = Enumerable.Range(0, count).Select(i => new Message
        {
            Id = ids.NextId(), ChannelId = channelId, AuthorId = author.Id, Content = content?.Invoke(i) ?? $"message {i}", CreatedAt = DateTimeOffset.UtcNow,
        }).ToList();
        db.Messages.AddRange(created);
        await db.SaveChangesAsync();
        return created.Select(m => m.Id).ToList();
    }

    private static async Task<Snowflake> WriteAsync(this KamaChatApp app, Func<KamaDbContext, SnowflakeGenerator, Snowflake> write)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var id = write(db, scope.ServiceProvider.GetRequiredService<SnowflakeGenerator>());
        await db.SaveChangesAsync();
        // Seeds skip the endpoints and so the events that would drop what the app cached about this chat: drop it all.
        app.DropCache();
        return id;
    }
}

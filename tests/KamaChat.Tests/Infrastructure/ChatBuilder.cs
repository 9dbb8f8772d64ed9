using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Servers;
using KamaChat.Server.Infrastructure.Ids;
using Microsoft.Extensions.DependencyInjection;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Infrastructure;

/// <summary>A signed-up user as the tests use them: id, tokens and a client that sends their access token.</summary>
public sealed record TestUser(long Id, string Username, AuthTokens Tokens, HttpClient Client);

/// <summary>
/// Inserts servers, channels, members, roles and overwrites straight through the app's DbContext, so message tests
/// do not depend on the server and channel endpoints. Users are created through the real API.
/// </summary>
public sealed class ChatBuilder(KamaChatApp app)
{
    public async Task<TestUser> UserAsync(string? username = null)
    {
        var tokens = await app.CreateClient().RegisterAsync(username);
        return new TestUser(long.Parse(tokens.User.Id, System.Globalization.CultureInfo.InvariantCulture), tokens.User.Username, tokens, app.CreateClient(tokens.AccessToken));
    }

    /// <summary>A server owned by <paramref name="owner"/> with its @everyone role (id = server id) and the owner's membership.</summary>
    public Task<long> ServerAsync(TestUser owner, Perms everyone = Perms.DefaultEveryone) => WriteAsync((db, ids) =>
    {
        var id = ids.NextId();
        db.Servers.Add(new ChatServer { Id = id, Name = "Test server", OwnerId = owner.Id, CreatedAt = DateTimeOffset.UtcNow });
        db.Roles.Add(new Role { Id = id, ServerId = id, Name = Role.EveryoneName, Permissions = everyone });
        db.Members.Add(new Member { ServerId = id, UserId = owner.Id, JoinedAt = DateTimeOffset.UtcNow });
        return id;
    });

    public Task<long> TextChannelAsync(long serverId, int slowModeSeconds = 0, string name = "general") => WriteAsync((db, ids) =>
    {
        var id = ids.NextId();
        db.Channels.Add(new Channel { Id = id, ServerId = serverId, Type = ChannelType.Text, Name = name, SlowModeSeconds = slowModeSeconds, CreatedAt = DateTimeOffset.UtcNow });
        return id;
    });

    public Task MemberAsync(long serverId, TestUser user) => WriteAsync((db, _) =>
    {
        db.Members.Add(new Member { ServerId = serverId, UserId = user.Id, JoinedAt = DateTimeOffset.UtcNow });
        return 0L;
    });

    /// <summary>A role with these permissions, given to <paramref name="members"/>.</summary>
    public Task<long> RoleAsync(long serverId, Perms permissions, params TestUser[] members) => WriteAsync((db, ids) =>
    {
        var id = ids.NextId();
        db.Roles.Add(new Role { Id = id, ServerId = serverId, Name = "role", Permissions = permissions, Position = 1 });
        foreach (var member in members)
            db.MemberRoles.Add(new MemberRole { ServerId = serverId, UserId = member.Id, RoleId = id });
        return id;
    });

    public Task OverwriteAsync(long channelId, OverwriteTarget target, long targetId, Perms allow, Perms deny) => WriteAsync((db, _) =>
    {
        db.PermissionOverwrites.Add(new PermissionOverwrite { ChannelId = channelId, TargetType = target, TargetId = targetId, Allow = allow, Deny = deny });
        return 0L;
    });

    /// <summary>A server owned by a new user, with a text channel and the given members.</summary>
    public async Task<(long ServerId, long ChannelId, TestUser Owner)> ServerWithChannelAsync(params TestUser[] members)
    {
        var owner = await UserAsync();
        var serverId = await ServerAsync(owner);
        var channelId = await TextChannelAsync(serverId);
        foreach (var member in members)
            await MemberAsync(serverId, member);
        return (serverId, channelId, owner);
    }

    /// <summary>Inserts <paramref name="count"/> messages directly (fast history); returns their ids, oldest first.</summary>
    public async Task<List<long>> MessagesAsync(long channelId, TestUser author, int count)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var ids = scope.ServiceProvider.GetRequiredService<SnowflakeGenerator>();
        var created = Enumerable.Range(0, count).Select(i => new Message
        {
            Id = ids.NextId(), ChannelId = channelId, AuthorId = author.Id, Content = $"message {i}", CreatedAt = DateTimeOffset.UtcNow,
        }).ToList();
        db.Messages.AddRange(created);
        await db.SaveChangesAsync();
        return created.Select(m => m.Id).ToList();
    }

    private async Task<long> WriteAsync(Func<KamaDbContext, SnowflakeGenerator, long> write)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var id = write(db, scope.ServiceProvider.GetRequiredService<SnowflakeGenerator>());
        await db.SaveChangesAsync();
        return id;
    }
}

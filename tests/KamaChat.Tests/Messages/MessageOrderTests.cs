using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Servers;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Messages;

/// <summary>
/// Message ids in a channel increase in commit order, so "history after X" is gap-free: a client that pages with
/// after=&lt;the newest id it has&gt; gets every message committed later, however many people send at once.
/// </summary>
public abstract class MessageOrderTests(KamaChatApp app)
{
    private const int Senders = 20;
    private const int MessagesEach = 12;

    [Fact]
    public async Task With_twenty_concurrent_senders_ids_follow_commit_order_and_after_paging_from_any_point_misses_nothing()
    {
        var senders = new List<TestUser>();
        for (var i = 0; i < Senders; i++)
            senders.Add(await app.UserAsync());
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync([.. senders]);

        // A client catching up with after=<newest id it has>, page after page, while everyone sends.
        var sending = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var paged = new List<Snowflake>();
        var pager = Task.Run(async () =>
        {
            Snowflake cursor = default;
            while (true)
            {
                var finished = sending.Task.IsCompleted;
                var page = await PageAsync(owner, channelId, cursor);
                paged.AddRange(page);
                if (page.Count > 0)
                    cursor = page.Max();
                else if (finished)
                    return; // everything was committed before this empty page was read
            }
        });
        await Task.WhenAll(senders.Select(async (sender, s) =>
        {
            for (var m = 0; m < MessagesEach; m++)
                await sender.Client.SendOkAsync(channelId, $"{s}-{m}");
        }));
        sending.SetResult();
        await pager;

        // The channel sequence is taken under the channel's lock, in commit order: ids must sort the same way.
        var committed = await app.QueryAsync(db => db.Messages.Where(m => m.ChannelId == channelId)
            .OrderBy(m => m.Sequence).Select(m => m.Id).ToListAsync());
        Assert.Equal(Senders * MessagesEach, committed.Count);
        Assert.Equal(committed.Order(), committed);
        Assert.Equal(committed, paged);

        // From any point, paging forward returns exactly what came after it.
        foreach (var start in new[] { 0, 1, 57, committed.Count / 2, committed.Count - 2, committed.Count - 1 })
        {
            var after = new List<Snowflake>();
            for (var cursor = committed[start]; await PageAsync(owner, channelId, cursor) is { Count: > 0 } page; cursor = page.Max())
                after.AddRange(page);
            Assert.Equal(committed.Skip(start + 1), after);
        }
    }

    /// <summary>One page of history after the cursor, oldest first.</summary>
    internal static async Task<List<Snowflake>> PageAsync(TestUser reader, Snowflake channelId, Snowflake after) =>
        (await (await reader.Client.GetAsync($"/api/v1/channels/{channelId}/messages?after={after}&limit=100")).ReadAsync<List<MessageResponse>>())
            .Select(m => m.Id).Reverse().ToList();
}

[Trait("Provider", "sqlite")]
public sealed class SqliteMessageOrderTests(SqliteApp app) : MessageOrderTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresMessageOrderTests(PostgresApp app) : MessageOrderTests(app), IClassFixture<PostgresApp>;

/// <summary>Two nodes on one PostgreSQL database whose clocks disagree: the second runs five seconds ahead.</summary>
public sealed class SkewedNodes : IAsyncLifetime
{
    public ScaledNode Behind { get; private set; } = null!;

    public ScaledNode Ahead { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        Behind = new ScaledNode(database, redisUrl: null, nodeId: 31);
        await Behind.InitializeAsync();
        Ahead = new ScaledNode(database, redisUrl: null, nodeId: 30, clockSkew: TimeSpan.FromSeconds(5));
        await Ahead.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Behind.DisposeAsync();
        await Ahead.DisposeAsync();
    }
}

[Trait("Provider", "postgres")]
public sealed class SkewedClockTests(SkewedNodes nodes) : IClassFixture<SkewedNodes>
{
    [Fact]
    public async Task Through_nodes_whose_clocks_disagree_ids_still_follow_commit_order()
    {
        var tokens = await nodes.Behind.CreateClient().RegisterAsync();
        var userId = tokens.User.Id;
        var channelId = await SeedChannelAsync(userId);
        var user = new TestUser(userId, tokens.User.Username, tokens, nodes.Behind.CreateClient(tokens.AccessToken));
        var ahead = user with { Client = nodes.Ahead.CreateClient(tokens.AccessToken) };

        // One after the other, alternating: each is committed before the next is sent.
        var sent = new List<Snowflake>();
        for (var i = 0; i < 16; i++)
            sent.Add((await (i % 2 == 0 ? ahead : user).Client.SendOkAsync(channelId, $"message {i}")).Id);

        Assert.Equal(sent.Order(), sent);
        Assert.Equal(sent.Skip(1), await MessageOrderTests.PageAsync(user, channelId, sent[0]));
    }

    private async Task<Snowflake> SeedChannelAsync(Snowflake ownerId)
    {
        var (serverId, channelId) = (GatewaySeed.NewId(), GatewaySeed.NewId());
        await nodes.Behind.QueryAsync(async db =>
        {
            db.Servers.Add(new ChatServer { Id = serverId, Name = "Skewed", OwnerId = ownerId, CreatedAt = DateTimeOffset.UtcNow });
            db.Roles.Add(new Role { Id = serverId, ServerId = serverId, Name = Role.EveryoneName, Permissions = P.DefaultEveryone });
            db.Members.Add(new Member { ServerId = serverId, UserId = ownerId, JoinedAt = DateTimeOffset.UtcNow });
            db.Channels.Add(new Channel { Id = channelId, ServerId = serverId, Type = ChannelType.Text, Name = "general", CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });
        return channelId;
    }
}

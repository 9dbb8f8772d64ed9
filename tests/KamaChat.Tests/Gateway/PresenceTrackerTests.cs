using KamaChat.Server.Features.Gateway;
using KamaChat.Tests.Infrastructure;
using StackExchange.Redis;

namespace KamaChat.Tests.Gateway;

/// <summary>Presence across nodes, on a real Redis: the two nodes here are two trackers sharing it, as two processes would.</summary>
public sealed class PresenceTrackerTests : IAsyncLifetime
{
    private ConnectionMultiplexer _redis = null!;

    public async Task InitializeAsync() =>
        _redis = await ConnectionMultiplexer.ConnectAsync(RedisConfiguration.Parse(await RedisServer.UrlAsync()));

    public async Task DisposeAsync() => await _redis.DisposeAsync();

    [Fact]
    public async Task A_user_whose_first_connections_reach_two_nodes_at_once_is_announced_online_exactly_once()
    {
        var (first, second) = (Node("a"), Node("b"));
        var users = Enumerable.Range(0, 200).Select(_ => GatewaySeed.NewId()).ToList();

        // Started together, without waiting for either: each node's Redis work interleaves with the other's.
        var announced = await Task.WhenAll(users.Select(async user =>
        {
            var statuses = await Task.WhenAll(first.ConnectedAsync(user), second.ConnectedAsync(user));
            return statuses.Count(s => s is not null);
        }));

        Assert.All(announced, count => Assert.Equal(1, count));
    }

    [Fact]
    public async Task A_user_whose_last_connections_close_on_two_nodes_at_once_is_announced_offline_exactly_once()
    {
        var (first, second) = (Node("a"), Node("b"));
        var users = Enumerable.Range(0, 50).Select(_ => GatewaySeed.NewId()).ToList();
        foreach (var user in users)
        {
            await first.ConnectedAsync(user);
            await second.ConnectedAsync(user);
        }
        var offline = users.ToDictionary(user => user, _ => 0);
        var everyone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        Task WentOffline(Snowflake user, string status)
        {
            Assert.Equal(PresenceStatus.Offline, status);
            lock (offline)
            {
                offline[user]++;
                if (offline.Values.All(n => n > 0))
                    everyone.TrySetResult();
            }
            return Task.CompletedTask;
        }

        foreach (var user in users)
        {
            first.Disconnected(user, wasActive: true, status => WentOffline(user, status));
            second.Disconnected(user, wasActive: true, status => WentOffline(user, status));
        }

        await everyone.Task.WaitAsync(PresenceTracker.OfflineGrace + GatewayClient.Patience);
        // Both nodes' grace periods for a user end together, so a second announcement would come right after the first.
        await Task.Delay(TimeSpan.FromSeconds(1));
        lock (offline)
            Assert.All(offline, pair => Assert.Equal(1, pair.Value));
    }

    [Fact]
    public async Task A_user_on_two_nodes_turns_idle_only_once_every_device_is_away_and_online_when_one_comes_back()
    {
        var (first, second) = (Node("a"), Node("b"));
        var user = GatewaySeed.NewId();
        await first.ConnectedAsync(user);
        await second.ConnectedAsync(user);

        Assert.Null(await first.SetAwayAsync(user, away: true));
        Assert.Equal(PresenceStatus.Online, (await first.StatusesAsync([user]))[user]);

        Assert.Equal(PresenceStatus.Idle, await second.SetAwayAsync(user, away: true));
        Assert.Equal(PresenceStatus.Idle, (await first.StatusesAsync([user]))[user]);

        Assert.Equal(PresenceStatus.Online, await first.SetAwayAsync(user, away: false));
        Assert.Equal(PresenceStatus.Online, (await second.StatusesAsync([user]))[user]);
    }

    [Fact]
    public async Task Closing_the_last_active_device_leaves_a_user_whose_other_devices_are_away_idle()
    {
        var (first, second) = (Node("a"), Node("b"));
        var user = GatewaySeed.NewId();
        await first.ConnectedAsync(user);
        await first.ConnectedAsync(user);
        await second.ConnectedAsync(user);
        await second.SetAwayAsync(user, away: true);
        await first.SetAwayAsync(user, away: true);
        var onThisNode = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        var onTheOtherNode = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        // The first node still has an away connection: idle at once.
        first.Disconnected(user, wasActive: true, status => Task.FromResult(onThisNode.TrySetResult(status)));
        Assert.Equal(PresenceStatus.Idle, await onThisNode.Task.WaitAsync(GatewayClient.Patience));

        // Its last connection (away) closes; the user is still on the second node, away: idle, never offline.
        first.Disconnected(user, wasActive: false, status => Task.FromResult(onTheOtherNode.TrySetResult(status)));
        await Task.Delay(PresenceTracker.OfflineGrace + TimeSpan.FromSeconds(1));
        Assert.False(onTheOtherNode.Task.IsCompleted);
        Assert.Equal(PresenceStatus.Idle, (await second.StatusesAsync([user]))[user]);
    }

    [Fact]
    public async Task A_user_whose_active_device_closes_on_one_node_while_another_node_holds_an_away_one_is_announced_idle()
    {
        var (first, second) = (Node("a"), Node("b"));
        var user = GatewaySeed.NewId();
        await first.ConnectedAsync(user);
        await second.ConnectedAsync(user);
        await second.SetAwayAsync(user, away: true);
        var announced = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);

        first.Disconnected(user, wasActive: true, status => Task.FromResult(announced.TrySetResult(status)));

        Assert.Equal(PresenceStatus.Idle, await announced.Task.WaitAsync(PresenceTracker.OfflineGrace + GatewayClient.Patience));
        Assert.Equal(PresenceStatus.Idle, (await second.StatusesAsync([user]))[user]);
    }

    [Fact]
    public async Task A_chosen_status_is_not_turned_idle_by_being_away()
    {
        var node = Node("a");
        var user = GatewaySeed.NewId();
        await node.ConnectedAsync(user);
        await node.SetAsync(user, PresenceStatus.DoNotDisturb);

        Assert.Null(await node.SetAwayAsync(user, away: true));
        Assert.Equal(PresenceStatus.DoNotDisturb, (await node.StatusesAsync([user]))[user]);
    }

    private PresenceTracker Node(string name) => new(TimeProvider.System, $"{name}:{Guid.NewGuid():N}", _redis.GetDatabase());
}

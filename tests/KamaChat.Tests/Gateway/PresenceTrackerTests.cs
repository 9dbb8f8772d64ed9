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

        Task WentOffline(Snowflake user)
        {
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
            first.Disconnected(user, () => WentOffline(user));
            second.Disconnected(user, () => WentOffline(user));
        }

        await everyone.Task.WaitAsync(PresenceTracker.OfflineGrace + GatewayClient.Patience);
        // Both nodes' grace periods for a user end together, so a second announcement would come right after the first.
        await Task.Delay(TimeSpan.FromSeconds(1));
        lock (offline)
            Assert.All(offline, pair => Assert.Equal(1, pair.Value));
    }

    private PresenceTracker Node(string name) => new(TimeProvider.System, $"{name}:{Guid.NewGuid():N}", _redis.GetDatabase());
}

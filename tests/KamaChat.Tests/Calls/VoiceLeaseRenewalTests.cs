using System.Diagnostics;
using KamaChat.Server.Features.Calls;
using KamaChat.Server.Infrastructure.Janus;
using KamaChat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Calls;

/// <summary>
/// One node with Redis (so calls hold leases there, and a Ready shows only calls whose lease is current): ending a call
/// waits on Janus (its participant leaves, or is kicked), and while Janus does not answer the node must go on renewing
/// its other calls' leases. It used to wait for that ending before renewing, so a slow Janus let the lease of a call
/// whose client heartbeats lapse, and that call vanished from every Ready without anyone being told (#12). Run alone
/// (RunAlone): it freezes the lab's Janus, which the other voice tests share, and it measures a lease.
/// </summary>
public abstract class VoiceLeaseRenewalTests(RedisVoiceNode node)
{
    public const int LeaseSeconds = 2;

    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(LeaseSeconds);

    [Fact]
    public async Task A_heartbeating_call_keeps_its_lease_while_janus_holds_up_the_end_of_another()
    {
        var app = node.App;
        await using var scene = await LeaseScene.StartAsync(app);
        var (alice, bob, voiceId, silent, watcher) = (scene.Alice, scene.Bob, scene.VoiceId, scene.Silent, scene.Watcher);
        var since = Stopwatch.StartNew();

        // Shortly before Alice's silent call runs out, Janus stops answering (right after a request of this node's, so
        // its session outlives the freeze): ending her call then waits on Janus.
        var rooms = app.Services.GetRequiredService<VideoRooms>();
        if (Lease * 0.75 - since.Elapsed is { Ticks: > 0 } early)
            await Task.Delay(early);
        Assert.Equal(2, (await rooms.ListParticipantsAsync(voiceId.Value, CancellationToken.None)).Count);
        await using (await VoiceLab.FreezeJanusAsync())
        {
            // Her client is told before Janus is asked to take her participant out.
            Assert.Equal(VoiceEnded.Expired, (await silent.WaitForAsync(silent.VoiceEnded, _ => true, Lease * 2)).Reason);
            // A lease later Bob's lease would have lapsed unless renewed meanwhile: a newcomer still sees him in.
            await Task.Delay(Lease + Lease / 6);
            await using var late = await GatewayClient.ConnectAsync(app, scene.Carol.AccessToken);
            Assert.Equal([bob.User.Id], (await late.ReadyAsync()).VoiceStates.Select(s => s.UserId));
        }

        // Everyone is told once that Alice left (before her client was, so not waiting on Janus); once Janus answers,
        // her participant leaves; Bob stays.
        await watcher.WaitForVoiceAsync(s => s.UserId == alice.User.Id && s.ChannelId is null, Lease * 10);
        // Janus drops a detached participant after answering the detach (JanusParticipants): awaited, not read once.
        await JanusParticipants.BecomeAsync(async () => (await rooms.ListParticipantsAsync(voiceId.Value, CancellationToken.None)).Select(p => p.Display),
            bob.User.Id.ToString());
        await GatewayClient.SettleAsync();
        Assert.Single(watcher.Voice, s => s.UserId == alice.User.Id && s.ChannelId is null);
        Assert.DoesNotContain(watcher.Voice, s => s.UserId == bob.User.Id && s.ChannelId is null);
    }
}

/// <summary>A voice app whose calls are kept in Redis (as on a node of several), on either database.</summary>
public sealed class RedisVoiceApp(string provider, string redisUrl) : VoiceApp(VoiceLeaseRenewalTests.LeaseSeconds)
{
    public override string ProviderName => provider;

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => [new("REDIS_URL", redisUrl)];

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) =>
        provider == "sqlite" ? Task.FromResult(SqliteUrl(dataDirectory)) : PostgresServer.CreateDatabaseAsync();
}

/// <summary>A <see cref="RedisVoiceApp"/> with a Redis of its own.</summary>
public abstract class RedisVoiceNode(string provider) : IAsyncLifetime
{
    private ServiceProcess _redis = null!;

    public RedisVoiceApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        (_redis, var redisUrl) = await RedisServer.StartOwnAsync();
        App = new RedisVoiceApp(provider, redisUrl);
        await App.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await _redis.DisposeAsync();
    }
}

public sealed class SqliteRedisVoiceNode() : RedisVoiceNode("sqlite");

public sealed class PostgresRedisVoiceNode() : RedisVoiceNode("postgres");

[Collection(RunAlone.Name)]
public sealed class SqliteVoiceLeaseRenewalTests(SqliteRedisVoiceNode node) : VoiceLeaseRenewalTests(node), IClassFixture<SqliteRedisVoiceNode>;

[Collection(RunAlone.Name)]
public sealed class PostgresVoiceLeaseRenewalTests(PostgresRedisVoiceNode node) : VoiceLeaseRenewalTests(node), IClassFixture<PostgresRedisVoiceNode>;

using System.Diagnostics;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Calls;
using KamaChat.Server.Infrastructure.Janus;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Calls;

/// <summary>
/// One node, no Redis: a call whose client stops saying it is alive (a frozen tab, a network gone without a close,
/// so the socket stays open) ends within the lease — its Janus participant leaves and everyone is told — while a call
/// whose client heartbeats stays. Run alone (RunAlone): a 3 s lease is time measured, and next to dozens of test classes
/// starting at once on two cores the heartbeating client's calls could wait longer than that for a thread.
/// </summary>
public abstract class VoiceLeaseTests(VoiceApp app)
{
    public const int LeaseSeconds = 3;

    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(LeaseSeconds);

    [Fact]
    public async Task A_call_whose_client_goes_silent_ends_within_the_lease_and_one_that_heartbeats_stays()
    {
        await using var scene = await LeaseScene.StartAsync(app);
        var (alice, bob, voiceId, silent, alive, watcher) = (scene.Alice, scene.Bob, scene.VoiceId, scene.Silent, scene.Alive, scene.Watcher);
        Assert.Equal((int)(Lease / 3).TotalMilliseconds, scene.HeartbeatMilliseconds);
        var since = Stopwatch.StartNew();
        await watcher.WaitForVoiceAsync(s => s.UserId == alice.User.Id && s.ChannelId == voiceId);

        // Alice's client sends nothing more, yet her socket stays open: the lease ends her call, and only hers.
        await watcher.WaitForVoiceAsync(s => s.UserId == alice.User.Id && s.ChannelId is null, Lease * 3);
        var took = since.Elapsed;
        Assert.InRange(took, Lease / 2, Lease + TimeSpan.FromSeconds(2));
        var ended = await silent.WaitForAsync(silent.VoiceEnded, _ => true);
        Assert.Equal(VoiceEnded.Expired, ended.Reason);
        Assert.Equal(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected, silent.Connection.State);
        // Her publisher's handle was detached before the others were told; Janus drops the participant afterwards.
        var rooms = app.Services.GetRequiredService<VideoRooms>();
        await JanusParticipants.BecomeAsync(
            async () => (await rooms.ListParticipantsAsync(voiceId.Value, CancellationToken.None)).Select(p => p.Display), bob.User.Id.ToString());

        // Bob heartbeats: a whole lease later he is still in, for newcomers too.
        await Task.Delay(Lease);
        Assert.DoesNotContain(watcher.Voice, s => s.UserId == bob.User.Id && s.ChannelId is null);
        await using var late = await GatewayClient.ConnectAsync(app, scene.Carol.AccessToken);
        Assert.Equal([bob.User.Id], (await late.ReadyAsync()).VoiceStates.Select(s => s.UserId));
    }
}

/// <summary>
/// Alice, Bob and Carol in a server with a voice channel, each connected: Bob in the call, heartbeating, then Alice in
/// it, whose client says nothing more from then on; Carol watches.
/// </summary>
public sealed record LeaseScene(
    AuthTokens Alice, AuthTokens Bob, AuthTokens Carol, Snowflake VoiceId, GatewayClient Silent, GatewayClient Alive, GatewayClient Watcher,
    int HeartbeatMilliseconds) : IAsyncDisposable
{
    public static async Task<LeaseScene> StartAsync(VoiceApp app)
    {
        var alice = await app.CreateClient().RegisterAsync();
        var bob = await app.CreateClient().RegisterAsync();
        var carol = await app.CreateClient().RegisterAsync();
        var (_, textId) = await GatewaySeed.ServerWithChannelAsync(app, alice.User.Id, bob.User.Id, carol.User.Id);
        var voiceId = await app.VoiceChannelAsync(textId);
        var silent = await GatewayClient.ConnectAsync(app, alice.AccessToken);
        var alive = await GatewayClient.ConnectAsync(app, bob.AccessToken);
        var watcher = await GatewayClient.ConnectAsync(app, carol.AccessToken);
        await watcher.ReadyAsync();
        var joined = await alive.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        alive.KeepVoiceAlive(TimeSpan.FromMilliseconds(joined.HeartbeatMilliseconds));
        await silent.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        return new LeaseScene(alice, bob, carol, voiceId, silent, alive, watcher, joined.HeartbeatMilliseconds);
    }

    public async ValueTask DisposeAsync()
    {
        await Silent.DisposeAsync();
        await Alive.DisposeAsync();
        await Watcher.DisposeAsync();
    }
}

public sealed class SqliteShortLeaseVoiceApp() : VoiceApp(VoiceLeaseTests.LeaseSeconds)
{
    public override string ProviderName => "sqlite";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
}

public sealed class PostgresShortLeaseVoiceApp() : VoiceApp(VoiceLeaseTests.LeaseSeconds)
{
    public override string ProviderName => "postgres";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => PostgresServer.CreateDatabaseAsync();
}

[Collection(RunAlone.Name)]
public sealed class SqliteVoiceLeaseTests(SqliteShortLeaseVoiceApp app) : VoiceLeaseTests(app), IClassFixture<SqliteShortLeaseVoiceApp>;

[Collection(RunAlone.Name)]
public sealed class PostgresVoiceLeaseTests(PostgresShortLeaseVoiceApp app) : VoiceLeaseTests(app), IClassFixture<PostgresShortLeaseVoiceApp>;

using System.Diagnostics;
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

    [Fact(Skip = "Known bug, tracked in #12: a heartbeating call sometimes disappears from the shared voice states (2 of 4 full runs on 2026-12-01); the cause is not found yet")]
    public async Task A_call_whose_client_goes_silent_ends_within_the_lease_and_one_that_heartbeats_stays()
    {
        var alice = await app.CreateClient().RegisterAsync();
        var bob = await app.CreateClient().RegisterAsync();
        var carol = await app.CreateClient().RegisterAsync();
        var (_, textId) = await GatewaySeed.ServerWithChannelAsync(app, alice.User.Id, bob.User.Id, carol.User.Id);
        var voiceId = await app.VoiceChannelAsync(textId);
        await using var silent = await GatewayClient.ConnectAsync(app, alice.AccessToken);
        await using var alive = await GatewayClient.ConnectAsync(app, bob.AccessToken);
        await using var watcher = await GatewayClient.ConnectAsync(app, carol.AccessToken);
        await watcher.ReadyAsync();

        var joined = await alive.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        Assert.Equal((int)(Lease / 3).TotalMilliseconds, joined.HeartbeatMilliseconds);
        alive.KeepVoiceAlive(TimeSpan.FromMilliseconds(joined.HeartbeatMilliseconds));
        await silent.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        var since = Stopwatch.StartNew();
        await watcher.WaitForVoiceAsync(s => s.UserId == alice.User.Id && s.ChannelId == voiceId);

        // Alice's client sends nothing more, yet her socket stays open: the lease ends her call, and only hers.
        await watcher.WaitForVoiceAsync(s => s.UserId == alice.User.Id && s.ChannelId is null, Lease * 3);
        var took = since.Elapsed;
        Assert.InRange(took, Lease / 2, Lease + TimeSpan.FromSeconds(2));
        var ended = await silent.WaitForAsync(silent.VoiceEnded, _ => true);
        Assert.Equal(VoiceEnded.Expired, ended.Reason);
        Assert.Equal(Microsoft.AspNetCore.SignalR.Client.HubConnectionState.Connected, silent.Connection.State);
        var participants = await app.Services.GetRequiredService<VideoRooms>().ListParticipantsAsync(voiceId.Value, CancellationToken.None);
        Assert.Equal([bob.User.Id.ToString()], participants.Select(p => p.Display));

        // Bob heartbeats: a whole lease later he is still in, for newcomers too.
        await Task.Delay(Lease);
        Assert.DoesNotContain(watcher.Voice, s => s.UserId == bob.User.Id && s.ChannelId is null);
        await using var late = await GatewayClient.ConnectAsync(app, carol.AccessToken);
        Assert.Equal([bob.User.Id], (await late.ReadyAsync()).VoiceStates.Select(s => s.UserId));
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

using System.Diagnostics;
using System.Globalization;
using KamaChat.Server.Features.Calls;
using KamaChat.Server.Infrastructure.Janus;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Calls;

/// <summary>One node of a scaled-out install with voice: PostgreSQL and Redis shared with the others, the voice lab's Janus.</summary>
public sealed class VoiceNode(string databaseUrl, string redisUrl, int nodeId, int leaseSeconds) : VoiceApp(leaseSeconds)
{
    public override string ProviderName => "postgres";

    protected override int NodeId => nodeId;

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => [new("REDIS_URL", redisUrl)];

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(databaseUrl);

    public Task<IReadOnlyList<VideoRoomParticipant>> ParticipantsAsync(Snowflake channelId) =>
        Services.GetRequiredService<VideoRooms>().ListParticipantsAsync(channelId.Value, CancellationToken.None);

    public async Task<IEnumerable<string?>> DisplaysAsync(Snowflake channelId) => (await ParticipantsAsync(channelId)).Select(p => p.Display);
}

/// <summary>Two in-memory voice nodes on one PostgreSQL database and a Redis of their own.</summary>
public sealed class VoiceNodePair : IAsyncLifetime
{
    public const int LeaseSeconds = 3;

    private ServiceProcess _redis = null!;

    public VoiceNode First { get; private set; } = null!;

    public VoiceNode Second { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        (_redis, var redisUrl) = await RedisServer.StartOwnAsync();
        First = new VoiceNode(database, redisUrl, 21, LeaseSeconds);
        await First.InitializeAsync();
        Second = new VoiceNode(database, redisUrl, 22, LeaseSeconds);
        await Second.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await First.DisposeAsync();
        await Second.DisposeAsync();
        await _redis.DisposeAsync();
    }
}

/// <summary>
/// Voice state across two nodes sharing Redis (and Janus): who is in which channel and how reaches everyone whichever
/// node they are on, in Ready and live; the user limit and "one call per user" count every node; a moderator on one
/// node mutes, moves and disconnects someone whose call another node holds.
/// </summary>
public sealed class VoiceScaleOutTests(VoiceNodePair nodes) : IClassFixture<VoiceNodePair>
{
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(VoiceNodePair.LeaseSeconds) / 3;

    [Fact]
    public async Task Voice_states_limits_and_moderation_hold_across_nodes()
    {
        var (first, second) = (nodes.First, nodes.Second);
        var alice = await first.CreateClient().RegisterAsync();
        var bob = await first.CreateClient().RegisterAsync();
        var carol = await first.CreateClient().RegisterAsync();
        var (_, textId) = await GatewaySeed.ServerWithChannelAsync(first, alice.User.Id, bob.User.Id, carol.User.Id);
        var loungeId = await first.VoiceChannelAsync(textId, userLimit: 2);
        var stageId = await first.VoiceChannelAsync(textId);
        await using var aliceOnFirst = await GatewayClient.ConnectAsync(first, alice.AccessToken);
        await using var aliceOnSecond = await GatewayClient.ConnectAsync(second, alice.AccessToken);
        await using var bobOnSecond = await GatewayClient.ConnectAsync(second, bob.AccessToken);
        await using var carolOnSecond = await GatewayClient.ConnectAsync(second, carol.AccessToken);
        foreach (var client in new[] { aliceOnFirst, aliceOnSecond, bobOnSecond, carolOnSecond })
            await client.ReadyAsync();

        // Live, both ways.
        await JoinAsync(aliceOnFirst, loungeId);
        await bobOnSecond.WaitForVoiceAsync(s => s.UserId == alice.User.Id && s.ChannelId == loungeId);
        var joined = await JoinAsync(bobOnSecond, loungeId);
        Assert.Equal([alice.User.Id, bob.User.Id], joined.States.Select(s => s.UserId).Order());
        await aliceOnFirst.WaitForVoiceAsync(s => s.UserId == bob.User.Id && s.ChannelId == loungeId);

        // The user limit counts both nodes' calls.
        var full = await Assert.ThrowsAsync<HubException>(() => carolOnSecond.Connection.InvokeAsync<VoiceJoined>("JoinVoice", loungeId.ToString()));
        Assert.Contains("channel_full", full.Message, StringComparison.Ordinal);

        // Ready on either node shows both calls.
        foreach (var node in new[] { first, second })
        {
            await using var late = await GatewayClient.ConnectAsync(node, carol.AccessToken);
            Assert.Equal([alice.User.Id, bob.User.Id], (await late.ReadyAsync()).VoiceStates.Where(s => s.ChannelId == loungeId).Select(s => s.UserId).Order());
        }

        // A moderator on the first node server-mutes Bob, whose call the second node holds: everyone sees it.
        await aliceOnFirst.Connection.InvokeAsync("ModerateVoice", bob.User.Id.ToString(), new VoiceModerationRequest(true, null));
        await aliceOnFirst.WaitForVoiceAsync(s => s.UserId == bob.User.Id && s.ChannelId == loungeId && s.Mute);
        await carolOnSecond.WaitForVoiceAsync(s => s.UserId == bob.User.Id && s.ChannelId == loungeId && s.Mute);

        // One call per user: Bob joins from a connection on the first node; his call on the second ends there.
        await using var bobOnFirst = await GatewayClient.ConnectAsync(first, bob.AccessToken);
        await bobOnFirst.ReadyAsync();
        await JoinAsync(bobOnFirst, stageId);
        Assert.Equal(VoiceEnded.AnotherDevice, (await bobOnSecond.WaitForAsync(bobOnSecond.VoiceEnded, _ => true)).Reason);
        await carolOnSecond.WaitForVoiceAsync(s => s.UserId == bob.User.Id && s.ChannelId == stageId && s.Mute);
        var bobs = carolOnSecond.Voice.Where(s => s.UserId == bob.User.Id).Select(s => s.ChannelId).ToList();
        // Told that he left the lounge before that he joined the stage, so clients end with the right one.
        Assert.InRange(bobs.IndexOf(null), 0, bobs.IndexOf(stageId) - 1);
        await JanusParticipants.UntilAsync(() => first.DisplaysAsync(loungeId), now => !now.Contains(bob.User.Id.ToString()), $"no {bob.User.Id}");

        // From the second node, Alice moves Bob (held on the first) to the lounge, then disconnects him.
        await aliceOnSecond.Connection.InvokeAsync("MoveVoice", bob.User.Id.ToString(), loungeId.ToString());
        var moved = await bobOnFirst.WaitForAsync(bobOnFirst.VoiceEnded, e => e.Reason == VoiceEnded.Moved);
        Assert.Equal(loungeId, moved.MovedTo);
        await JoinAsync(bobOnFirst, loungeId);
        await carolOnSecond.WaitForVoiceAsync(s => s.UserId == bob.User.Id && s.ChannelId == loungeId && s.Mute);
        await aliceOnSecond.Connection.InvokeAsync("DisconnectVoice", bob.User.Id.ToString());
        await bobOnFirst.WaitForAsync(bobOnFirst.VoiceEnded, e => e.Reason == VoiceEnded.Disconnected);
        await carolOnSecond.WaitForVoiceAsync(_ => carolOnSecond.Voice.Count(s => s.UserId == bob.User.Id && s.ChannelId is null) == 3);
        await JanusParticipants.BecomeAsync(() => first.DisplaysAsync(loungeId), alice.User.Id.ToString());
        await JanusParticipants.BecomeAsync(() => first.DisplaysAsync(stageId));
    }

    private static async Task<VoiceJoined> JoinAsync(GatewayClient client, Snowflake channelId)
    {
        var joined = await client.Connection.InvokeAsync<VoiceJoined>("JoinVoice", channelId.ToString());
        client.KeepVoiceAlive(Heartbeat);
        return joined;
    }
}

/// <summary>An in-memory voice node, and another running as its own process so that it can be killed.</summary>
public sealed class VoiceNodeAndProcess : IAsyncLifetime
{
    public const int LeaseSeconds = 2;

    private ServiceProcess _redis = null!;
    private string _data = "";

    public VoiceNode Survivor { get; private set; } = null!;

    public ServiceProcess Doomed { get; private set; } = null!;

    public Uri DoomedAddress { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var database = await PostgresServer.CreateDatabaseAsync();
        (_redis, var redisUrl) = await RedisServer.StartOwnAsync();
        // First, so that it applies the migrations.
        Survivor = new VoiceNode(database, redisUrl, 31, LeaseSeconds);
        await Survivor.InitializeAsync();

        var lab = await VoiceLab.StartedAsync();
        var port = ServiceProcess.FreeLoopbackPort();
        _data = Directory.CreateTempSubdirectory("kamachat-voice-node-").FullName;
        var environment = lab.ServerSettings.ToDictionary(s => s.Key, s => s.Value);
        foreach (var (name, value) in new Dictionary<string, string>
        {
            ["DATABASE_URL"] = database,
            ["REDIS_URL"] = redisUrl,
            ["JWT_SECRET"] = KamaChatApp.JwtSecret,
            ["NODE_ID"] = "32",
            ["HOST"] = "127.0.0.1",
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["KAMACHAT_DATA_DIR"] = _data,
            ["KAMACHAT_LOCAL_JANUS"] = "off",
            ["KAMACHAT_VOICE_LEASE_SECONDS"] = LeaseSeconds.ToString(CultureInfo.InvariantCulture),
            ["Logging__LogLevel__Default"] = "Warning",
        })
            environment[name] = value;
        Doomed = ServiceProcess.Start("dotnet", $"\"{Path.Combine(AppContext.BaseDirectory, "KamaChat.Server.dll")}\"", environment, _data);
        await Doomed.WaitForPortAsync(port, TimeSpan.FromSeconds(90));
        DoomedAddress = new Uri($"http://127.0.0.1:{port}/");
        using var http = new HttpClient { BaseAddress = DoomedAddress };
        for (var attempt = 0; !(await http.GetAsync("readyz")).IsSuccessStatusCode; attempt++)
        {
            Assert.True(attempt < 150, $"The second node never became ready: {Doomed.Output}");
            await Task.Delay(200);
        }
    }

    public async Task DisposeAsync()
    {
        await Doomed.DisposeAsync();
        await Survivor.DisposeAsync();
        await _redis.DisposeAsync();
        Directory.Delete(_data, recursive: true);
    }
}

/// <summary>
/// A node killed without a clean shutdown: once its lease lapses, a surviving node takes its calls out of the channel
/// for everyone and out of Janus (before Janus's own session timeout would), and its users out of their DM calls.
/// </summary>
[Collection(RunAlone.Name)]
public sealed class VoiceNodeDeathTests(VoiceNodeAndProcess nodes) : IClassFixture<VoiceNodeAndProcess>
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(VoiceNodeAndProcess.LeaseSeconds);

    [Fact]
    public async Task The_calls_of_a_killed_node_end_for_everyone_within_the_lease_and_leave_janus()
    {
        // A DM call too: Dave calls from the node that will die, Carol answers on the survivor.
        var (carol, dave, dm) = await nodes.Survivor.PairAsync();
        await using var carolClient = await nodes.Survivor.ConnectedAsync(carol);
        await using var daveClient = await GatewayClient.ConnectAsync(nodes.DoomedAddress, dave.Tokens.AccessToken);
        await daveClient.Connection.InvokeAsync<DmCallJoined>("StartCall", dm.ToString());
        await carolClient.WaitForCallAsync(c => c.Ringing.Contains(carol.Id));
        await carolClient.Connection.InvokeAsync<DmCallJoined>("AcceptCall", dm.ToString());
        await daveClient.WaitForCallAsync(c => c.Participants.Count == 2);

        var survivor = nodes.Survivor;
        var alice = await survivor.CreateClient().RegisterAsync();
        var bob = await survivor.CreateClient().RegisterAsync();
        var (_, textId) = await GatewaySeed.ServerWithChannelAsync(survivor, alice.User.Id, bob.User.Id);
        var voiceId = await survivor.VoiceChannelAsync(textId);
        await using var aliceClient = await GatewayClient.ConnectAsync(survivor, alice.AccessToken);
        await aliceClient.ReadyAsync();
        await aliceClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        aliceClient.KeepVoiceAlive(Lease / 3);

        var bobClient = await GatewayClient.ConnectAsync(nodes.DoomedAddress, bob.AccessToken);
        await using (bobClient)
        {
            var joined = await bobClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
            bobClient.KeepVoiceAlive(TimeSpan.FromMilliseconds(joined.HeartbeatMilliseconds));
            await aliceClient.WaitForVoiceAsync(s => s.UserId == bob.User.Id && s.ChannelId == voiceId);
            Assert.Contains(await survivor.ParticipantsAsync(voiceId), p => p.Display == bob.User.Id.ToString());

            nodes.Doomed.Kill();
            var since = Stopwatch.StartNew();
            await aliceClient.WaitForVoiceAsync(s => s.UserId == bob.User.Id && s.ChannelId is null, Lease * 5);
            Assert.InRange(since.Elapsed, TimeSpan.Zero, Lease + TimeSpan.FromSeconds(2));
            await carolClient.WaitForCallAsync(c => c.ChannelId == dm && c.Ended, Lease * 5);
            Assert.InRange(since.Elapsed, TimeSpan.Zero, Lease + TimeSpan.FromSeconds(2));
            // The survivor kicked Bob's participant before telling anyone (the lab's Janus would drop the dead node's
            // session only after 6 s without keep-alives).
            Assert.Equal([alice.User.Id.ToString()], (await survivor.ParticipantsAsync(voiceId)).Select(p => p.Display));
        }

        Assert.DoesNotContain(aliceClient.Voice, s => s.UserId == alice.User.Id && s.ChannelId is null);
        await using var late = await GatewayClient.ConnectAsync(survivor, bob.AccessToken);
        Assert.Equal([alice.User.Id], (await late.ReadyAsync()).VoiceStates.Select(s => s.UserId));
        await using var carolLate = await nodes.Survivor.ConnectedAsync(carol);
        Assert.Empty((await carolLate.ReadyAsync()).Calls);
        Assert.Equal("callEnded", Assert.Single(await DmCallSupport.CallLinesAsync(carol, dm)).Kind);
    }
}

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using KamaChat.Server.Features.Calls;
using KamaChat.Server.Infrastructure.Janus;
using KamaChat.Tests.Configuration;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Logging.Abstractions;

namespace KamaChat.Tests.Calls;

/// <summary>A node whose JANUS_URL lists both of the voice lab's Janus instances, in the lab's order or reversed.</summary>
public sealed class TwoJanusNode(string provider, Func<string, Task<string>> databaseUrl, bool reversed, int nodeId) : VoiceApp
{
    public override string ProviderName => provider;

    protected override int NodeId => nodeId;

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => databaseUrl(dataDirectory);

    protected override async Task<IReadOnlyDictionary<string, string?>> SettingsAsync()
    {
        var lab = await VoiceLab.StartedAsync();
        var settings = new Dictionary<string, string?>(await base.SettingsAsync())
        {
            ["JANUS_URL"] = string.Join(", ", reversed ? lab.JanusUrls.Reverse() : lab.JanusUrls),
        };
        return settings;
    }
}

/// <summary>Two nodes on one database, both pointed at the lab's two Janus instances (listed in opposite orders).</summary>
public abstract class TwoJanusNodes : IAsyncLifetime
{
    public TwoJanusNode First { get; private set; } = null!;

    public TwoJanusNode Second { get; private set; } = null!;

    protected abstract string Provider { get; }

    /// <summary>The database both nodes use (the first node's data directory holds a SQLite one).</summary>
    protected abstract Task<string> DatabaseUrlAsync(string firstDataDirectory);

    public async Task InitializeAsync()
    {
        string? url = null;
        First = new TwoJanusNode(Provider, async directory => url = await DatabaseUrlAsync(directory), reversed: false, 31);
        await First.InitializeAsync();
        Second = new TwoJanusNode(Provider, _ => Task.FromResult(url!), reversed: true, 32);
        await Second.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await Second.DisposeAsync();
        await First.DisposeAsync();
    }
}

public sealed class SqliteTwoJanusNodes : TwoJanusNodes
{
    protected override string Provider => "sqlite";

    protected override Task<string> DatabaseUrlAsync(string firstDataDirectory) =>
        Task.FromResult("sqlite://" + Path.Combine(firstDataDirectory, "kamachat.db"));
}

public sealed class PostgresTwoJanusNodes : TwoJanusNodes
{
    protected override string Provider => "postgres";

    protected override Task<string> DatabaseUrlAsync(string firstDataDirectory) => PostgresServer.CreateDatabaseAsync();
}

/// <summary>
/// Voice channels over two Janus instances (JANUS_URL lists both): each channel's room is on the instance rendezvous
/// hashing picks, every node picks the same one whatever the order of its list, and everything about the room (the
/// room, its participants, what they publish) is on that instance and nowhere else. Each instance is checked with a
/// Janus session of the test's own, not through the server.
/// </summary>
public abstract class JanusInstancesTests(TwoJanusNodes nodes)
{
    private static readonly string AudioVideoOffer = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Calls", "Sdp", "chromium-audio-video.sdp"));

    [Fact]
    public async Task Channels_on_different_instances_each_carry_their_calls_and_both_nodes_place_a_room_alike()
    {
        var lab = await VoiceLab.StartedAsync();
        var instances = lab.JanusInstances;
        Assert.Equal(2, instances.Count);
        var (first, second) = (nodes.First, nodes.Second);
        var users = new List<Server.Features.Auth.AuthTokens>();
        for (var i = 0; i < 4; i++)
            users.Add(await first.CreateClient().RegisterAsync());
        var (_, textId) = await GatewaySeed.ServerWithChannelAsync(first, users[0].User.Id, users.Skip(1).Select(u => u.User.Id).ToArray());
        // Voice channels until there is one on each instance (each new one is on either with even odds).
        var channels = new Snowflake?[2];
        while (channels.Any(c => c is null))
        {
            var id = await first.VoiceChannelAsync(textId);
            channels[JanusPlacement.Pick(instances.Select(i => i.ApiUrl).ToList(), id.Value)] ??= id;
        }

        using var http = new HttpClient();
        var sessions = new List<JanusSession>();
        try
        {
            var handles = new List<JanusHandle>();
            foreach (var instance in instances)
            {
                sessions.Add(await JanusSession.CreateAsync(http, instance, NullLogger.Instance, CancellationToken.None));
                handles.Add(await sessions[^1].AttachAsync(JanusConnection.VideoRoomPlugin, CancellationToken.None));
            }

            // In each channel one user joins through the first node and publishes, another joins through the second.
            var clients = new List<GatewayClient>();
            try
            {
                for (var i = 0; i < 2; i++)
                {
                    var channelId = channels[i]!.Value;
                    var publisher = await GatewayClient.ConnectAsync(first, users[2 * i].AccessToken);
                    clients.Add(publisher);
                    var other = await GatewayClient.ConnectAsync(second, users[2 * i + 1].AccessToken);
                    clients.Add(other);
                    await publisher.Connection.InvokeAsync<VoiceJoined>("JoinVoice", channelId.ToString());
                    var answer = await publisher.Connection.InvokeAsync<string>("PublishVoice", AudioVideoOffer);
                    // The instance that answered gathers on its own RTP ports (the lab gives instance i 20000+1000i and up).
                    var ports = Regex.Matches(answer, @"a=candidate:\S+ \d+ udp \d+ \S+ (\d+) typ host", RegexOptions.IgnoreCase)
                        .Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
                    Assert.NotEmpty(ports);
                    Assert.All(ports, port => Assert.InRange(port, 20000 + 1000 * i, 20999 + 1000 * i));
                    // The second node lists the instances the other way round and joins the same room.
                    await other.Connection.InvokeAsync<VoiceJoined>("JoinVoice", channelId.ToString());
                }

                for (var i = 0; i < 2; i++)
                {
                    var channelId = channels[i]!.Value;
                    var participants = await ListAsync(handles[i], channelId);
                    Assert.Equal([users[2 * i].User.Id.ToString(), users[2 * i + 1].User.Id.ToString()], participants.Select(p => p["display"]!.GetValue<string>()).Order());
                    // Nothing of this channel on the other instance: no room at all.
                    var elsewhere = await Assert.ThrowsAsync<JanusException>(() => ListAsync(handles[1 - i], channelId));
                    Assert.Equal(JanusException.NoSuchRoom, elsewhere.Code);
                }

                // Leaving through either node removes the participant from its room's instance.
                await clients[1].Connection.InvokeAsync("LeaveVoice");
                await clients[2].Connection.InvokeAsync("LeaveVoice");
                await JanusParticipants.BecomeAsync(() => DisplaysAsync(handles[0], channels[0]!.Value), users[0].User.Id.ToString());
                await JanusParticipants.BecomeAsync(() => DisplaysAsync(handles[1], channels[1]!.Value), users[3].User.Id.ToString());
            }
            finally
            {
                foreach (var client in clients)
                    await client.DisposeAsync();
            }
        }
        finally
        {
            foreach (var session in sessions)
                await session.DisposeAsync();
        }
    }

    private static async Task<IEnumerable<string?>> DisplaysAsync(JanusHandle handle, Snowflake channelId) =>
        (await ListAsync(handle, channelId)).Select(p => (string?)p["display"]!.GetValue<string>());

    private static async Task<List<JsonObject>> ListAsync(JanusHandle handle, Snowflake channelId) =>
        ((await handle.RequestAsync(new JsonObject { ["request"] = "listparticipants", ["room"] = channelId.Value }, CancellationToken.None))["participants"] as JsonArray ?? [])
        .OfType<JsonObject>().ToList();
}

public sealed class SqliteJanusInstancesTests(SqliteTwoJanusNodes nodes) : JanusInstancesTests(nodes), IClassFixture<SqliteTwoJanusNodes>;

public sealed class PostgresJanusInstancesTests(PostgresTwoJanusNodes nodes) : JanusInstancesTests(nodes), IClassFixture<PostgresTwoJanusNodes>;

/// <summary>
/// doctor and /readyz check each Janus JANUS_URL lists, naming each: the lab's two answer, a third that is not there
/// fails.
/// </summary>
public sealed class JanusDoctorTests
{
    [Fact]
    public async Task The_readiness_check_names_the_Janus_that_does_not_answer()
    {
        var lab = await VoiceLab.StartedAsync();
        var dead = new JanusEndpoint(new Uri($"http://127.0.0.1:{ServiceProcess.FreeLoopbackPort()}/janus"), null, null);
        var mediaServer = new MediaServer();
        var check = new JanusHealthCheck(mediaServer);

        mediaServer.Use(lab.JanusInstances, local: false);
        var healthy = await check.CheckHealthAsync(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext());
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, healthy.Status);

        mediaServer.Use([.. lab.JanusInstances, dead], local: false);
        var degraded = await check.CheckHealthAsync(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext());
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded, degraded.Status);
        Assert.Contains($"Janus at {dead.ApiUrl} is not reachable", degraded.Description, StringComparison.Ordinal);
        Assert.All(lab.JanusUrls, url => Assert.DoesNotContain(url, degraded.Description, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Doctor_checks_and_names_each_Janus_instance()
    {
        var lab = await VoiceLab.StartedAsync();
        var dead = $"http://127.0.0.1:{ServiceProcess.FreeLoopbackPort()}/janus";
        var report = await DoctorRun.RunAsync(new()
        {
            ["JANUS_URL"] = string.Join(",", lab.JanusUrls.Append(dead)),
            ["JANUS_API_SECRET"] = lab.JanusApiSecret,
            ["JANUS_ADMIN_KEY"] = lab.JanusAdminKey,
        });

        var janus = report.Assert("janus", "fail");
        Assert.Equal(1, report.ExitCode);
        Assert.All(lab.JanusUrls, url => Assert.Contains(url + " answers (Janus ", janus.Summary, StringComparison.Ordinal));
        Assert.Contains($"{dead} does not answer", janus.Summary, StringComparison.Ordinal);
        Assert.Contains("1 of 3 failing", janus.Summary, StringComparison.Ordinal);
    }
}

using System.Net;
using KamaChat.Server.Features.Calls;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Infrastructure.Janus;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Calls;

/// <summary>
/// Voice channels through the gateway against the voice lab's real Janus: joining makes the channel's room and a
/// participant in it, the SDP a client sends is relayed both ways, voice states reach everyone who can see the channel
/// (and are in Ready), and leaving, switching channel, closing the socket or being kicked removes both the state and the
/// Janus participant.
/// </summary>
public abstract class VoiceChannelTests(VoiceApp app)
{
    private static readonly string AudioVideoOffer = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Calls", "Sdp", "chromium-audio-video.sdp"));

    private VideoRooms Rooms => app.Services.GetRequiredService<VideoRooms>();

    [Fact]
    public async Task Members_see_who_joins_and_each_receives_what_the_other_publishes()
    {
        var alice = await app.CreateClient().RegisterAsync();
        var bob = await app.CreateClient().RegisterAsync();
        var (_, textId) = await GatewaySeed.ServerWithChannelAsync(app, alice.User.Id, bob.User.Id);
        var voiceId = await app.VoiceChannelAsync(textId);
        await using var aliceClient = await GatewayClient.ConnectAsync(app, alice.AccessToken);
        await using var bobClient = await GatewayClient.ConnectAsync(app, bob.AccessToken);
        await aliceClient.ReadyAsync();
        await bobClient.ReadyAsync();

        var joined = await aliceClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        Assert.True(joined.CanSpeak);
        Assert.True(joined.CanVideo);
        var turn = Assert.Single(joined.IceServers, s => s.Username is not null);
        Assert.EndsWith(":" + alice.User.Id, turn.Username, StringComparison.Ordinal);
        Assert.Contains(joined.States, s => s.UserId == alice.User.Id && s.ChannelId == voiceId);
        await bobClient.WaitForVoiceAsync(s => s.UserId == alice.User.Id && s.ChannelId == voiceId);

        var answer = await aliceClient.Connection.InvokeAsync<string>("PublishVoice", AudioVideoOffer);
        Assert.StartsWith("v=0", answer, StringComparison.Ordinal);
        Assert.Contains("a=recvonly", answer, StringComparison.Ordinal);

        await bobClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        // Alice's offer came from a recording: no media ever reaches Janus, so there is nothing to receive yet
        // (Janus lets subscribers in once a publisher's media flows; the browser tests see that happen).
        Assert.Null(await bobClient.Connection.InvokeAsync<VoiceSubscription?>("SubscribeVoice"));

        await bobClient.Connection.InvokeAsync("SetVoiceState", new VoiceSelfState(SelfMute: true, SelfDeaf: false, Video: false, Stream: false));
        await aliceClient.WaitForVoiceAsync(s => s.UserId == bob.User.Id && s.SelfMute);
        var carol = await GatewayClient.ConnectAsync(app, alice.AccessToken);
        await using (carol)
        {
            var ready = await carol.ReadyAsync();
            Assert.Equal([alice.User.Id, bob.User.Id], ready.VoiceStates.Where(s => s.ChannelId == voiceId).Select(s => s.UserId).Order());
            Assert.True(ready.VoiceStates.Single(s => s.UserId == bob.User.Id).SelfMute);
        }

        await aliceClient.Connection.InvokeAsync("LeaveVoice");
        await bobClient.WaitForVoiceAsync(s => s.UserId == alice.User.Id && s.ChannelId is null);
        // Janus drops a detached participant after answering the detach (JanusParticipants): awaited, not read once.
        await JanusParticipants.BecomeAsync(async () => (await Rooms.ListParticipantsAsync(voiceId.Value, CancellationToken.None)).Select(p => p.Display),
            bob.User.Id.ToString());
    }

    [Fact]
    public async Task Joining_is_refused_where_the_caller_may_not_connect_and_publishing_audio_needs_speak()
    {
        var owner = await app.CreateClient().RegisterAsync();
        var member = await app.CreateClient().RegisterAsync();
        var outsider = await app.CreateClient().RegisterAsync();
        var (serverId, textId) = await GatewaySeed.ServerWithChannelAsync(app, owner.User.Id, member.User.Id);
        var voiceId = await app.VoiceChannelAsync(textId);
        await using var outsiderClient = await GatewayClient.ConnectAsync(app, outsider.AccessToken);
        await using var memberClient = await GatewayClient.ConnectAsync(app, member.AccessToken);

        var hidden = await Assert.ThrowsAsync<HubException>(() => outsiderClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString()));
        Assert.StartsWith("not_found", hidden.Message.Split("HubException: ").Last(), StringComparison.Ordinal);
        var text = await Assert.ThrowsAsync<HubException>(() => memberClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", textId.ToString()));
        Assert.Contains("validation_failed", text.Message, StringComparison.Ordinal);

        // A timed-out member may not join until the timeout ends (set in the database here, as TimeoutTests does).
        await SetTimeoutAsync(serverId, member.User.Id, DateTimeOffset.UtcNow.AddHours(1));
        var timedOut = await Assert.ThrowsAsync<HubException>(() => memberClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString()));
        Assert.Contains("timed_out", timedOut.Message, StringComparison.Ordinal);
        await SetTimeoutAsync(serverId, member.User.Id, null);

        await SetEveryoneAsync(serverId, P.DefaultEveryone & ~P.Connect);
        var noConnect = await Assert.ThrowsAsync<HubException>(() => memberClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString()));
        Assert.Contains("missing_permission", noConnect.Message, StringComparison.Ordinal);

        await SetEveryoneAsync(serverId, P.DefaultEveryone & ~P.Speak);
        var joined = await memberClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        Assert.False(joined.CanSpeak);
        var noSpeak = await Assert.ThrowsAsync<HubException>(() => memberClient.Connection.InvokeAsync<string>("PublishVoice", AudioVideoOffer));
        Assert.Contains("missing_permission", noSpeak.Message, StringComparison.Ordinal);
        var bad = await Assert.ThrowsAsync<HubException>(() => memberClient.Connection.InvokeAsync<string>("PublishVoice", "not sdp"));
        Assert.Contains("validation_failed", bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Switching_channel_closing_the_socket_and_being_kicked_each_end_the_call()
    {
        var alice = await app.CreateClient().RegisterAsync();
        var bob = await app.CreateClient().RegisterAsync();
        var (serverId, textId) = await GatewaySeed.ServerWithChannelAsync(app, alice.User.Id, bob.User.Id);
        var firstId = await app.VoiceChannelAsync(textId);
        var secondId = await app.VoiceChannelAsync(textId);
        await using var aliceClient = await GatewayClient.ConnectAsync(app, alice.AccessToken);
        await aliceClient.ReadyAsync();

        var bobClient = await GatewayClient.ConnectAsync(app, bob.AccessToken);
        await bobClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", firstId.ToString());
        await bobClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", secondId.ToString());
        await aliceClient.WaitForVoiceAsync(s => s.UserId == bob.User.Id && s.ChannelId == secondId);
        await aliceClient.WaitForVoiceAsync(s => s.UserId == bob.User.Id && s.ChannelId is null);
        await JanusParticipants.BecomeAsync(async () => (await Rooms.ListParticipantsAsync(firstId.Value, CancellationToken.None)).Select(p => p.Display));

        await bobClient.DisposeAsync();
        await WaitUntilEmptyAsync(secondId);
        // The participant leaves Janus first, then the others are told.
        await aliceClient.WaitForVoiceAsync(_ => aliceClient.Voice.Count(s => s.UserId == bob.User.Id && s.ChannelId is null) == 2);

        await using var bobAgain = await GatewayClient.ConnectAsync(app, bob.AccessToken);
        await bobAgain.Connection.InvokeAsync<VoiceJoined>("JoinVoice", secondId.ToString());
        var kick = await app.CreateClient(alice.AccessToken).DeleteAsync($"/api/v1/servers/{serverId}/members/{bob.User.Id}");
        Assert.Equal(HttpStatusCode.NoContent, kick.StatusCode);
        await WaitUntilEmptyAsync(secondId);
        await aliceClient.WaitForVoiceAsync(_ => aliceClient.Voice.Count(s => s.UserId == bob.User.Id && s.ChannelId is null) == 3);
    }

    private Task<int> SetTimeoutAsync(Snowflake serverId, Snowflake userId, DateTimeOffset? until) =>
        app.WriteDirectAsync(db => db.Members.Where(m => m.ServerId == serverId && m.UserId == userId)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.TimedOutUntil, until)));

    private async Task WaitUntilEmptyAsync(Snowflake channelId)
    {
        var deadline = DateTime.UtcNow + GatewayClient.Patience;
        while ((await Rooms.ListParticipantsAsync(channelId.Value, CancellationToken.None)).Count > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The Janus participant is still in the room.");
            await Task.Delay(100);
        }
    }

    private Task<int> SetEveryoneAsync(Snowflake serverId, P permissions) =>
        app.WriteDirectAsync(db => db.Roles.Where(r => r.Id == serverId).ExecuteUpdateAsync(r => r.SetProperty(x => x.Permissions, permissions)));
}

/// <summary>
/// A node pointed at the voice lab. Its voice lease is long unless given (these tests' clients send no heartbeats;
/// VoiceLeaseTests covers them).
/// </summary>
public abstract class VoiceApp(int leaseSeconds = 300) : KamaChatApp
{
    protected override async Task<IReadOnlyDictionary<string, string?>> SettingsAsync() =>
        (await VoiceLab.StartedAsync()).ServerSettings
            .Append(new("KAMACHAT_VOICE_LEASE_SECONDS", leaseSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)))
            .ToDictionary(s => s.Key, s => (string?)s.Value);

    /// <summary>A voice channel in the server of <paramref name="besideId"/>.</summary>
    public async Task<Snowflake> VoiceChannelAsync(Snowflake besideId, int userLimit = 0)
    {
        var id = GatewaySeed.NewId();
        await QueryAsync(async db =>
        {
            var beside = await db.Channels.SingleAsync(c => c.Id == besideId);
            db.Channels.Add(new Channel
            {
                Id = id, ServerId = beside.ServerId, Type = ChannelType.Voice, Name = "Lounge", CreatedAt = DateTimeOffset.UtcNow, UserLimit = userLimit,
            });
            return await db.SaveChangesAsync();
        });
        return id;
    }
}

public sealed class SqliteVoiceApp : VoiceApp
{
    public override string ProviderName => "sqlite";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
}

public sealed class PostgresVoiceApp : VoiceApp
{
    public override string ProviderName => "postgres";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => PostgresServer.CreateDatabaseAsync();
}

public sealed class SqliteVoiceChannelTests(SqliteVoiceApp app) : VoiceChannelTests(app), IClassFixture<SqliteVoiceApp>;

public sealed class PostgresVoiceChannelTests(PostgresVoiceApp app) : VoiceChannelTests(app), IClassFixture<PostgresVoiceApp>;

using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Calls;
using KamaChat.Server.Features.Channels;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Calls;

/// <summary>
/// Moderators' voice controls through the gateway against the voice lab's real Janus: server mute and deafen need
/// MUTE_MEMBERS and DEAFEN_MEMBERS, stay on the member across a rejoin and reach everyone in the voice state; a
/// channel's user limit refuses the next joiner with channel_full while MOVE_MEMBERS joins and moves past it; move
/// and disconnect need MOVE_MEMBERS and tell the moved or disconnected connection ("VoiceEnded").
/// </summary>
public abstract class VoiceModerationTests(VoiceApp app)
{
    private static readonly string AudioVideoOffer = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Calls", "Sdp", "chromium-audio-video.sdp"));

    [Fact]
    public async Task Server_mute_and_deafen_need_their_permissions_last_across_a_rejoin_and_reach_everyone()
    {
        var alice = await app.CreateClient().RegisterAsync();
        var bob = await app.CreateClient().RegisterAsync();
        var carol = await app.CreateClient().RegisterAsync();
        var (serverId, textId) = await GatewaySeed.ServerWithChannelAsync(app, alice.User.Id, bob.User.Id, carol.User.Id);
        var voiceId = await app.VoiceChannelAsync(textId, userLimit: 0);
        await using var aliceClient = await GatewayClient.ConnectAsync(app, alice.AccessToken);
        await using var bobClient = await GatewayClient.ConnectAsync(app, bob.AccessToken);
        await using var carolClient = await GatewayClient.ConnectAsync(app, carol.AccessToken);
        await aliceClient.ReadyAsync();
        await carolClient.ReadyAsync();
        await bobClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        await bobClient.Connection.InvokeAsync<string>("PublishVoice", AudioVideoOffer);

        var notInVoice = await Assert.ThrowsAsync<HubException>(() =>
            aliceClient.Connection.InvokeAsync("ModerateVoice", carol.User.Id.ToString(), new VoiceModerationRequest(true, null)));
        Assert.Contains("not_found", notInVoice.Message, StringComparison.Ordinal);
        foreach (var request in new[] { new VoiceModerationRequest(true, null), new VoiceModerationRequest(null, true) })
        {
            var refused = await Assert.ThrowsAsync<HubException>(() =>
                carolClient.Connection.InvokeAsync("ModerateVoice", bob.User.Id.ToString(), request));
            Assert.Contains("missing_permission", refused.Message, StringComparison.Ordinal);
        }
        Assert.Equal(VoiceModeration.None, await ModerationAsync(serverId, bob.User.Id));

        await aliceClient.Connection.InvokeAsync("ModerateVoice", bob.User.Id.ToString(), new VoiceModerationRequest(true, null));
        await carolClient.WaitForVoiceAsync(s => s.UserId == bob.User.Id && s.Mute && !s.Deaf);
        await aliceClient.WaitForVoiceAsync(s => s.UserId == bob.User.Id && s.Mute);
        Assert.Equal(new VoiceModeration(true, false), await ModerationAsync(serverId, bob.User.Id));

        // Leaving does not lift it: the next join is muted from the start (and may still offer audio, which Janus holds back).
        await bobClient.Connection.InvokeAsync("LeaveVoice");
        var again = await bobClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        Assert.True(again.CanSpeak);
        Assert.Contains(again.States, s => s.UserId == bob.User.Id && s.Mute);
        Assert.StartsWith("v=0", await bobClient.Connection.InvokeAsync<string>("PublishVoice", AudioVideoOffer), StringComparison.Ordinal);

        await aliceClient.Connection.InvokeAsync("ModerateVoice", bob.User.Id.ToString(), new VoiceModerationRequest(false, true));
        await carolClient.WaitForVoiceAsync(s => s.UserId == bob.User.Id && !s.Mute && s.Deaf);
        Assert.Equal(new VoiceModeration(false, true), await ModerationAsync(serverId, bob.User.Id));
        await aliceClient.Connection.InvokeAsync("ModerateVoice", bob.User.Id.ToString(), new VoiceModerationRequest(null, false));
        await carolClient.WaitForVoiceAsync(s => s.UserId == bob.User.Id && !s.Mute && !s.Deaf && s.ChannelId == voiceId);
    }

    [Fact]
    public async Task A_full_channel_refuses_the_next_joiner_and_moderators_move_and_disconnect_members()
    {
        var alice = await app.CreateClient().RegisterAsync();
        var bob = await app.CreateClient().RegisterAsync();
        var carol = await app.CreateClient().RegisterAsync();
        var (_, textId) = await GatewaySeed.ServerWithChannelAsync(app, alice.User.Id, bob.User.Id, carol.User.Id);
        var limitedId = await app.VoiceChannelAsync(textId, userLimit: 0);
        var otherId = await app.VoiceChannelAsync(textId, userLimit: 0);
        var owner = app.CreateClient(alice.AccessToken);
        var tooMany = await owner.PatchAsJsonAsync($"/api/v1/channels/{limitedId}", new { userLimit = Channel.MaxUserLimit + 1 });
        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        var limited = await (await owner.PatchAsJsonAsync($"/api/v1/channels/{limitedId}", new { userLimit = 1 })).Content.ReadFromJsonAsync<ChannelResponse>();
        Assert.Equal(1, limited!.UserLimit);
        var byMember = await app.CreateClient(bob.AccessToken).PatchAsJsonAsync($"/api/v1/channels/{limitedId}", new { userLimit = 0 });
        Assert.Equal(HttpStatusCode.Forbidden, byMember.StatusCode);

        await using var aliceClient = await GatewayClient.ConnectAsync(app, alice.AccessToken);
        await using var bobClient = await GatewayClient.ConnectAsync(app, bob.AccessToken);
        await using var carolClient = await GatewayClient.ConnectAsync(app, carol.AccessToken);
        await aliceClient.ReadyAsync();
        await bobClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", limitedId.ToString());
        var full = await Assert.ThrowsAsync<HubException>(() => carolClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", limitedId.ToString()));
        Assert.Contains("channel_full", full.Message, StringComparison.Ordinal);
        // The owner has MOVE_MEMBERS, which joins past the limit.
        await aliceClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", limitedId.ToString());

        var carolFirst = (await carolClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", otherId.ToString())).States.Single(s => s.UserId == carol.User.Id).CallId;
        foreach (var call in new Func<Task>[]
        {
            () => bobClient.Connection.InvokeAsync("MoveVoice", carol.User.Id.ToString(), limitedId.ToString()),
            () => bobClient.Connection.InvokeAsync("DisconnectVoice", carol.User.Id.ToString()),
        })
            Assert.Contains("missing_permission", (await Assert.ThrowsAsync<HubException>(call)).Message, StringComparison.Ordinal);
        var toText = await Assert.ThrowsAsync<HubException>(() => aliceClient.Connection.InvokeAsync("MoveVoice", carol.User.Id.ToString(), textId.ToString()));
        Assert.Contains("validation_failed", toText.Message, StringComparison.Ordinal);

        // Moved into the full channel: carol's connection is told where to, and that join passes the limit once.
        await aliceClient.Connection.InvokeAsync("MoveVoice", carol.User.Id.ToString(), limitedId.ToString());
        var moved = await carolClient.WaitForAsync(carolClient.VoiceEnded, _ => true);
        Assert.Equal(new VoiceEnded(otherId, VoiceEnded.Moved, limitedId), moved);
        await aliceClient.WaitForVoiceAsync(s => s.UserId == carol.User.Id && s.ChannelId is null);
        var carolMoved = (await carolClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", limitedId.ToString())).States.Single(s => s.UserId == carol.User.Id).CallId;
        await aliceClient.WaitForVoiceAsync(s => s.UserId == carol.User.Id && s.ChannelId == limitedId);
        // Her leave (of the first call) and her join (a newer call) reach everyone, her too, in whichever order: each shows
        // her in the channel she was moved to.
        Assert.True(carolMoved > carolFirst);
        foreach (var client in new[] { aliceClient, carolClient })
        {
            await client.WaitForVoiceAsync(s => s.UserId == carol.User.Id && s.ChannelId is null && s.CallId == carolFirst);
            await client.WaitForVoiceAsync(s => s.UserId == carol.User.Id && s.CallId == carolMoved);
            Assert.Equal(limitedId, client.VoiceShown()[carol.User.Id].ChannelId);
        }

        await aliceClient.Connection.InvokeAsync("DisconnectVoice", carol.User.Id.ToString());
        await carolClient.WaitForAsync(carolClient.VoiceEnded, e => e == new VoiceEnded(limitedId, VoiceEnded.Disconnected));
        await aliceClient.WaitForVoiceAsync(_ => aliceClient.Voice.Count(s => s.UserId == carol.User.Id && s.ChannelId is null) == 2);
        // The move was used up: the channel is full again for carol.
        full = await Assert.ThrowsAsync<HubException>(() => carolClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", limitedId.ToString()));
        Assert.Contains("channel_full", full.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_late_drop_of_an_ended_call_leaves_the_call_joined_since_on_the_same_connection_alone()
    {
        var alice = await app.CreateClient().RegisterAsync();
        var bob = await app.CreateClient().RegisterAsync();
        var (_, textId) = await GatewaySeed.ServerWithChannelAsync(app, alice.User.Id, bob.User.Id);
        var voiceId = await app.VoiceChannelAsync(textId, userLimit: 0);
        await using var aliceClient = await GatewayClient.ConnectAsync(app, alice.AccessToken);
        await using var bobClient = await GatewayClient.ConnectAsync(app, bob.AccessToken);
        await aliceClient.ReadyAsync();
        await bobClient.ReadyAsync();
        var first = (await bobClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString())).States.Single(s => s.UserId == bob.User.Id).CallId;
        // Joined again on the same connection: the first call ended, and a node that had taken it over (its lease lapsed)
        // sends the holder its drop, which arrives only now.
        var second = (await bobClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString())).States.Single(s => s.UserId == bob.User.Id).CallId;
        var voice = app.Services.GetRequiredService<VoiceChannels>();
        var connectionId = app.Services.GetRequiredService<Server.Features.Gateway.ConnectionRegistry>().OfUser(bob.User.Id).Single().ConnectionId;
        await voice.HandleAsync(new VoiceCommand(VoiceCommand.Drop, bob.User.Id, connectionId, VoiceEnded.Expired, CallId: first));

        // The second call goes on: this connection still holds it, and everyone hears of it.
        await bobClient.Connection.InvokeAsync("SetVoiceState", new VoiceSelfState(true, false, false, false));
        await aliceClient.WaitForVoiceAsync(s => s.UserId == bob.User.Id && s.CallId == second && s.ChannelId == voiceId && s.SelfMute);
        Assert.Empty(bobClient.VoiceEnded);

        // A drop of the call it names ends it.
        await voice.HandleAsync(new VoiceCommand(VoiceCommand.Drop, bob.User.Id, connectionId, VoiceEnded.Expired, CallId: second));
        Assert.Equal(new VoiceEnded(voiceId, VoiceEnded.Expired), await bobClient.WaitForAsync(bobClient.VoiceEnded, _ => true));
    }

    private Task<VoiceModeration> ModerationAsync(Snowflake serverId, Snowflake userId) =>
        app.QueryAsync(db => db.Members.Where(m => m.ServerId == serverId && m.UserId == userId)
            .Select(m => new VoiceModeration(m.VoiceMuted, m.VoiceDeafened)).SingleAsync());

}

public sealed class SqliteVoiceModerationTests(SqliteVoiceApp app) : VoiceModerationTests(app), IClassFixture<SqliteVoiceApp>;

public sealed class PostgresVoiceModerationTests(PostgresVoiceApp app) : VoiceModerationTests(app), IClassFixture<PostgresVoiceApp>;

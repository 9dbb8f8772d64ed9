using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Calls;
using KamaChat.Server.Features.Channels;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Calls;

/// <summary>
/// Voice channels on a server without Janus (the test apps run with KAMACHAT_LOCAL_JANUS=off and no JANUS_URL): a
/// peer-to-peer mesh of at most four. Joining answers mode "mesh" with who is already in; the server relays offers,
/// answers and candidates between members of the same channel only, refuses the fifth person with sfu_required,
/// refuses to relay an SDP that would send media the sender may not send (SPEAK, VIDEO), ends the call of someone
/// kicked or whose permissions changed, and deafening marks the member muted too.
/// </summary>
public abstract class VoiceMeshTests(KamaChatApp app)
{
    private const string Head = "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n";
    private const string Audio = "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n";
    private const string Video = "m=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 0.0.0.0\r\na=mid:1\r\n";

    private static CallSignal Offer(string audio, string video) => new("offer", Head + Audio + "a=" + audio + "\r\n" + Video + "a=" + video + "\r\n", null);

    [Fact]
    public async Task Four_members_signal_each_other_and_the_fifth_is_told_the_server_needs_an_SFU()
    {
        var users = new List<AuthTokens>();
        for (var i = 0; i < 5; i++)
            users.Add(await app.CreateClient().RegisterAsync());
        var (_, textId) = await GatewaySeed.ServerWithChannelAsync(app, users[0].User.Id, users.Skip(1).Select(u => u.User.Id).ToArray());
        var voiceId = await VoiceChannelAsync(textId, userLimit: 0);
        var otherVoiceId = await VoiceChannelAsync(textId, userLimit: 0);
        var clients = new List<GatewayClient>();
        try
        {
            foreach (var user in users)
            {
                var client = await GatewayClient.ConnectAsync(app, user.AccessToken);
                await client.ReadyAsync();
                clients.Add(client);
            }

            var first = await clients[0].Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
            // Mesh calls heartbeat like calls through Janus: a third of the (default, 6 s) lease.
            Assert.Equal((VoiceJoined.MeshMode, "all", true, true, 2000), (first.Mode, first.IceTransportPolicy, first.CanSpeak, first.CanVideo, first.HeartbeatMilliseconds));
            foreach (var client in clients)
                client.KeepVoiceAlive(TimeSpan.FromMilliseconds(first.HeartbeatMilliseconds));
            for (var i = 1; i < 4; i++)
            {
                var joined = await clients[i].Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
                // The joiner learns who is in, to offer to each of them.
                Assert.Equal(users.Take(i + 1).Select(u => u.User.Id).Order(), joined.States.Select(s => s.UserId).Order());
            }
            await clients[4].WaitForVoiceAsync(s => s.UserId == users[3].User.Id && s.ChannelId == voiceId);

            var full = await Assert.ThrowsAsync<HubException>(() => clients[4].Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString()));
            Assert.Contains("sfu_required: ", full.Message, StringComparison.Ordinal);
            Assert.Contains("without a media server", full.Message, StringComparison.Ordinal);
            Assert.Equal(4, (await Ready(users[4])).VoiceStates.Count(s => s.ChannelId == voiceId));
            Assert.Single((await clients[4].Connection.InvokeAsync<VoiceJoined>("JoinVoice", otherVoiceId.ToString())).States);

            // The joiner's offer reaches that member only; the answer comes back; candidates too.
            var offer = Offer("sendrecv", "sendrecv");
            await clients[3].Connection.InvokeAsync("SendVoiceSignal", users[0].User.Id.ToString(), offer);
            var got = await clients[0].WaitForAsync(clients[0].VoiceSignals, s => s.Signal.Type == "offer");
            Assert.Equal((voiceId, users[3].User.Id, offer.Sdp), (got.ChannelId, got.FromUserId, got.Signal.Sdp));
            await clients[0].Connection.InvokeAsync("SendVoiceSignal", users[3].User.Id.ToString(), new CallSignal("answer", offer.Sdp, null));
            await clients[3].WaitForAsync(clients[3].VoiceSignals, s => s.Signal.Type == "answer" && s.FromUserId == users[0].User.Id);
            var candidate = new CallCandidate("candidate:1 1 udp 2122260223 10.0.0.1 50000 typ host", "0", 0);
            await clients[1].Connection.InvokeAsync("SendVoiceSignal", users[2].User.Id.ToString(), new CallSignal("candidates", null, [candidate]));
            Assert.Equal(candidate, Assert.Single((await clients[2].WaitForAsync(clients[2].VoiceSignals, s => s.Signal.Type == "candidates")).Signal.Candidates!));
            Assert.Empty(clients[1].VoiceSignals);
            Assert.DoesNotContain(clients[2].VoiceSignals, s => s.Signal.Type == "offer");

            // Not to someone in another voice channel, and nothing malformed.
            var elsewhere = await Assert.ThrowsAsync<HubException>(() => clients[0].Connection.InvokeAsync("SendVoiceSignal", users[4].User.Id.ToString(), offer));
            Assert.Contains("not_found", elsewhere.Message, StringComparison.Ordinal);
            var bad = await Assert.ThrowsAsync<HubException>(() => clients[0].Connection.InvokeAsync("SendVoiceSignal", users[1].User.Id.ToString(), new CallSignal("offer", "nope", null)));
            Assert.Contains("validation_failed", bad.Message, StringComparison.Ordinal);

            // Leaving makes room; a closed socket leaves too.
            await clients[1].Connection.InvokeAsync("LeaveVoice");
            await clients[0].WaitForVoiceAsync(s => s.UserId == users[1].User.Id && s.ChannelId is null);
            await clients[2].DisposeAsync();
            await clients[0].WaitForVoiceAsync(s => s.UserId == users[2].User.Id && s.ChannelId is null);
            var fourth = await clients[4].Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
            Assert.Equal([users[0].User.Id, users[3].User.Id, users[4].User.Id], fourth.States.Select(s => s.UserId).Order());
            await clients[0].WaitForVoiceAsync(s => s.UserId == users[4].User.Id && s.ChannelId == otherVoiceId);
            await clients[0].WaitForVoiceAsync(s => s.UserId == users[4].User.Id && s.ChannelId is null);
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Media_the_sender_may_not_send_is_not_relayed_and_permission_changes_end_the_call()
    {
        var owner = await app.CreateClient().RegisterAsync();
        var member = await app.CreateClient().RegisterAsync();
        var (serverId, textId) = await GatewaySeed.ServerWithChannelAsync(app, owner.User.Id, member.User.Id);
        var voiceId = await VoiceChannelAsync(textId, userLimit: 2);
        await using var ownerClient = await GatewayClient.ConnectAsync(app, owner.AccessToken);
        await using var memberClient = await GatewayClient.ConnectAsync(app, member.AccessToken);
        await ownerClient.ReadyAsync();
        await memberClient.ReadyAsync();
        await SetEveryoneAsync(serverId, P.DefaultEveryone & ~P.Speak & ~P.Video);

        var ownerJoined = await ownerClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        ownerClient.KeepVoiceAlive(TimeSpan.FromMilliseconds(ownerJoined.HeartbeatMilliseconds));
        memberClient.KeepVoiceAlive(TimeSpan.FromMilliseconds(ownerJoined.HeartbeatMilliseconds));
        var joined = await memberClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        Assert.Equal((false, false), (joined.CanSpeak, joined.CanVideo));
        foreach (var (audio, video, missing) in new[] { ("sendrecv", "recvonly", "SPEAK"), ("recvonly", "sendonly", "VIDEO") })
        {
            var refused = await Assert.ThrowsAsync<HubException>(() =>
                memberClient.Connection.InvokeAsync("SendVoiceSignal", owner.User.Id.ToString(), Offer(audio, video)));
            Assert.Contains("missing_permission: " + missing, refused.Message, StringComparison.Ordinal);
        }
        Assert.Empty(ownerClient.VoiceSignals);
        // Receiving only is fine.
        await memberClient.Connection.InvokeAsync("SendVoiceSignal", owner.User.Id.ToString(), Offer("recvonly", "inactive"));
        await ownerClient.WaitForAsync(ownerClient.VoiceSignals, s => s.Signal.Type == "offer");

        // Deafened is muted too.
        await memberClient.Connection.InvokeAsync("SetVoiceState", new VoiceSelfState(SelfMute: false, SelfDeaf: true, Video: true, Stream: false));
        var deaf = await ownerClient.WaitForVoiceAsync(s => s.UserId == member.User.Id && s.SelfDeaf);
        Assert.Equal((true, false), (deaf.SelfMute, deaf.Video));

        // SPEAK given: the member's call ends, so their client joins again and may send audio now.
        await GiveSpeakAsync(owner, serverId);
        var ended = await memberClient.WaitForAsync(memberClient.VoiceEnded, e => e.ChannelId == voiceId);
        Assert.Equal(VoiceMesh.PermissionsChanged, ended.Reason);
        var again = await memberClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        Assert.True(again.CanSpeak);
        await memberClient.Connection.InvokeAsync("SendVoiceSignal", owner.User.Id.ToString(), Offer("sendrecv", "recvonly"));

        // The user limit (2) holds for a third member without MOVE_MEMBERS.
        var third = await app.CreateClient().RegisterAsync();
        await app.QueryAsync(db =>
        {
            db.Members.Add(new Server.Features.Servers.Member { ServerId = serverId, UserId = third.User.Id, JoinedAt = DateTimeOffset.UtcNow });
            return db.SaveChangesAsync();
        });
        await using (var thirdClient = await GatewayClient.ConnectAsync(app, third.AccessToken))
        {
            var full = await Assert.ThrowsAsync<HubException>(() => thirdClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString()));
            Assert.Contains("channel_full", full.Message, StringComparison.Ordinal);
        }

        // Kicked: the call ends at once, for them and for everyone watching.
        var kick = await app.CreateClient(owner.AccessToken).DeleteAsync($"/api/v1/servers/{serverId}/members/{member.User.Id}");
        Assert.Equal(HttpStatusCode.NoContent, kick.StatusCode);
        await memberClient.WaitForAsync(memberClient.VoiceEnded, e => e.Reason == VoiceEnded.Disconnected);
        await ownerClient.WaitForVoiceAsync(s => s.UserId == member.User.Id && s.ChannelId is null);
    }

    [Fact]
    public async Task Moderators_server_mute_move_and_disconnect_mesh_members()
    {
        var owner = await app.CreateClient().RegisterAsync();
        var member = await app.CreateClient().RegisterAsync();
        var third = await app.CreateClient().RegisterAsync();
        var (_, textId) = await GatewaySeed.ServerWithChannelAsync(app, owner.User.Id, member.User.Id, third.User.Id);
        var voiceId = await VoiceChannelAsync(textId, userLimit: 0);
        var smallId = await VoiceChannelAsync(textId, userLimit: 1);
        await using var ownerClient = await GatewayClient.ConnectAsync(app, owner.AccessToken);
        await using var memberClient = await GatewayClient.ConnectAsync(app, member.AccessToken);
        await using var thirdClient = await GatewayClient.ConnectAsync(app, third.AccessToken);
        await ownerClient.ReadyAsync();
        var heartbeat = TimeSpan.FromMilliseconds((await ownerClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString())).HeartbeatMilliseconds);
        foreach (var client in new[] { ownerClient, memberClient, thirdClient })
            client.KeepVoiceAlive(heartbeat);
        var joined = await memberClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        Assert.True(joined.CanSpeak);
        var firstCall = joined.States.Single(s => s.UserId == member.User.Id).CallId;

        // Server mute: kept on the member, and their call ends so that their client joins again without audio.
        await ownerClient.Connection.InvokeAsync("ModerateVoice", member.User.Id.ToString(), new VoiceModerationRequest(Mute: true, Deaf: null));
        Assert.Equal(VoiceMesh.PermissionsChanged, (await memberClient.WaitForAsync(memberClient.VoiceEnded, e => e.ChannelId == voiceId)).Reason);
        var muted = await memberClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        Assert.False(muted.CanSpeak);
        await ownerClient.WaitForVoiceAsync(s => s.UserId == member.User.Id && s.ChannelId == voiceId && s.Mute);
        // The leave (of the first call) and the rejoin (a newer call) reach everyone, the member too, in whichever order:
        // each shows the member in the call, as the rejoin's call is the newer one.
        var rejoined = muted.States.Single(s => s.UserId == member.User.Id).CallId;
        Assert.True(rejoined > firstCall);
        foreach (var client in new[] { ownerClient, memberClient })
        {
            await client.WaitForVoiceAsync(s => s.UserId == member.User.Id && s.ChannelId is null && s.CallId == firstCall);
            await client.WaitForVoiceAsync(s => s.UserId == member.User.Id && s.CallId == rejoined);
            Assert.Equal(voiceId, client.VoiceShown()[member.User.Id].ChannelId);
        }
        var refused = await Assert.ThrowsAsync<HubException>(() =>
            memberClient.Connection.InvokeAsync("SendVoiceSignal", owner.User.Id.ToString(), Offer("sendrecv", "recvonly")));
        Assert.Contains("missing_permission: SPEAK", refused.Message, StringComparison.Ordinal);

        // Moved into a full channel: the client is told where to go, and may join it past the user limit, once.
        await thirdClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", smallId.ToString());
        await ownerClient.Connection.InvokeAsync("MoveVoice", member.User.Id.ToString(), smallId.ToString());
        var moved = await memberClient.WaitForAsync(memberClient.VoiceEnded, e => e.Reason == VoiceEnded.Moved);
        Assert.Equal((voiceId, (Snowflake?)smallId), (moved.ChannelId, moved.MovedTo));
        await ownerClient.WaitForVoiceAsync(s => s.UserId == member.User.Id && s.ChannelId is null && s.Mute);
        Assert.Equal(2, (await memberClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", smallId.ToString())).States.Count);
        await thirdClient.Connection.InvokeAsync("LeaveVoice");
        await thirdClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        var full = await Assert.ThrowsAsync<HubException>(() => thirdClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", smallId.ToString()));
        Assert.Contains("channel_full", full.Message, StringComparison.Ordinal);

        // Disconnected: the call ends for them and for everyone watching.
        await ownerClient.Connection.InvokeAsync("DisconnectVoice", member.User.Id.ToString());
        Assert.Equal(smallId, (await memberClient.WaitForAsync(memberClient.VoiceEnded, e => e.Reason == VoiceEnded.Disconnected)).ChannelId);
        Assert.DoesNotContain((await Ready(owner)).VoiceStates, s => s.UserId == member.User.Id);
        var gone = await Assert.ThrowsAsync<HubException>(() => ownerClient.Connection.InvokeAsync("DisconnectVoice", member.User.Id.ToString()));
        Assert.Contains("not_found", gone.Message, StringComparison.Ordinal);

        // Only with the permission: the member (no MOVE_MEMBERS) cannot disconnect the owner.
        var denied = await Assert.ThrowsAsync<HubException>(() => memberClient.Connection.InvokeAsync("DisconnectVoice", owner.User.Id.ToString()));
        Assert.Contains("missing_permission", denied.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_moderator_does_not_mute_move_or_disconnect_the_owner_or_a_peer_and_does_a_member_below()
    {
        var owner = await app.UserAsync();
        var moderator = await app.UserAsync();
        var peer = await app.UserAsync();
        var member = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        foreach (var user in new[] { moderator, peer, member })
            await user.JoinAsync(owner, server.Id);
        var mods = await owner.CreateRoleAsync(server.Id, "mods", P.MuteMembers | P.DeafenMembers | P.MoveMembers);
        await owner.AssignRoleAsync(server.Id, moderator, mods.Id);
        await owner.AssignRoleAsync(server.Id, peer, mods.Id);
        var textId = await Audit.ModerationApi.GeneralChannelAsync(owner, server.Id);
        var voiceId = await VoiceChannelAsync(textId, userLimit: 0);
        var otherId = await VoiceChannelAsync(textId, userLimit: 0);
        var clients = new List<GatewayClient>();
        try
        {
            foreach (var user in new[] { owner, moderator, peer, member })
                clients.Add(await GatewayClient.ConnectAsync(app, user.Tokens.AccessToken));
            var heartbeat = TimeSpan.FromMilliseconds((await clients[0].Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString())).HeartbeatMilliseconds);
            foreach (var client in clients)
                client.KeepVoiceAlive(heartbeat);
            foreach (var client in clients.Skip(1))
                await client.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
            var mod = clients[1].Connection;

            foreach (var above in new[] { owner, peer })
            {
                var target = above.Id.ToString();
                foreach (var call in new Func<Task>[]
                {
                    () => mod.InvokeAsync("ModerateVoice", target, new VoiceModerationRequest(Mute: true, Deaf: null)),
                    () => mod.InvokeAsync("ModerateVoice", target, new VoiceModerationRequest(Mute: null, Deaf: true)),
                    () => mod.InvokeAsync("MoveVoice", target, otherId.ToString()),
                    () => mod.InvokeAsync("DisconnectVoice", target),
                })
                    Assert.Contains("role_hierarchy: ", (await Assert.ThrowsAsync<HubException>(call)).Message, StringComparison.Ordinal);
                // Nothing changed: not muted, not deafened, still in the channel.
                Assert.Equal(VoiceModeration.None, await app.QueryAsync(db => db.Members.Where(m => m.ServerId == server.Id && m.UserId == above.Id)
                    .Select(m => new VoiceModeration(m.VoiceMuted, m.VoiceDeafened)).SingleAsync()));
                Assert.Contains((await Ready(above.Tokens)).VoiceStates, s => s.UserId == above.Id && s.ChannelId == voiceId);
            }

            // A member below them: muted (their call ends so that they join again without audio), then disconnected.
            var memberClient = clients[3];
            await mod.InvokeAsync("ModerateVoice", member.Id.ToString(), new VoiceModerationRequest(Mute: true, Deaf: null));
            Assert.Equal(VoiceMesh.PermissionsChanged, (await memberClient.WaitForAsync(memberClient.VoiceEnded, e => e.ChannelId == voiceId)).Reason);
            Assert.False((await memberClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString())).CanSpeak);
            await mod.InvokeAsync("DisconnectVoice", member.Id.ToString());
            await memberClient.WaitForAsync(memberClient.VoiceEnded, e => e.Reason == VoiceEnded.Disconnected);
        }
        finally
        {
            foreach (var client in clients)
                await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task Voice_moderation_tells_a_stranger_nothing_of_who_is_in_a_voice_channel()
    {
        var owner = await app.CreateClient().RegisterAsync();
        var member = await app.CreateClient().RegisterAsync();
        var idle = await app.CreateClient().RegisterAsync();
        var stranger = await app.CreateClient().RegisterAsync();
        var (_, textId) = await GatewaySeed.ServerWithChannelAsync(app, owner.User.Id, member.User.Id, idle.User.Id);
        var voiceId = await VoiceChannelAsync(textId, userLimit: 0);
        await using var memberClient = await GatewayClient.ConnectAsync(app, member.AccessToken);
        await using var strangerClient = await GatewayClient.ConnectAsync(app, stranger.AccessToken);
        await memberClient.ReadyAsync();
        await strangerClient.ReadyAsync();
        var heartbeat = TimeSpan.FromMilliseconds((await memberClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString())).HeartbeatMilliseconds);
        memberClient.KeepVoiceAlive(heartbeat);

        // The same answer for the member in the call as for the one who is not, whatever is asked.
        foreach (var request in new[] { new VoiceModerationRequest(Mute: null, Deaf: null), new VoiceModerationRequest(Mute: true, Deaf: null) })
        {
            var answers = new List<string>();
            foreach (var target in new[] { member, idle })
                answers.Add((await Assert.ThrowsAsync<HubException>(() =>
                    strangerClient.Connection.InvokeAsync("ModerateVoice", target.User.Id.ToString(), request))).Message);
            Assert.Equal(answers[0], answers[1]);
        }
        Assert.False(await app.QueryAsync(db => db.Members.AnyAsync(m => m.UserId == member.User.Id && (m.VoiceMuted || m.VoiceDeafened))));
    }

    private async Task<Server.Features.Gateway.ReadyPayload> Ready(AuthTokens user)
    {
        await using var client = await GatewayClient.ConnectAsync(app, user.AccessToken);
        return await client.ReadyAsync();
    }

    /// <summary>@everyone gets SPEAK back through the API, so the server rechecks everyone's permissions.</summary>
    private async Task GiveSpeakAsync(AuthTokens owner, Snowflake serverId)
    {
        var response = await app.CreateClient(owner.AccessToken).PatchAsync($"/api/v1/servers/{serverId}/roles/{serverId}",
            System.Net.Http.Json.JsonContent.Create(new { permissions = ((long)(P.DefaultEveryone & ~P.Video)).ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_member_timed_out_in_a_call_is_disconnected_and_cannot_join_again_while_it_lasts()
    {
        var owner = await app.CreateClient().RegisterAsync();
        var member = await app.CreateClient().RegisterAsync();
        var (serverId, textId) = await GatewaySeed.ServerWithChannelAsync(app, owner.User.Id, member.User.Id);
        var voiceId = await VoiceChannelAsync(textId, userLimit: 0);
        await using var ownerClient = await GatewayClient.ConnectAsync(app, owner.AccessToken);
        await using var memberClient = await GatewayClient.ConnectAsync(app, member.AccessToken);
        await ownerClient.ReadyAsync();
        await memberClient.ReadyAsync();
        var joined = await memberClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        memberClient.KeepVoiceAlive(TimeSpan.FromMilliseconds(joined.HeartbeatMilliseconds));

        // A timeout leaves them View Channel and Read Message History only: no CONNECT, so the call ends (as in Discord).
        var timeout = await app.CreateClient(owner.AccessToken)
            .PutAsJsonAsync($"/api/v1/servers/{serverId}/members/{member.User.Id}/timeout", new { until = DateTimeOffset.UtcNow.AddMinutes(10) });
        Assert.Equal(HttpStatusCode.OK, timeout.StatusCode);
        Assert.Equal(new VoiceEnded(voiceId, VoiceEnded.Disconnected), await memberClient.WaitForAsync(memberClient.VoiceEnded, _ => true));
        await ownerClient.WaitForVoiceAsync(s => s.UserId == member.User.Id && s.ChannelId is null);
        Assert.DoesNotContain((await Ready(owner)).VoiceStates, s => s.UserId == member.User.Id);
        var refused = await Assert.ThrowsAsync<HubException>(() => memberClient.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString()));
        Assert.Contains("timed_out", refused.Message, StringComparison.Ordinal);
    }

    private Task<Snowflake> VoiceChannelAsync(Snowflake besideId, int userLimit) => VoiceChannelAsync(app, besideId, userLimit);

    internal static async Task<Snowflake> VoiceChannelAsync(KamaChatApp app, Snowflake besideId, int userLimit)
    {
        var id = GatewaySeed.NewId();
        await app.QueryAsync(async db =>
        {
            var beside = await db.Channels.SingleAsync(c => c.Id == besideId);
            db.Channels.Add(new Channel { Id = id, ServerId = beside.ServerId, Type = ChannelType.Voice, Name = "Mesh", UserLimit = userLimit, CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });
        return id;
    }

    private Task<int> SetEveryoneAsync(Snowflake serverId, P permissions) =>
        app.WriteDirectAsync(db => db.Roles.Where(r => r.Id == serverId).ExecuteUpdateAsync(r => r.SetProperty(x => x.Permissions, permissions)));
}

public sealed class SqliteVoiceMeshTests(SqliteApp app) : VoiceMeshTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresVoiceMeshTests(PostgresApp app) : VoiceMeshTests(app), IClassFixture<PostgresApp>;

/// <summary>
/// Mesh calls are leased like calls through Janus: a member whose client stops saying it is alive (its socket still
/// open) is ended with "expired" and leaves the channel for everyone, while one that heartbeats stays. Run alone
/// (RunAlone): the 6 s lease is time, and the suite's parallel start could starve the heartbeating client.
/// </summary>
public abstract class VoiceMeshLeaseTests(KamaChatApp app)
{
    [Fact]
    public async Task A_silent_mesh_member_is_ended_and_one_that_heartbeats_stays()
    {
        var alice = await app.CreateClient().RegisterAsync();
        var bob = await app.CreateClient().RegisterAsync();
        var carol = await app.CreateClient().RegisterAsync();
        var (_, textId) = await GatewaySeed.ServerWithChannelAsync(app, alice.User.Id, bob.User.Id, carol.User.Id);
        var voiceId = await VoiceMeshTests.VoiceChannelAsync(app, textId, userLimit: 0);
        await using var silent = await GatewayClient.ConnectAsync(app, alice.AccessToken);
        await using var alive = await GatewayClient.ConnectAsync(app, bob.AccessToken);
        await using var watcher = await GatewayClient.ConnectAsync(app, carol.AccessToken);
        await watcher.ReadyAsync();

        var joined = await alive.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        alive.KeepVoiceAlive(TimeSpan.FromMilliseconds(joined.HeartbeatMilliseconds));
        await silent.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        await watcher.WaitForVoiceAsync(s => s.UserId == alice.User.Id && s.ChannelId == voiceId);

        // Alice's client sends nothing more, yet her socket stays open: the lease ends her call, and only hers.
        var lease = TimeSpan.FromMilliseconds(joined.HeartbeatMilliseconds * 3);
        await watcher.WaitForVoiceAsync(s => s.UserId == alice.User.Id && s.ChannelId is null, lease * 3);
        var ended = await silent.WaitForAsync(silent.VoiceEnded, _ => true);
        Assert.Equal((voiceId, VoiceEnded.Expired), (ended.ChannelId, ended.Reason));
        Assert.Equal(HubConnectionState.Connected, silent.Connection.State);
        Assert.DoesNotContain(watcher.Voice, s => s.UserId == bob.User.Id && s.ChannelId is null);
        await using var late = await GatewayClient.ConnectAsync(app, carol.AccessToken);
        Assert.Equal([bob.User.Id], (await late.ReadyAsync()).VoiceStates.Select(s => s.UserId));

        // Her client is still there: it joins again (as the web client does after "expired").
        var again = await silent.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString());
        Assert.Equal(new[] { alice.User.Id, bob.User.Id }.Order(), again.States.Select(s => s.UserId).Order());
    }
}

[Collection(RunAlone.Name)]
public sealed class SqliteVoiceMeshLeaseTests(SqliteApp app) : VoiceMeshLeaseTests(app), IClassFixture<SqliteApp>;

[Collection(RunAlone.Name)]
public sealed class PostgresVoiceMeshLeaseTests(PostgresApp app) : VoiceMeshLeaseTests(app), IClassFixture<PostgresApp>;

/// <summary>
/// A node without Janus whose voice states are shared through Redis (several nodes): the mesh lives in one node's
/// memory, so members on different nodes could not reach each other; a join is refused as it was before the mesh.
/// </summary>
public sealed class ScaledOutVoiceMeshTests : IAsyncLifetime
{
    private ScaledNode _node = null!;

    public async Task InitializeAsync()
    {
        _node = new ScaledNode(await PostgresServer.CreateDatabaseAsync(), await RedisServer.UrlAsync(), 43);
        await _node.InitializeAsync();
    }

    public async Task DisposeAsync() => await _node.DisposeAsync();

    [Fact]
    public async Task Joining_a_voice_channel_without_Janus_on_several_nodes_is_refused_as_unavailable()
    {
        var alice = await _node.CreateClient().RegisterAsync();
        var (_, textId) = await GatewaySeed.ServerWithChannelAsync(_node, alice.User.Id);
        var voiceId = await VoiceMeshTests.VoiceChannelAsync(_node, textId, userLimit: 0);
        await using var client = await GatewayClient.ConnectAsync(_node, alice.AccessToken);
        await client.ReadyAsync();

        var refused = await Assert.ThrowsAsync<HubException>(() => client.Connection.InvokeAsync<VoiceJoined>("JoinVoice", voiceId.ToString()));
        Assert.Contains("unavailable: Voice channels on several nodes need a media server", refused.Message, StringComparison.Ordinal);
        await using var again = await GatewayClient.ConnectAsync(_node, alice.AccessToken);
        Assert.Empty((await again.ReadyAsync()).VoiceStates);
    }
}

using System.Globalization;
using System.Net.Http.Json;
using KamaChat.Server.Features.Calls;
using KamaChat.Server.Features.DirectMessages;
using KamaChat.Server.Features.Messages;
using KamaChat.Tests.Infrastructure;
using KamaChat.Tests.Relationships;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace KamaChat.Tests.Calls;

/// <summary>
/// DM calls through the real hub: ringing reaches the other member, accepting connects the two and the server relays
/// their offers, answers and candidates; declining, the caller hanging up or losing the connection before anyone
/// answered leave a "callMissed" line; an answered call leaves a "callEnded" line with its length. Only members may
/// call, and never across a block.
/// </summary>
public abstract class DmCallTests(KamaChatApp app)
{
    private static readonly CallSignal Offer = new("offer", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n", null);

    [Fact]
    public async Task The_callee_rings_accepts_and_the_two_exchange_signals_then_hanging_up_leaves_the_duration()
    {
        var (alice, bob, dm) = await app.PairAsync();
        await using var aliceGateway = await app.ConnectedAsync(alice);
        await using var bobGateway = await app.ConnectedAsync(bob);

        var started = await aliceGateway.Connection.InvokeAsync<DmCallJoined>("StartCall", dm.ToString());
        Assert.Equal("all", started.IceTransportPolicy);
        Assert.Equal([alice.Id], started.Call.Participants);
        Assert.Equal([bob.Id], started.Call.Ringing);
        Assert.Null(started.Call.ConnectedAt);
        await bobGateway.WaitForCallAsync(c => c.ChannelId == dm && c.Ringing.Contains(bob.Id));

        await using (var bobPhone = await app.ConnectedAsync(bob))
            Assert.Equal([bob.Id], Assert.Single((await bobPhone.ReadyAsync()).Calls, c => c.ChannelId == dm).Ringing);

        var accepted = await bobGateway.Connection.InvokeAsync<DmCallJoined>("AcceptCall", dm.ToString());
        Assert.Equal(new[] { alice.Id, bob.Id }.Order(), accepted.Call.Participants);
        Assert.Empty(accepted.Call.Ringing);
        Assert.NotNull(accepted.Call.ConnectedAt);
        await aliceGateway.WaitForCallAsync(c => c.Participants.Count == 2);

        // The one who joins offers; the server relays each signal to the other's connection only.
        await bobGateway.Connection.InvokeAsync("SendCallSignal", dm.ToString(), alice.Id.ToString(), Offer);
        var offer = await aliceGateway.WaitForAsync(aliceGateway.CallSignals, s => s.Signal.Type == "offer");
        Assert.Equal((dm, bob.Id, Offer.Sdp), (offer.ChannelId, offer.FromUserId, offer.Signal.Sdp));
        var candidate = new CallCandidate("candidate:1 1 udp 2122260223 10.0.0.1 50000 typ host", "0", 0);
        await aliceGateway.Connection.InvokeAsync("SendCallSignal", dm.ToString(), bob.Id.ToString(), new CallSignal("candidates", null, [candidate]));
        var candidates = await bobGateway.WaitForAsync(bobGateway.CallSignals, s => s.Signal.Type == "candidates");
        Assert.Equal(candidate, Assert.Single(candidates.Signal.Candidates!));
        Assert.DoesNotContain(bobGateway.CallSignals, s => s.Signal.Type == "offer");

        foreach (var bad in new[] { new CallSignal("offer", "not sdp", null), new CallSignal("candidates", null, []), new CallSignal("bye", null, null) })
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => bobGateway.Connection.InvokeAsync("SendCallSignal", dm.ToString(), alice.Id.ToString(), bad));
            Assert.Contains("validation_failed", refused.Message, StringComparison.Ordinal);
        }

        await aliceGateway.Connection.InvokeAsync("LeaveCall", dm.ToString());
        await bobGateway.WaitForCallAsync(c => c.ChannelId == dm && c.Ended);
        var line = Assert.Single(await DmCallSupport.CallLinesAsync(alice, dm));
        Assert.Equal(("callEnded", alice.Id), (line.Kind, line.Author.Id));
        Assert.InRange(long.Parse(line.Content, CultureInfo.InvariantCulture), 0, 600);
        await using var later = await app.ConnectedAsync(alice);
        Assert.Empty((await later.ReadyAsync()).Calls);
    }

    [Fact]
    public async Task Declining_ends_the_ring_with_a_missed_call_line()
    {
        var (alice, bob, dm) = await app.PairAsync();
        await using var aliceGateway = await app.ConnectedAsync(alice);
        await using var bobGateway = await app.ConnectedAsync(bob);

        await aliceGateway.Connection.InvokeAsync<DmCallJoined>("StartCall", dm.ToString());
        await bobGateway.WaitForCallAsync(c => c.Ringing.Contains(bob.Id));
        await bobGateway.Connection.InvokeAsync("DeclineCall", dm.ToString());

        await aliceGateway.WaitForCallAsync(c => c.ChannelId == dm && c.Ended);
        var line = Assert.Single(await DmCallSupport.CallLinesAsync(bob, dm));
        Assert.Equal(("callMissed", alice.Id, ""), (line.Kind, line.Author.Id, line.Content));
        var gone = await Assert.ThrowsAsync<HubException>(() => bobGateway.Connection.InvokeAsync<DmCallJoined>("AcceptCall", dm.ToString()));
        Assert.Contains("not_found", gone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_callers_connection_dropping_ends_the_ring_as_missed()
    {
        var (alice, bob, dm) = await app.PairAsync();
        await using var bobGateway = await app.ConnectedAsync(bob);
        var aliceGateway = await app.ConnectedAsync(alice);

        await aliceGateway.Connection.InvokeAsync<DmCallJoined>("StartCall", dm.ToString());
        await bobGateway.WaitForCallAsync(c => c.Ringing.Contains(bob.Id));
        await aliceGateway.DisposeAsync();

        await bobGateway.WaitForCallAsync(c => c.ChannelId == dm && c.Ended);
        Assert.Equal("callMissed", Assert.Single(await DmCallSupport.CallLinesAsync(bob, dm)).Kind);
    }

    [Fact]
    public async Task Only_members_may_call_and_never_across_a_block()
    {
        var (alice, bob, dm) = await app.PairAsync();
        var carol = await app.UserAsync();
        await using var aliceGateway = await app.ConnectedAsync(alice);
        await using var bobGateway = await app.ConnectedAsync(bob);
        await using var carolGateway = await app.ConnectedAsync(carol);

        await aliceGateway.Connection.InvokeAsync<DmCallJoined>("StartCall", dm.ToString());
        foreach (var (method, args) in new (string, object[])[]
                 {
                     ("StartCall", [dm.ToString()]), ("AcceptCall", [dm.ToString()]),
                     ("SendCallSignal", [dm.ToString(), alice.Id.ToString(), Offer]),
                 })
        {
            var refused = await Assert.ThrowsAsync<HubException>(() => carolGateway.Connection.InvokeCoreAsync(method, args));
            Assert.Contains("not_found", refused.Message, StringComparison.Ordinal);
        }
        // A member still ringing is not in the call yet: nothing is relayed from or to them.
        var early = await Assert.ThrowsAsync<HubException>(() => bobGateway.Connection.InvokeAsync("SendCallSignal", dm.ToString(), alice.Id.ToString(), Offer));
        Assert.Contains("not_found", early.Message, StringComparison.Ordinal);
        await aliceGateway.Connection.InvokeAsync("LeaveCall", dm.ToString());
        await bobGateway.WaitForCallAsync(c => c.Ended);

        var (_, textId) = await GatewaySeed.ServerWithChannelAsync(app, alice.Id, bob.Id);
        var text = await Assert.ThrowsAsync<HubException>(() => aliceGateway.Connection.InvokeAsync<DmCallJoined>("StartCall", textId.ToString()));
        Assert.Contains("validation_failed", text.Message, StringComparison.Ordinal);

        await bob.BlockAsync(alice);
        var signalsBefore = bobGateway.Calls.Count;
        foreach (var caller in new[] { aliceGateway, bobGateway })
        {
            var blocked = await Assert.ThrowsAsync<HubException>(() => caller.Connection.InvokeAsync<DmCallJoined>("StartCall", dm.ToString()));
            Assert.Contains("cannot_call_user", blocked.Message, StringComparison.Ordinal);
        }
        await GatewayClient.SettleAsync();
        Assert.Equal(signalsBefore, bobGateway.Calls.Count);
        Assert.Single(await DmCallSupport.CallLinesAsync(alice, dm));
    }

    [Fact]
    public async Task Camera_and_screen_flags_reach_the_members_and_reset_with_a_new_device()
    {
        var (alice, bob, dm) = await app.PairAsync();
        await using var aliceGateway = await app.ConnectedAsync(alice);
        await using var bobGateway = await app.ConnectedAsync(bob);

        // Only someone in the call, on the connection holding it, says how they are in it.
        var notIn = await Assert.ThrowsAsync<HubException>(() => aliceGateway.Connection.InvokeAsync("SetCallMedia", dm.ToString(), new DmCallMedia(true, false)));
        Assert.Contains("not_found", notIn.Message, StringComparison.Ordinal);
        await aliceGateway.Connection.InvokeAsync<DmCallJoined>("StartCall", dm.ToString());
        var ringing = await Assert.ThrowsAsync<HubException>(() => bobGateway.Connection.InvokeAsync("SetCallMedia", dm.ToString(), new DmCallMedia(true, false)));
        Assert.Contains("not_found", ringing.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<HubException>(() => aliceGateway.Connection.InvokeCoreAsync("SetCallMedia", [dm.ToString(), null]));
        Assert.Contains("validation_failed", missing.Message, StringComparison.Ordinal);
        await bobGateway.Connection.InvokeAsync<DmCallJoined>("AcceptCall", dm.ToString());

        await aliceGateway.Connection.InvokeAsync("SetCallMedia", dm.ToString(), new DmCallMedia(true, false));
        var camera = await bobGateway.WaitForCallAsync(c => c.Video.Count > 0);
        Assert.Equal([alice.Id], camera.Video);
        Assert.Empty(camera.Stream);
        await bobGateway.Connection.InvokeAsync("SetCallMedia", dm.ToString(), new DmCallMedia(false, true));
        var both = await aliceGateway.WaitForCallAsync(c => c.Stream.Count > 0);
        Assert.Equal([alice.Id], both.Video);
        Assert.Equal([bob.Id], both.Stream);
        await using (var aliceLater = await app.ConnectedAsync(alice))
        {
            var ready = Assert.Single((await aliceLater.ReadyAsync()).Calls, c => c.ChannelId == dm);
            Assert.Equal([alice.Id], ready.Video);
            Assert.Equal([bob.Id], ready.Stream);
        }

        await aliceGateway.Connection.InvokeAsync("SetCallMedia", dm.ToString(), new DmCallMedia(false, false));
        await bobGateway.WaitForCallAsync(c => c.Video.Count == 0 && c.Stream.SequenceEqual([bob.Id]));

        // Bob takes the call on another device: that device has sent nothing yet, so nothing shows.
        await using var bobPhone = await app.ConnectedAsync(bob);
        aliceGateway.Calls.Clear();
        await bobPhone.Connection.InvokeAsync<DmCallJoined>("AcceptCall", dm.ToString());
        var moved = await aliceGateway.WaitForCallAsync(c => c.Stream.Count == 0);
        Assert.Equal((2, 0), (moved.Participants.Count, moved.Video.Count));
        var stale = await Assert.ThrowsAsync<HubException>(() => bobGateway.Connection.InvokeAsync("SetCallMedia", dm.ToString(), new DmCallMedia(false, true)));
        Assert.Contains("not_found", stale.Message, StringComparison.Ordinal);
        await bobPhone.Connection.InvokeAsync("LeaveCall", dm.ToString());
        var ended = await aliceGateway.WaitForCallAsync(c => c.Ended);
        Assert.Equal((0, 0), (ended.Video.Count, ended.Stream.Count));
    }

    [Fact]
    public async Task Answering_from_a_second_device_moves_the_call_there()
    {
        var (alice, bob, dm) = await app.PairAsync();
        await using var aliceGateway = await app.ConnectedAsync(alice);
        await using var bobDesk = await app.ConnectedAsync(bob);
        await using var bobPhone = await app.ConnectedAsync(bob);

        await aliceGateway.Connection.InvokeAsync<DmCallJoined>("StartCall", dm.ToString());
        await bobDesk.Connection.InvokeAsync<DmCallJoined>("AcceptCall", dm.ToString());
        await bobPhone.Connection.InvokeAsync<DmCallJoined>("AcceptCall", dm.ToString());
        Assert.Equal(dm.ToString(), await bobDesk.WaitForAsync(bobDesk.CallsLeft, _ => true));

        // Signals now reach the phone; the desk is out of the call.
        await aliceGateway.Connection.InvokeAsync("SendCallSignal", dm.ToString(), bob.Id.ToString(), Offer);
        await bobPhone.WaitForAsync(bobPhone.CallSignals, s => s.FromUserId == alice.Id);
        var outOfCall = await Assert.ThrowsAsync<HubException>(() => bobDesk.Connection.InvokeAsync("SendCallSignal", dm.ToString(), alice.Id.ToString(), Offer));
        Assert.Contains("not_found", outOfCall.Message, StringComparison.Ordinal);
        await GatewayClient.SettleAsync();
        Assert.Empty(bobDesk.CallSignals);
        Assert.Empty(await DmCallSupport.CallLinesAsync(alice, dm, atLeast: 0));
    }

    [Fact]
    public async Task A_group_call_goes_on_while_two_are_in_it_whoever_declines()
    {
        var (alice, bob, carol, group) = await app.GroupAsync();
        await using var aliceGateway = await app.ConnectedAsync(alice);
        await using var bobGateway = await app.ConnectedAsync(bob);
        await using var carolGateway = await app.ConnectedAsync(carol);

        var started = await aliceGateway.Connection.InvokeAsync<DmCallJoined>("StartCall", group.ToString());
        Assert.Equal(new[] { bob.Id, carol.Id }.Order(), started.Call.Ringing);
        await bobGateway.Connection.InvokeAsync<DmCallJoined>("AcceptCall", group.ToString());
        await carolGateway.Connection.InvokeAsync("DeclineCall", group.ToString());
        var going = await aliceGateway.WaitForCallAsync(c => c.Ringing.Count == 0);
        Assert.Equal((false, 2), (going.Ended, going.Participants.Count));

        // Carol may still join the call going on: StartCall in a conversation with a call joins it.
        var joined = await carolGateway.Connection.InvokeAsync<DmCallJoined>("StartCall", group.ToString());
        Assert.Equal(3, joined.Call.Participants.Count);
        Assert.Equal(alice.Id, joined.Call.StartedBy);
        await carolGateway.Connection.InvokeAsync("LeaveCall", group.ToString());
        await bobGateway.Connection.InvokeAsync("LeaveCall", group.ToString());
        await carolGateway.WaitForCallAsync(c => c.Ended);
        Assert.Equal("callEnded", Assert.Single(await DmCallSupport.CallLinesAsync(carol, group)).Kind);
    }

    [Fact]
    public async Task Someone_removed_from_a_group_stops_ringing_or_is_taken_out_of_its_call()
    {
        var (alice, bob, carol, group) = await app.GroupAsync();
        await using var aliceGateway = await app.ConnectedAsync(alice);
        await using var bobGateway = await app.ConnectedAsync(bob);
        await using var carolGateway = await app.ConnectedAsync(carol);

        await aliceGateway.Connection.InvokeAsync<DmCallJoined>("StartCall", group.ToString());
        await bobGateway.Connection.InvokeAsync<DmCallJoined>("AcceptCall", group.ToString());
        (await alice.Client.DeleteAsync($"/api/v1/channels/{group}/recipients/{carol.Id}")).EnsureSuccessStatusCode();
        var rest = await aliceGateway.WaitForCallAsync(c => c.Ringing.Count == 0);
        Assert.Equal((false, 2), (rest.Ended, rest.Participants.Count));

        (await alice.Client.DeleteAsync($"/api/v1/channels/{group}/recipients/{bob.Id}")).EnsureSuccessStatusCode();
        Assert.Equal(group.ToString(), await bobGateway.WaitForAsync(bobGateway.CallsLeft, _ => true));
        await aliceGateway.WaitForCallAsync(c => c.Ended);
        Assert.Equal("callEnded", Assert.Single(await DmCallSupport.CallLinesAsync(alice, group)).Kind);
    }
}

/// <summary>What the call tests share: a DM between two new users, a gateway client past Ready, the call lines of a conversation.</summary>
internal static class DmCallSupport
{
    public static async Task<(TestUser Alice, TestUser Bob, Snowflake Dm)> PairAsync(this KamaChatApp app)
    {
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();
        return (alice, bob, await alice.OpenDmOkAsync(bob));
    }

    /// <summary>A group DM that the first of three new users made with the other two.</summary>
    public static async Task<(TestUser Alice, TestUser Bob, TestUser Carol, Snowflake Group)> GroupAsync(this KamaChatApp app)
    {
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();
        var carol = await app.UserAsync();
        var group = await (await alice.Client.PostAsJsonAsync("/api/v1/users/@me/group-channels", new { recipientIds = new[] { bob.Id, carol.Id } }))
            .ReadAsync<DmChannelResponse>(System.Net.HttpStatusCode.Created);
        return (alice, bob, carol, group.Id);
    }

    public static async Task<GatewayClient> ConnectedAsync(this KamaChatApp app, TestUser user)
    {
        var client = await GatewayClient.ConnectAsync(app, user.Tokens.AccessToken);
        await client.ReadyAsync();
        return client;
    }

    /// <summary>The call lines in a conversation, oldest first (they arrive after the CallState that ended the call).</summary>
    public static async Task<List<MessageResponse>> CallLinesAsync(TestUser reader, Snowflake channelId, int atLeast = 1)
    {
        var deadline = DateTime.UtcNow + GatewayClient.Patience;
        while (true)
        {
            var messages = await (await reader.Client.GetAsync($"/api/v1/channels/{channelId}/messages")).ReadAsync<List<MessageResponse>>();
            var lines = messages.Where(m => m.Kind is "callMissed" or "callEnded").OrderBy(m => m.Id).ToList();
            if (lines.Count >= atLeast || DateTime.UtcNow > deadline)
                return lines;
            await Task.Delay(100);
        }
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteDmCallTests(SqliteApp app) : DmCallTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresDmCallTests(PostgresApp app) : DmCallTests(app), IClassFixture<PostgresApp>;

/// <summary>A ring that nobody answers, with a one-second ring timeout.</summary>
public abstract class DmCallRingTests(KamaChatApp app)
{
    [Fact]
    public async Task An_unanswered_call_stops_ringing_after_the_timeout_and_is_missed()
    {
        var (alice, bob, dm) = await app.PairAsync();
        await using var aliceGateway = await app.ConnectedAsync(alice);
        await using var bobGateway = await app.ConnectedAsync(bob);

        await aliceGateway.Connection.InvokeAsync<DmCallJoined>("StartCall", dm.ToString());
        await bobGateway.WaitForCallAsync(c => c.Ringing.Contains(bob.Id));
        var ended = await bobGateway.WaitForCallAsync(c => c.Ended);
        Assert.Empty(ended.Participants);
        var line = Assert.Single(await DmCallSupport.CallLinesAsync(bob, dm));
        Assert.Equal(("callMissed", alice.Id), (line.Kind, line.Author.Id));
        // The caller still in the call when it timed out is out of it now.
        var gone = await Assert.ThrowsAsync<HubException>(() => aliceGateway.Connection.InvokeAsync("SendCallSignal", dm.ToString(), bob.Id.ToString(), new CallSignal("offer", "v=0\r\n", null)));
        Assert.Contains("not_found", gone.Message, StringComparison.Ordinal);
    }
}

/// <summary>The app with DM calls ringing for one second (KAMACHAT_CALL_RING_SECONDS).</summary>
public sealed class SqliteQuickRingApp : KamaChatApp
{
    public override string ProviderName => "sqlite";

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => [new("KAMACHAT_CALL_RING_SECONDS", "1")];

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
}

public sealed class PostgresQuickRingApp : KamaChatApp
{
    public override string ProviderName => "postgres";

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => [new("KAMACHAT_CALL_RING_SECONDS", "1")];

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => PostgresServer.CreateDatabaseAsync();
}

[Trait("Provider", "sqlite")]
public sealed class SqliteDmCallRingTests(SqliteQuickRingApp app) : DmCallRingTests(app), IClassFixture<SqliteQuickRingApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresDmCallRingTests(PostgresQuickRingApp app) : DmCallRingTests(app), IClassFixture<PostgresQuickRingApp>;

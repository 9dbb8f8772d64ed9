using KamaChat.Server.Features.Calls;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;

namespace KamaChat.Tests.Calls;

/// <summary>
/// DM calls between users connected to different nodes (one PostgreSQL, one Redis): the callee rings live and in
/// Ready, answers, and the two nodes relay offers and candidates to each other's connections; a camera turned on shows on both nodes; joining from a device
/// on the other node moves the call there; hanging up and declining each leave their line once, not once per node.
/// </summary>
public sealed class DmCallScaleOutTests(ScaledPair nodes) : IClassFixture<ScaledPair>
{
    [Fact]
    public async Task A_call_rings_connects_relays_and_ends_across_nodes_with_one_line_each()
    {
        var (first, second) = (nodes.First, nodes.Second);
        var (alice, bob, dm) = await first.PairAsync();
        await using var aliceOnFirst = await first.ConnectedAsync(alice);
        await using var bobOnSecond = await second.ConnectedAsync(bob);

        // Alice calls from the first node; Bob rings on the second, live and in Ready.
        await aliceOnFirst.Connection.InvokeAsync<DmCallJoined>("StartCall", dm.ToString());
        await bobOnSecond.WaitForCallAsync(c => c.ChannelId == dm && c.Ringing.SequenceEqual([bob.Id]));
        await using (var bobLate = await second.ConnectedAsync(bob))
            Assert.Equal([alice.Id], Assert.Single((await bobLate.ReadyAsync()).Calls, c => c.ChannelId == dm).Participants);

        var accepted = await bobOnSecond.Connection.InvokeAsync<DmCallJoined>("AcceptCall", dm.ToString());
        Assert.Equal((2, 0), (accepted.Call.Participants.Count, accepted.Call.Ringing.Count));
        await aliceOnFirst.WaitForCallAsync(c => c.Participants.Count == 2 && c.ConnectedAt is not null);

        // Signals cross the nodes both ways, to the right connection.
        var offer = new CallSignal("offer", "v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n", null);
        await bobOnSecond.Connection.InvokeAsync("SendCallSignal", dm.ToString(), alice.Id.ToString(), offer);
        var offered = await aliceOnFirst.WaitForAsync(aliceOnFirst.CallSignals, s => s.Signal.Type == "offer");
        Assert.Equal((dm, bob.Id, offer.Sdp), (offered.ChannelId, offered.FromUserId, offered.Signal.Sdp));
        await aliceOnFirst.Connection.InvokeAsync("SendCallSignal", dm.ToString(), bob.Id.ToString(), new CallSignal("answer", "v=0\r\n", null));
        Assert.Equal(alice.Id, (await bobOnSecond.WaitForAsync(bobOnSecond.CallSignals, s => s.Signal.Type == "answer")).FromUserId);

        // Alice's camera, told on the first node, shows on the second (the flag lives in the shared store).
        await aliceOnFirst.Connection.InvokeAsync("SetCallMedia", dm.ToString(), new DmCallMedia(true, false));
        Assert.Equal([alice.Id], (await bobOnSecond.WaitForCallAsync(c => c.Video.Count > 0)).Video);
        await using (var bobLate = await second.ConnectedAsync(bob))
            Assert.Equal([alice.Id], Assert.Single((await bobLate.ReadyAsync()).Calls, c => c.ChannelId == dm).Video);

        // Bob takes the call on a device connected to the first node: his device on the second is told it is out,
        // and signals now reach the new device.
        await using var bobOnFirst = await first.ConnectedAsync(bob);
        await bobOnFirst.Connection.InvokeAsync<DmCallJoined>("AcceptCall", dm.ToString());
        Assert.Equal(dm.ToString(), await bobOnSecond.WaitForAsync(bobOnSecond.CallsLeft, _ => true));
        var candidate = new CallCandidate("candidate:1 1 udp 2122260223 10.0.0.1 50000 typ host", "0", 0);
        await aliceOnFirst.Connection.InvokeAsync("SendCallSignal", dm.ToString(), bob.Id.ToString(), new CallSignal("candidates", null, [candidate]));
        Assert.Equal(candidate, Assert.Single((await bobOnFirst.WaitForAsync(bobOnFirst.CallSignals, s => s.Signal.Type == "candidates")).Signal.Candidates!));
        Assert.DoesNotContain(bobOnSecond.CallSignals, s => s.Signal.Type == "candidates");

        await aliceOnFirst.Connection.InvokeAsync("LeaveCall", dm.ToString());
        await bobOnSecond.WaitForCallAsync(c => c.Ended);
        Assert.Equal("callEnded", Assert.Single(await DmCallSupport.CallLinesAsync(alice, dm)).Kind);

        // Bob calls back from the second node; Alice declines on the first: one missed call.
        await bobOnSecond.Connection.InvokeAsync<DmCallJoined>("StartCall", dm.ToString());
        await aliceOnFirst.WaitForCallAsync(c => !c.Ended && c.Ringing.SequenceEqual([alice.Id]));
        await aliceOnFirst.Connection.InvokeAsync("DeclineCall", dm.ToString());
        var ended = await bobOnFirst.WaitForCallAsync(c => c.Ended && c.StartedBy == bob.Id);
        Assert.Empty(ended.Participants);
        var lines = await DmCallSupport.CallLinesAsync(alice, dm, atLeast: 2);
        Assert.Equal([("callEnded", alice.Id), ("callMissed", bob.Id)], lines.Select(l => (l.Kind, l.Author.Id)));
        foreach (var node in new[] { first, second })
        {
            await using var late = await node.ConnectedAsync(alice);
            Assert.DoesNotContain((await late.ReadyAsync()).Calls, c => c.ChannelId == dm);
        }
    }
}

using KamaChat.Server.Features.Calls;
using Microsoft.AspNetCore.SignalR;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// DM and group DM calls (<see cref="DmCalls"/>): StartCall rings the conversation's other members (or joins the call
/// going on there), AcceptCall / DeclineCall answer a ringing call, SendCallSignal relays an offer, answer or ICE
/// candidates to another participant ("CallSignal"), SetCallMedia says whether the caller's camera is on or they share a
/// screen, LeaveCall hangs up. Everyone in the conversation gets "CallState";
/// a device that lost the call to another device of the same account gets "CallLeft".
/// </summary>
public sealed partial class GatewayHub
{
    /// <summary>The most candidates one signal carries: a browser gathers a handful per interface and server.</summary>
    private const int MaxCandidatesPerSignal = 32;

    private const int MaxCandidateLength = 1024;

    public Task<DmCallJoined> StartCall(string channelId) =>
        calls.StartAsync(Connection(), ParseId(channelId, nameof(channelId)), Context.ConnectionAborted);

    public Task<DmCallJoined> AcceptCall(string channelId) =>
        calls.AcceptAsync(Connection(), ParseId(channelId, nameof(channelId)), Context.ConnectionAborted);

    public Task DeclineCall(string channelId) => calls.DeclineAsync(Connection().UserId, ParseId(channelId, nameof(channelId)));

    public Task LeaveCall(string channelId)
    {
        var connection = Connection();
        return calls.LeaveAsync(connection.UserId, connection.ConnectionId, ParseId(channelId, nameof(channelId)));
    }

    public Task SendCallSignal(string channelId, string toUserId, CallSignal signal) =>
        calls.RelayAsync(Connection(), ParseId(channelId, nameof(channelId)), ParseId(toUserId, nameof(toUserId)), Valid(signal));

    public Task SetCallMedia(string channelId, DmCallMedia media) =>
        calls.SetMediaAsync(Connection(), ParseId(channelId, nameof(channelId)), media ?? throw new HubException("validation_failed: media is required."));

    private static CallSignal Valid(CallSignal? signal) => signal switch
    {
        { Type: "offer" or "answer", Sdp: var sdp, Candidates: null or { Count: 0 } } => signal with { Sdp = Sdp(sdp), Candidates = null },
        { Type: "candidates", Sdp: null, Candidates: { Count: > 0 and <= MaxCandidatesPerSignal } candidates }
            when candidates.All(c => c is { Candidate.Length: <= MaxCandidateLength, SdpMid: null or { Length: <= 32 }, SdpMLineIndex: null or (>= 0 and < 64) }) => signal,
        _ => throw new HubException(
            $"validation_failed: signal must be an offer or answer with its sdp, or 1 to {MaxCandidatesPerSignal} candidates of at most {MaxCandidateLength} characters."),
    };
}

namespace KamaChat.Server.Features.Calls;

/// <summary>
/// A call in a DM or group DM (gateway "CallState" signal to the conversation's members, and <c>calls</c> in Ready):
/// who is in it, whose device rings, when it started ringing and when a second person joined (null until then).
/// <c>Ended</c>: the call is over (a "callMissed" or "callEnded" line follows in the conversation).
/// </summary>
public sealed record DmCallState(
    Snowflake ChannelId, Snowflake StartedBy, DateTimeOffset StartedAt, DateTimeOffset? ConnectedAt,
    IReadOnlyList<Snowflake> Participants, IReadOnlyList<Snowflake> Ringing, bool Ended);

/// <summary>
/// What StartCall and AcceptCall answer: the ICE servers for the client's PeerConnections (with a fresh TURN
/// credential), the ICE transport policy ("relay" when the server hides callers' addresses, else "all"), and the call.
/// The one who joins sends an offer to each participant already in it.
/// </summary>
public sealed record DmCallJoined(Snowflake ChannelId, IReadOnlyList<IceServer> IceServers, string IceTransportPolicy, DmCallState Call);

/// <summary>
/// WebRTC signalling between two participants of a call, relayed by the server as it is (SendCallSignal → the
/// other's "CallSignal"): Type "offer" or "answer" with <c>Sdp</c>, or "candidates" with a batch of trickled candidates.
/// </summary>
public sealed record CallSignal(string Type, string? Sdp, IReadOnlyList<CallCandidate>? Candidates);

/// <summary>An RTCIceCandidateInit.</summary>
public sealed record CallCandidate(string Candidate, string? SdpMid, int? SdpMLineIndex);

/// <summary>A signal from another participant of the call in <c>ChannelId</c> ("CallSignal").</summary>
public sealed record CallSignalReceived(Snowflake ChannelId, Snowflake FromUserId, CallSignal Signal);

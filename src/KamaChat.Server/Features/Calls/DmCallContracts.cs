namespace KamaChat.Server.Features.Calls;

/// <summary>
/// A call in a DM or group DM (gateway "CallState" signal to the conversation's members, and <c>calls</c> in Ready):
/// who is in it, whose device rings, when it started ringing and when a second person joined (null until then), and
/// who of those in it has the camera on (<c>Video</c>) or shares a screen (<c>Stream</c>), as in a voice state.
/// <c>Ended</c>: the call is over (a "callMissed" or "callEnded" line follows in the conversation).
/// </summary>
public sealed record DmCallState(
    Snowflake ChannelId, Snowflake StartedBy, DateTimeOffset StartedAt, DateTimeOffset? ConnectedAt,
    IReadOnlyList<Snowflake> Participants, IReadOnlyList<Snowflake> Ringing, bool Ended, IReadOnlyList<Snowflake> Video, IReadOnlyList<Snowflake> Stream);

/// <summary>
/// What SetCallMedia takes: whether the caller's camera is on (<c>Video</c>) and whether they share a screen
/// (<c>Stream</c>) in the call, which the others show as tiles. The pictures themselves go peer to peer.
/// </summary>
public sealed record DmCallMedia(bool Video, bool Stream);

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

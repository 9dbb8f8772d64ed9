namespace KamaChat.Server.Features.Calls;

/// <summary>
/// Who is in which voice channel and how (gateway "VoiceState" signal, and in Ready). <c>ChannelId</c> null: the
/// user left the channel the signal went to. Self mute and deafen are the user's own choice; the client stops
/// sending (mute) and playing (deafen). <c>Mute</c> and <c>Deaf</c> are a moderator's (server mute and deafen),
/// enforced at Janus. <c>CallId</c>: the call the state belongs to, a new and greater id at each join (the same in
/// every update of that call and in its leave). A leave and a rejoin travel separately (the rejoin's announcement can
/// reach a client before the leave's), so a client applies a state only if its call is not older than the one it
/// shows, and no update of a call it already saw end: a late leave never removes a newer join.
/// </summary>
public sealed record VoiceState(
    Snowflake UserId, Snowflake? ChannelId, Snowflake? ServerId, bool SelfMute, bool SelfDeaf, bool Video, bool Stream, Snowflake CallId,
    bool Mute = false, bool Deaf = false);

/// <summary>
/// What JoinVoice answers: the ICE servers for the client's PeerConnections, what it may publish, who is in the
/// channel, and how often to call VoiceHeartbeat while in the call (a call not heard from for three of these ends).
/// <c>Mode</c>: "sfu" (media through Janus: PublishVoice, SubscribeVoice) or "mesh" (no media server: peer to peer
/// with each other member, SendVoiceSignal, the joiner offering to everyone in <c>States</c>), with
/// <c>IceTransportPolicy</c> for those PeerConnections ("relay" when the server hides callers' addresses).
/// </summary>
public sealed record VoiceJoined(
    Snowflake ChannelId, IReadOnlyList<IceServer> IceServers, bool CanSpeak, bool CanVideo, IReadOnlyList<VoiceState> States, int HeartbeatMilliseconds,
    string Mode = VoiceJoined.SfuMode, string IceTransportPolicy = "all")
{
    public const string SfuMode = "sfu";
    public const string MeshMode = "mesh";
}

/// <summary>One stream of the client's receiving PeerConnection: the SDP mid, the user it comes from, audio or video.</summary>
public sealed record VoiceStream(string Mid, Snowflake UserId, string Kind);

/// <summary>
/// Janus's offer for the client's receiving PeerConnection (answer it with AnswerVoice), and what each mid carries.
/// <c>Restart</c>: the offer is for a new receiving PeerConnection (close the old one), else it renegotiates the current one.
/// </summary>
public sealed record VoiceSubscription(string Sdp, IReadOnlyList<VoiceStream> Streams, bool Restart);

/// <summary>The flags a client sets about itself with SetVoiceState.</summary>
public sealed record VoiceSelfState(bool SelfMute, bool SelfDeaf, bool Video, bool Stream);

/// <summary>
/// Sent to the connection whose call the server ended ("VoiceEnded"): <c>Reason</c> is <see cref="AnotherDevice"/> (the
/// user joined from another connection), <see cref="Disconnected"/> (removed: kicked, CONNECT taken, a moderator),
/// <see cref="Moved"/> or <see cref="Expired"/>.
/// </summary>
public sealed record VoiceEnded(Snowflake ChannelId, string Reason, Snowflake? MovedTo = null)
{
    public const string AnotherDevice = "another_device";
    public const string Disconnected = "disconnected";

    /// <summary>
    /// The call outlived its lease: no heartbeat from the client for a lease (a frozen tab, a stalled network), or its
    /// node lost Redis long enough for another node to end it. A client that is still there joins again.
    /// </summary>
    public const string Expired = "expired";

    /// <summary>A moderator moved the user to <c>MovedTo</c>: the client joins it (past its user limit, for a while).</summary>
    public const string Moved = "moved";
}

/// <summary>A moderator's server mute and deafen of a member (null: unchanged), set with ModerateVoice.</summary>
public sealed record VoiceModerationRequest(bool? Mute, bool? Deaf);

/// <summary>A member's server mute and deafen as they stand.</summary>
public sealed record VoiceModeration(bool Mute, bool Deaf)
{
    public static readonly VoiceModeration None = new(false, false);
}

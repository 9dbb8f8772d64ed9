using KamaChat.Server.Features.Calls;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// Voice channels without Janus (<see cref="VoiceMesh"/>): JoinVoice answers with mode "mesh", and the members'
/// browsers connect to each other, SendVoiceSignal relaying an offer, answer or ICE candidates to another member of
/// the caller's voice channel ("VoiceSignal"). SetVoiceState and LeaveVoice work as with Janus.
/// </summary>
public sealed partial class GatewayHub
{
    public Task SendVoiceSignal(string toUserId, CallSignal signal) =>
        mesh.RelayAsync(Connection(), ParseId(toUserId, nameof(toUserId)), Valid(signal));
}

using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Calls;
using KamaChat.Server.Features.Permissions;
using Microsoft.AspNetCore.SignalR;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// Voice channels (<see cref="VoiceChannels"/>): JoinVoice (CONNECT; what the client may publish follows SPEAK and
/// VIDEO), then PublishVoice with the client's offer, SubscribeVoice / AnswerVoice for what it receives (again after
/// each "VoiceState" signal of its channel), SetVoiceState for self mute, deafen, camera and screen, LeaveVoice.
/// </summary>
public sealed partial class GatewayHub
{
    /// <summary>The largest SDP a client may send: a few kilobytes per m-line, a handful of m-lines.</summary>
    private const int MaxSdpLength = 64 * 1024;

    public async Task<VoiceJoined> JoinVoice(string channelId)
    {
        var id = ParseId(channelId, nameof(channelId));
        var decision = await permissions.AuthorizeChannelAsync(CurrentUser.From(Context.User!).Id, id, Permissions.Permissions.Connect, Context.ConnectionAborted);
        if (decision.Access is null)
            throw new HubException("not_found: The channel was not found.");
        if (decision.Access.Server?.TimeoutAt(time.GetUtcNow()) is { } timedOutUntil)
            throw new HubException($"timed_out: You are timed out until {timedOutUntil:u}.");
        if (!decision.Allowed)
            throw new HubException("missing_permission: " + PermissionProblems.MissingDetail(decision.Missing));
        return await voice.JoinAsync(Connection(), decision.Access, Context.ConnectionAborted);
    }

    public Task<string> PublishVoice(string sdp) => voice.PublishAsync(Connection(), Sdp(sdp), Context.ConnectionAborted);

    public async Task<VoiceSubscription?> SubscribeVoice()
    {
        try
        {
            return await voice.SubscribeAsync(Connection(), Context.ConnectionAborted);
        }
        catch (Infrastructure.Janus.JanusException e)
        {
            throw new HubException("unavailable: The media server refused the subscription (" + e.Message + ").");
        }
    }

    public Task AnswerVoice(string sdp) => voice.AnswerAsync(Connection(), Sdp(sdp), Context.ConnectionAborted);

    public Task SetVoiceState(VoiceSelfState state) =>
        voice.SetSelfAsync(Connection(), state ?? throw new HubException("validation_failed: state is required."));

    public Task LeaveVoice() => voice.LeaveAsync(CurrentUser.From(Context.User!).Id, Context.ConnectionId, CancellationToken.None);

    private GatewayConnection Connection() =>
        connections.Find(Context.ConnectionId) ?? throw new HubException("not_found: The connection is closing.");

    private static string Sdp(string? sdp) =>
        sdp is { Length: > 0 and <= MaxSdpLength } && sdp.StartsWith("v=0", StringComparison.Ordinal)
            ? sdp
            : throw new HubException("validation_failed: sdp must be a session description of at most 64 KiB.");
}

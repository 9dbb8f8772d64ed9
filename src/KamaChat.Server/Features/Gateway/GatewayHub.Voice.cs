using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Calls;
using KamaChat.Server.Features.Permissions;
using Microsoft.AspNetCore.SignalR;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// Voice channels (<see cref="VoiceChannels"/>): JoinVoice (CONNECT; what the client may publish follows SPEAK and
/// VIDEO), then PublishVoice with the client's offer, SubscribeVoice / AnswerVoice for what it receives (again after
/// each "VoiceState" signal of its channel), SetVoiceState for self mute, deafen, camera and screen, VoiceHeartbeat
/// while in the call, LeaveVoice; and
/// for moderators ModerateVoice (server mute, deafen), MoveVoice and DisconnectVoice (in a mesh call too, see
/// <see cref="VoiceMesh"/>).
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
            throw new HubException("timed_out: " + PermissionProblems.TimedOutDetail(timedOutUntil));
        if (!decision.Allowed)
            throw new HubException(PermissionProblems.HubRefusal(decision));
        // Without Janus, voice channels are a peer-to-peer mesh (GatewayHub.VoiceMesh.cs).
        if (mesh.Active)
            return await mesh.JoinAsync(Connection(), decision.Access, Context.ConnectionAborted);
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

    public Task SetVoiceState(VoiceSelfState state)
    {
        var connection = Connection();
        state = state ?? throw new HubException("validation_failed: state is required.");
        return mesh.Holds(connection) ? mesh.SetSelfAsync(connection, state) : voice.SetSelfAsync(connection, state);
    }

    /// <summary>Server mute (MUTE_MEMBERS) and deafen (DEAFEN_MEMBERS) of someone in a voice channel of the caller's server.</summary>
    public async Task ModerateVoice(string userId, VoiceModerationRequest moderation)
    {
        ArgumentNullException.ThrowIfNull(moderation);
        // Before anything is looked up: asking for no change would pass no permission check, and answer for anyone
        // whether the user is in a voice channel, of any server.
        if (moderation.Mute is null && moderation.Deaf is null)
            throw new HubException("validation_failed: Say mute, deaf or both.");
        var (targetId, channelId) = await InVoiceAsync(userId);
        ChannelAccess? access = null;
        if (moderation.Mute is not null)
            access = await RequireAsync(channelId, Permissions.Permissions.MuteMembers);
        if (moderation.Deaf is not null)
            access = await RequireAsync(channelId, Permissions.Permissions.DeafenMembers);
        if (access is not null)
            await AboveAsync(access, targetId);
        if (mesh.ChannelOf(targetId) is not null)
            await mesh.ModerateAsync(targetId, moderation, Context.ConnectionAborted);
        else
            await voice.ModerateAsync(targetId, moderation, Context.ConnectionAborted);
    }

    /// <summary>Moves someone to another voice channel of the server (MOVE_MEMBERS in both; they need CONNECT there).</summary>
    public async Task MoveVoice(string userId, string channelId)
    {
        var (targetId, fromId) = await InVoiceAsync(userId);
        var from = await RequireAsync(fromId, Permissions.Permissions.MoveMembers);
        var to = await RequireAsync(ParseId(channelId, nameof(channelId)), Permissions.Permissions.MoveMembers);
        if (to.Channel.Type != Channels.ChannelType.Voice || to.Channel.ServerId != from.Channel.ServerId)
            throw new HubException("validation_failed: Members can be moved to a voice channel of the same server only.");
        await AboveAsync(from, targetId);
        var theirs = await permissions.AuthorizeChannelAsync(targetId, to.ChannelId, Permissions.Permissions.Connect, Context.ConnectionAborted);
        if (!theirs.Allowed)
            throw new HubException("missing_permission: That member may not connect to that channel.");
        if (mesh.ChannelOf(targetId) is not null)
            await mesh.MoveAsync(targetId, to.ChannelId);
        else
            await voice.MoveAsync(targetId, to.ChannelId);
    }

    /// <summary>Disconnects someone from their voice channel (MOVE_MEMBERS there).</summary>
    public async Task DisconnectVoice(string userId)
    {
        var (targetId, channelId) = await InVoiceAsync(userId);
        await AboveAsync(await RequireAsync(channelId, Permissions.Permissions.MoveMembers), targetId);
        if (mesh.ChannelOf(targetId) is not null)
            await mesh.DisconnectAsync(targetId);
        else
            await voice.DisconnectAsync(targetId);
    }

    /// <summary>
    /// The client in a call says it is alive, every <see cref="VoiceJoined.HeartbeatMilliseconds"/>: a call not heard
    /// from for the lease (three heartbeats) ends, so a frozen tab or a network gone without a close leaves no ghost.
    /// </summary>
    public void VoiceHeartbeat()
    {
        if (connections.Find(Context.ConnectionId) is not { } connection)
            return;
        voice.Heard(connection);
        mesh.Heard(connection);
    }

    private async Task<(Snowflake UserId, Snowflake ChannelId)> InVoiceAsync(string userId)
    {
        var id = ParseId(userId, nameof(userId));
        return (mesh.ChannelOf(id) ?? await voice.ChannelOfAsync(id)) is { } channelId ? (id, channelId) : throw new HubException("not_found: That member is not in a voice channel.");
    }

    /// <summary>The caller's access to a channel that needs <paramref name="permission"/>: not_found when they cannot see it.</summary>
    private async Task<ChannelAccess> RequireAsync(Snowflake channelId, Permissions.Permissions permission)
    {
        var decision = await permissions.AuthorizeChannelAsync(CurrentUser.From(Context.User!).Id, channelId, permission, Context.ConnectionAborted);
        if (decision.Access is null)
            throw new HubException("not_found: That member is not in a voice channel.");
        return decision.Allowed ? decision.Access : throw new HubException(PermissionProblems.HubRefusal(decision));
    }

    /// <summary>
    /// The caller stands above the member they moderate in the role hierarchy (the owner above everyone), as for
    /// overwrites (Channels/OverwriteEndpoints.cs): nobody silences, moves or disconnects those at or above them.
    /// </summary>
    private async Task AboveAsync(ChannelAccess access, Snowflake targetId)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Data.KamaDbContext>();
        if (access.Server is not { } server || !await Servers.Hierarchy.CanManageMemberAsync(db, server, targetId, Context.ConnectionAborted))
            throw new HubException("role_hierarchy: " + Servers.ServerProblems.RoleHierarchyDetail);
    }

    public async Task LeaveVoice()
    {
        var userId = CurrentUser.From(Context.User!).Id;
        await mesh.LeaveAsync(userId, Context.ConnectionId);
        await voice.LeaveAsync(userId, Context.ConnectionId, CancellationToken.None);
    }

    private GatewayConnection Connection() =>
        connections.Find(Context.ConnectionId) ?? throw new HubException("not_found: The connection is closing.");

    private static string Sdp(string? sdp) =>
        sdp is { Length: > 0 and <= MaxSdpLength } && sdp.StartsWith("v=0", StringComparison.Ordinal)
            ? sdp
            : throw new HubException("validation_failed: sdp must be a session description of at most 64 KiB.");
}

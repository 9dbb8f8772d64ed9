using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Janus;
using Microsoft.AspNetCore.SignalR;

namespace KamaChat.Server.Features.Calls;

/// <summary>
/// Moderators' voice controls, as Discord has them: server mute and deafen (kept on the member, so leaving and
/// joining again does not lift them, and enforced at Janus: a muted member's audio stream is stopped there with
/// "moderate", a deafened member's subscription stops forwarding audio), moving someone to another voice channel,
/// disconnecting them, and the user limit of a voice channel. The hub checks the moderator's permissions.
/// </summary>
public sealed partial class VoiceChannels
{
    /// <summary>How long a move lets its user into the channel past its user limit.</summary>
    internal static readonly TimeSpan MoveTicketLifetime = TimeSpan.FromSeconds(30);

    /// <summary>The voice channel the user is in, through whichever node.</summary>
    public async Task<Snowflake?> ChannelOfAsync(Snowflake userId) => (await states.GetAsync(userId))?.State.ChannelId;

    /// <summary>
    /// Sets a member's server mute and deafen (in this server, for good) and applies them to their call at once, on
    /// the node that holds it.
    /// </summary>
    public async Task ModerateAsync(Snowflake userId, VoiceModerationRequest request, CancellationToken cancellationToken)
    {
        if (await states.GetAsync(userId) is not { State.ServerId: { } serverId } entry)
            throw new HubException("not_found: That member is not in a voice channel.");
        await VoiceAnnouncements.SaveModerationAsync(scopes, userId, serverId, request, cancellationToken);
        if (entry.Node == states.Node)
            await RecheckAsync(userId, cancellationToken);
        else
            await states.SendAsync(entry.Node, new VoiceCommand(VoiceCommand.Recheck, userId, entry.ConnectionId));
    }

    /// <summary>Ends the user's call and tells their client to join <paramref name="channelId"/>, which it may then do past the user limit.</summary>
    public async Task MoveAsync(Snowflake userId, Snowflake channelId)
    {
        await states.GrantMoveAsync(userId, channelId, MoveTicketLifetime);
        if (await states.GetAsync(userId) is { } entry)
            await EndAsync(entry, VoiceEnded.Moved, channelId);
    }

    /// <summary>Ends the user's call (a moderator's disconnect).</summary>
    public async Task DisconnectAsync(Snowflake userId)
    {
        if (await states.GetAsync(userId) is { } entry)
            await EndAsync(entry, VoiceEnded.Disconnected);
    }

    private Task<VoiceModeration> ModerationOfAsync(Snowflake userId, Snowflake? serverId, CancellationToken cancellationToken) =>
        VoiceAnnouncements.ModerationOfAsync(scopes, userId, serverId, cancellationToken);

    /// <summary>
    /// Refuses a join past the channel's user limit, counted in the shared voice states (so across every node), unless
    /// the user has MOVE_MEMBERS there or was just moved into it. Two joins at the same moment can both pass: the limit
    /// is a courtesy, as in Discord, not a security boundary.
    /// </summary>
    private async Task CheckUserLimitAsync(Snowflake userId, ChannelAccess access, CancellationToken cancellationToken)
    {
        var limit = access.Channel.UserLimit;
        if (limit <= 0 || access.Has(Permissions.Permissions.MoveMembers))
            return;
        if (await states.TakeMoveAsync(userId, access.ChannelId))
            return;
        var inside = (await states.InChannelsAsync([access.ChannelId])).Count(s => s.UserId != userId);
        if (inside >= limit)
            throw new HubException($"channel_full: This voice channel is full ({inside} of {limit}).");
    }

    /// <summary>Stops (or resumes) forwarding audio to the user's subscription at Janus.</summary>
    private static async Task DeafenAsync(Session session, bool deaf, CancellationToken cancellationToken)
    {
        if (session.Subscriber is not { } subscriber)
            return;
        var audio = subscriber.Streams.Where(s => s.Kind == "audio").Select(s => s.Mid).ToList();
        if (audio.Count > 0)
            await subscriber.SendAsync(audio, !deaf, cancellationToken);
    }
}

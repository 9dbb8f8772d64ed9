using System.Text.Json;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Gateway;
using Microsoft.AspNetCore.SignalR;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Calls;

/// <summary>What voice calls through Janus (<see cref="VoiceChannels"/>) and peer to peer (<see cref="VoiceMesh"/>) share.</summary>
internal static class VoiceAnnouncements
{
    /// <summary>The member's server mute and deafen in the channel's server (none in a channel outside a server).</summary>
    public static async Task<VoiceModeration> ModerationOfAsync(IServiceScopeFactory scopes, Snowflake userId, Snowflake? serverId, CancellationToken cancellationToken)
    {
        if (serverId is null)
            return VoiceModeration.None;
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<KamaDbContext>().Members
            .Where(m => m.ServerId == serverId && m.UserId == userId)
            .Select(m => new VoiceModeration(m.VoiceMuted, m.VoiceDeafened))
            .SingleOrDefaultAsync(cancellationToken) ?? VoiceModeration.None;
    }

    /// <summary>
    /// Sets the member's server mute and deafen in <paramref name="serverId"/> (kept on the member, so leaving and joining
    /// again does not lift them); not_found when they are not a member.
    /// </summary>
    public static async Task SaveModerationAsync(IServiceScopeFactory scopes, Snowflake userId, Snowflake serverId, VoiceModerationRequest request,
        CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var member = await db.Members.SingleOrDefaultAsync(m => m.ServerId == serverId && m.UserId == userId, cancellationToken)
            ?? throw new HubException("not_found: That member is not in a voice channel.");
        member.VoiceMuted = request.Mute ?? member.VoiceMuted;
        member.VoiceDeafened = request.Deaf ?? member.VoiceDeafened;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The user's voice state in the call, for everyone who can see the channel.</summary>
    public static VoiceState State(Snowflake userId, Snowflake channelId, Snowflake? serverId, Snowflake callId, VoiceSelfState self, VoiceModeration moderation) =>
        new(userId, channelId, serverId, self.SelfMute, self.SelfDeaf, self.Video, self.Stream, callId, moderation.Mute, moderation.Deaf);

    /// <summary>"VoiceState" to everyone who can see the channel: the user left it (no channel).</summary>
    public static GatewaySignal LeftSignal(VoiceState state) => Signal(state with { ChannelId = null }, state.ChannelId!.Value);

    /// <summary>"VoiceState" to everyone who can see the channel (<paramref name="channelId"/>, or the state's).</summary>
    public static GatewaySignal Signal(VoiceState state, Snowflake? channelId = null) =>
        new("VoiceState", [GatewayGroups.Channel(channelId ?? state.ChannelId!.Value)],
            JsonSerializer.SerializeToElement(state, EventLog.PayloadJson));
}

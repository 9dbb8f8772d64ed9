using System.Text.Json;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Gateway;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Infrastructure.Caching;

namespace KamaChat.Server.Features.Users;

/// <summary>
/// Tells everyone who shows a user's name or picture that it changed, at once: the members of each server the user
/// is in, the people in their DMs and group DMs, their friends, and their own other sessions. The same reach as their
/// presence (<see cref="GatewayHub"/>'s announcement), never the whole instance.
/// </summary>
/// <remarks>
/// A signal like presence, not a logged event: it carries the whole current profile, so one missed (a client
/// reconnecting) is made good by the profiles the client fetches anew, and a change of picture does not write one
/// log row per server.
/// </remarks>
public sealed class ProfileBroadcast(PresenceAudience audience, IGatewayFanout fanout, KamaCache cache)
{
    public const string Method = "UserUpdated";

    public async Task SendAsync(User user, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        // This node's cached summary goes now; other nodes drop theirs when the signal reaches them (RedisFanout).
        cache.Invalidate([CacheTags.User(userId)]);
        var groups = await audience.GroupsAsync(userId, cancellationToken);
        groups.Add(GatewayGroups.User(userId));
        var profile = UserSummary.Of(user.Id, user.UserName, user.DisplayName, user.AvatarUrl);
        // After the change is saved: a broadcast that fails must not undo it (the others see it on their next fetch).
        await fanout.SendSignalAsync(new GatewaySignal(Method, [.. groups], JsonSerializer.SerializeToElement(profile, EventLog.PayloadJson)), CancellationToken.None);
    }
}

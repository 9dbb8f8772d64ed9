using KamaChat.Server.Data;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Relationships;

/// <summary>Why one user may not reach another.</summary>
public enum ContactRefusal
{
    None,

    /// <summary>The sender blocked the recipient: they know, and are told to unblock first.</summary>
    SenderBlocked,

    /// <summary>The recipient blocked the sender, or their privacy settings leave the sender out. The two answer alike, so a block is never disclosed.</summary>
    Refused,
}

/// <summary>
/// Whether one user may DM, add to a group DM, or ask to be friends with another: blocks first (either way), then the
/// recipient's privacy settings. DMs, group DMs, messages in a DM and friend requests all ask here.
/// </summary>
public static class ContactPolicy
{
    /// <summary>
    /// A DM (or a group DM with the recipient) is allowed between friends; otherwise when a server both are in lets its
    /// members DM the recipient (their choice for that server, else their default), or, sharing no server, when the
    /// recipient's default allows DMs from people who are not friends.
    /// </summary>
    public static async Task<ContactRefusal> CheckDmAsync(KamaDbContext db, Snowflake senderId, Snowflake recipientId, CancellationToken cancellationToken)
    {
        var pair = await PairAsync(db, senderId, recipientId, cancellationToken);
        if (BlockRefusal(pair, senderId, recipientId) is { } blocked)
            return blocked;
        if (pair.Any(r => r.Type == RelationshipType.Friend))
            return ContactRefusal.None;

        var allowByDefault = await db.Set<PrivacySettings>().AsNoTracking().Where(p => p.UserId == recipientId)
            .Select(p => (bool?)p.AllowDmsFromServerMembers).SingleOrDefaultAsync(cancellationToken) ?? true;
        var shared = await SharedServers(db, senderId, recipientId)
            .Select(serverId => db.Set<ServerPrivacy>().Where(s => s.UserId == recipientId && s.ServerId == serverId).Select(s => (bool?)s.AllowDms).FirstOrDefault())
            .ToListAsync(cancellationToken);
        var allowed = shared.Count == 0 ? allowByDefault : shared.Any(choice => choice ?? allowByDefault);
        return allowed ? ContactRefusal.None : ContactRefusal.Refused;
    }

    /// <summary>A friend request is allowed unless a block stands between the two or the recipient's settings leave the sender out.</summary>
    public static async Task<ContactRefusal> CheckFriendRequestAsync(KamaDbContext db, Snowflake senderId, Snowflake recipientId, CancellationToken cancellationToken)
    {
        var pair = await PairAsync(db, senderId, recipientId, cancellationToken);
        if (BlockRefusal(pair, senderId, recipientId) is { } blocked)
            return blocked;

        var settings = await db.Set<PrivacySettings>().AsNoTracking().SingleOrDefaultAsync(p => p.UserId == recipientId, cancellationToken)
            ?? new PrivacySettings();
        if (settings.FriendRequestsFromEveryone)
            return ContactRefusal.None;
        if (settings.FriendRequestsFromFriendsOfFriends && await db.Set<Relationship>().AnyAsync(r =>
                r.UserId == recipientId && r.Type == RelationshipType.Friend &&
                db.Set<Relationship>().Any(o => o.UserId == senderId && o.OtherUserId == r.OtherUserId && o.Type == RelationshipType.Friend), cancellationToken))
            return ContactRefusal.None;
        if (settings.FriendRequestsFromServerMembers && await SharedServers(db, senderId, recipientId).AnyAsync(cancellationToken))
            return ContactRefusal.None;
        return ContactRefusal.Refused;
    }

    /// <summary>Whether either of the two blocked the other (group DM messages and shared servers are not stopped by it).</summary>
    public static Task<bool> EitherBlockedAsync(KamaDbContext db, Snowflake a, Snowflake b, CancellationToken cancellationToken) =>
        db.Set<Relationship>().AnyAsync(r => r.Type == RelationshipType.Blocked &&
            ((r.UserId == a && r.OtherUserId == b) || (r.UserId == b && r.OtherUserId == a)), cancellationToken);

    /// <summary>The answer to a refused DM or group DM: 403 <c>user_blocked</c> to the blocker, else <c>cannot_message_user</c>.</summary>
    public static ProblemHttpResult DmProblem(ContactRefusal refusal) => refusal == ContactRefusal.SenderBlocked
        ? YouBlocked()
        : Problems.Forbidden("cannot_message_user",
            "This user is not accepting direct messages from you. They may accept them only from friends or from members of some servers.");

    public static ProblemHttpResult FriendRequestProblem(ContactRefusal refusal) => refusal == ContactRefusal.SenderBlocked
        ? YouBlocked()
        : Problems.Forbidden("friend_request_refused", "This user is not accepting friend requests from you.");

    private static ProblemHttpResult YouBlocked() =>
        Problems.Forbidden("user_blocked", "You blocked this user. Unblock them first.");

    private static ContactRefusal? BlockRefusal(List<(Snowflake UserId, RelationshipType Type)> pair, Snowflake senderId, Snowflake recipientId)
    {
        if (pair.Contains((senderId, RelationshipType.Blocked)))
            return ContactRefusal.SenderBlocked;
        if (pair.Contains((recipientId, RelationshipType.Blocked)))
            return ContactRefusal.Refused;
        return null;
    }

    private static async Task<List<(Snowflake UserId, RelationshipType Type)>> PairAsync(KamaDbContext db, Snowflake a, Snowflake b, CancellationToken cancellationToken) =>
        (await db.Set<Relationship>().AsNoTracking()
            .Where(r => (r.UserId == a && r.OtherUserId == b) || (r.UserId == b && r.OtherUserId == a))
            .Select(r => new { r.UserId, r.Type })
            .ToListAsync(cancellationToken))
        .Select(r => (r.UserId, r.Type)).ToList();

    private static IQueryable<Snowflake> SharedServers(KamaDbContext db, Snowflake a, Snowflake b) =>
        db.Members.Where(m => m.UserId == b && db.Members.Any(o => o.ServerId == m.ServerId && o.UserId == a)).Select(m => m.ServerId);
}

using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.DirectMessages;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.ProfileImages;
using KamaChat.Server.Features.Relationships;
using KamaChat.Server.Features.Servers;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Users;

/// <summary>
/// Deleting an account: the user row stays as a tombstone ("Deleted User") so their messages and reactions keep an
/// author, while everything personal (name, email, phone, password, profile, sessions, memberships, DMs) is erased.
/// </summary>
public static class AccountDeletion
{
    public const string TombstonePrefix = "deleted_user_";
    public const string TombstoneDisplayName = "Deleted User";

    /// <summary>Registration refuses these names, so a tombstone's name is always free.</summary>
    public static bool IsReservedName(string? username) =>
        username is not null && username.StartsWith(TombstonePrefix, StringComparison.OrdinalIgnoreCase);

    public static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteMeAsync(
        [FromBody] DeleteAccountRequest request, CurrentUser me, KamaDbContext db, UserManager<User> users, EventLog events,
        TokenService tokens, StoredFileCleanup files, CancellationToken cancellationToken)
    {
        var userId = me.Id;
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
            return Problems.NotFound("The user");
        if (await users.IsLockedOutAsync(user))
            return Problems.Of(StatusCodes.Status429TooManyRequests, "account_locked",
                "Too many wrong passwords. The account is locked for a while; try again later.");
        if (!await users.CheckPasswordAsync(user, request.Password))
        {
            // Counts towards lockout like a failed sign-in, so a stolen token cannot be used to guess the password.
            await users.AccessFailedAsync(user);
            return Problems.Forbidden("invalid_password", "The password is incorrect.");
        }
        if (await db.Servers.AnyAsync(s => s.OwnerId == userId, cancellationToken))
            return Problems.Conflict("owns_servers", "Transfer or delete the servers you own before deleting your account.");

        var memberships = await db.Members.Where(m => m.UserId == userId).Select(m => m.ServerId).ToListAsync(cancellationToken);
        var dms = await db.ChannelRecipients.Where(r => r.UserId == userId).Select(r => r.ChannelId).ToListAsync(cancellationToken);

        // Files: the avatar and banner, uploads never sent, and those of group DMs that end with this user; sent ones stay with their messages.
        var (avatar, banner) = (ProfileImageStore.PrefixOf(user.AvatarUrl), ProfileImageStore.PrefixOf(user.BannerUrl));
        var unsent = await db.Attachments.Where(a => a.UploaderId == userId && a.MessageId == null).Select(a => a.Id).ToListAsync(cancellationToken);
        var inDms = await db.Attachments.Where(a => dms.Contains(a.ChannelId)).Select(a => a.Id).ToListAsync(cancellationToken);

        await using var change = await events.BeginAsync(cancellationToken);
        Erase(user, users);
        await db.SaveChangesAsync(cancellationToken);

        // Revoked first, so every node closes their gateway connections; then gone with the rest.
        await tokens.RevokeAsync(change, userId, _ => true, "account_deleted", cancellationToken);
        await db.Sessions.Where(s => s.UserId == userId).ExecuteDeleteAsync(cancellationToken); // refresh tokens cascade
        await db.UserClaims.Where(c => c.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.UserLogins.Where(l => l.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.UserTokens.Where(t => t.UserId == userId).ExecuteDeleteAsync(cancellationToken); // authenticator key, recovery codes
        await db.ReadStates.Where(r => r.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.Attachments.Where(a => unsent.Contains(a.Id) && a.MessageId == null).ExecuteDeleteAsync(cancellationToken);
        await db.Members.Where(m => m.UserId == userId).ExecuteDeleteAsync(cancellationToken); // member roles cascade
        foreach (var serverId in memberships)
            await change.AppendAsync(new MemberLeft(serverId, userId, Reason: null), cancellationToken);
        // Friendships, requests and blocks end on both sides; the people on the other side see them go.
        var related = await db.Set<Relationship>().Where(r => r.OtherUserId == userId).OrderBy(r => r.UserId).Select(r => r.UserId).ToListAsync(cancellationToken);
        await db.Set<Relationship>().Where(r => r.UserId == userId || r.OtherUserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.Set<PrivacySettings>().Where(p => p.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.Set<ServerPrivacy>().Where(p => p.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        foreach (var otherId in related)
            await change.AppendAsync(new RelationshipRemoved(otherId, userId), cancellationToken);
        // Group DMs hand ownership over or disappear with their last participant, as when leaving.
        foreach (var channelId in dms)
            await DmChannels.RemoveRecipientAsync(db, change, channelId, userId, cancellationToken);
        // Messages and reactions stay, shown under the tombstone.
        await change.CommitAsync(cancellationToken);
        var kept = await db.Attachments.Where(a => unsent.Contains(a.Id) || inDms.Contains(a.Id)).Select(a => a.Id).ToListAsync(CancellationToken.None);
        await files.AttachmentsAsync([.. unsent.Concat(inDms).Except(kept)]);
        await files.PrefixesAsync(avatar, banner);
        return TypedResults.NoContent();
    }

    private static void Erase(User user, UserManager<User> users)
    {
        user.UserName = TombstonePrefix + user.Id;
        user.NormalizedUserName = users.NormalizeName(user.UserName);
        user.Email = null;
        user.NormalizedEmail = null;
        user.EmailConfirmed = false;
        user.PhoneNumber = null;
        user.PhoneNumberConfirmed = false;
        // No password hash: no password matches. A new stamp invalidates any outstanding Identity tokens.
        user.PasswordHash = null;
        user.SecurityStamp = Guid.NewGuid().ToString("N");
        user.ConcurrencyStamp = Guid.NewGuid().ToString("N");
        user.TwoFactorEnabled = false;
        user.AccessFailedCount = 0;
        user.LockoutEnd = null;
        user.DisplayName = TombstoneDisplayName;
        user.Bio = null;
        user.AvatarUrl = null;
        user.BannerUrl = null;
        user.StatusText = null;
    }
}

using System.Text.Json;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Gateway;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Jobs;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Notifications.Push;

/// <summary>A DM or a mention was sent: push it to its recipients' browsers that have no KamaChat open.</summary>
public sealed record PushMessageJob(Snowflake MessageId) : IJob
{
    public static string JobType => "push-message";
}

/// <summary>What a push carries; the service worker shows it as a notification that opens <c>Path</c>.</summary>
public sealed record PushPayload(string Title, string Body, string Tag, string Path);

/// <summary>
/// Sends Web Push for a DM or mention to each recipient who has no live connection (an open tab shows its own
/// notifications, hidden or not, so pushing too would show it twice), respecting their mute, Do Not Disturb, per-server
/// and per-channel levels and mutes, and what they may read now. A redelivered job may push again: the notification's
/// tag (one per conversation) replaces the earlier one instead of adding a second.
/// </summary>
public sealed class PushMessageJobHandler(
    KamaDbContext db,
    PermissionService permissions,
    PresenceTracker presence,
    PushSender sender,
    TimeProvider time) : IJobHandler<PushMessageJob>
{
    private const int MaxBody = 180;

    public async Task HandleAsync(PushMessageJob job, JobContext context, CancellationToken cancellationToken)
    {
        var message = await db.Messages.AsNoTracking().Where(m => m.Id == job.MessageId).Select(m => new
        {
            m.Id, m.ChannelId, m.AuthorId, m.Content, m.MentionsEveryone, m.Channel.Type, ChannelName = m.Channel.Name, m.Channel.ServerId,
            ServerName = db.Servers.Where(s => s.Id == m.Channel.ServerId).Select(s => s.Name).FirstOrDefault(),
            Author = m.Author.DisplayName ?? m.Author.UserName,
            Users = m.Mentions.Where(x => x.TargetType == MentionTarget.User).Select(x => x.TargetId).ToList(),
            Roles = m.Mentions.Where(x => x.TargetType == MentionTarget.Role).Select(x => x.TargetId).ToList(),
            HasAttachments = m.Attachments.Any(),
        }).SingleOrDefaultAsync(cancellationToken);
        if (message is null)
            return; // deleted before the job ran

        var direct = message.ServerId is null;
        var recipients = direct
            ? db.ChannelRecipients.Where(r => r.ChannelId == message.ChannelId).Select(r => r.UserId)
            : message.MentionsEveryone
                ? db.Members.Where(m => m.ServerId == message.ServerId).Select(m => m.UserId)
                : db.MemberRoles.Where(r => message.Roles.Contains(r.RoleId)).Select(r => r.UserId)
                    .Union(db.Members.Where(m => m.ServerId == message.ServerId && message.Users.Contains(m.UserId)).Select(m => m.UserId));
        // Only people with a browser subscribed are looked at any further.
        var subscribed = await db.Set<WebPushSubscription>().AsNoTracking()
            .Where(s => s.UserId != message.AuthorId && recipients.Contains(s.UserId))
            .ToListAsync(cancellationToken);
        if (subscribed.Count == 0)
            return;

        var now = time.GetUtcNow();
        var names = await MentionText.LoadAsync(db, [message.Content], cancellationToken);
        var payload = new PushPayload(
            direct ? (message.Type == ChannelType.GroupDm ? $"{message.Author} ({message.ChannelName ?? "Group DM"})" : message.Author ?? "Someone")
                : $"{message.Author} (#{message.ChannelName}, {message.ServerName})",
            Body(names, message.Content, message.ServerId, new HashSet<Snowflake>(), message.HasAttachments),
            $"channel:{message.ChannelId}",
            direct ? $"/channels/@me/{message.ChannelId}/{message.Id}" : $"/servers/{message.ServerId}/channels/{message.ChannelId}/{message.Id}");
        var json = JsonSerializer.Serialize(payload, Events.EventLog.PayloadJson);
        // A channel mention names the channel only for those who may see it: their text is their own.
        var namesChannels = MentionText.ChannelsIn(message.Content).Any();

        var settings = await SettingsAsync(subscribed.Select(s => s.UserId).Distinct().ToList(), message.ChannelId, message.ServerId, message.Id, cancellationToken);
        foreach (var group in subscribed.GroupBy(s => s.UserId))
        {
            var mentioned = direct ? message.Users.Contains(group.Key) || message.MentionsEveryone : true;
            if (!await WantsAsync(group.Key, settings, message.ChannelId, direct, mentioned, now, cancellationToken))
                continue;
            var theirs = !namesChannels ? json : JsonSerializer.Serialize(
                payload with
                {
                    Body = Body(names, message.Content, message.ServerId,
                        await MentionText.VisibleChannelsAsync(permissions, group.Key, message.Content, [], cancellationToken), message.HasAttachments),
                },
                Events.EventLog.PayloadJson);
            var gone = new List<Snowflake>();
            foreach (var subscription in group)
                if (await sender.SendAsync(subscription, theirs, message.ChannelId.ToString(), cancellationToken) == PushOutcome.Gone)
                    gone.Add(subscription.Id);
            if (gone.Count > 0)
                await db.Set<WebPushSubscription>().Where(s => gone.Contains(s.Id)).ExecuteDeleteAsync(cancellationToken);
        }
    }

    /// <summary>The recipients' own settings for this message, one query each for all of them (an @everyone may reach thousands).</summary>
    private sealed record RecipientSettings(
        HashSet<Snowflake> DesktopMuted,
        Dictionary<Snowflake, ServerNotificationRule> ServerRules,
        Dictionary<Snowflake, ChannelNotificationRule> ChannelRules,
        HashSet<Snowflake> AlreadyRead);

    private async Task<RecipientSettings> SettingsAsync(
        List<Snowflake> userIds, Snowflake channelId, Snowflake? serverId, Snowflake messageId, CancellationToken cancellationToken)
    {
        var muted = await db.Set<NotificationSettings>().AsNoTracking()
            .Where(s => userIds.Contains(s.UserId) && s.DesktopMuted).Select(s => s.UserId).ToListAsync(cancellationToken);
        var serverRules = serverId is null ? []
            : await db.Set<ServerNotificationRule>().AsNoTracking()
                .Where(r => r.ServerId == serverId && userIds.Contains(r.UserId)).ToDictionaryAsync(r => r.UserId, cancellationToken);
        var channelRules = await db.Set<ChannelNotificationRule>().AsNoTracking()
            .Where(r => r.ChannelId == channelId && userIds.Contains(r.UserId)).ToDictionaryAsync(r => r.UserId, cancellationToken);
        // Read on another device before the job ran.
        var read = await db.ReadStates.AsNoTracking()
            .Where(r => r.ChannelId == channelId && userIds.Contains(r.UserId) && r.LastReadMessageId >= messageId).Select(r => r.UserId).ToListAsync(cancellationToken);
        return new RecipientSettings([.. muted], serverRules, channelRules, [.. read]);
    }

    private async Task<bool> WantsAsync(
        Snowflake userId, RecipientSettings settings, Snowflake channelId, bool direct, bool mentioned, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (settings.DesktopMuted.Contains(userId) || settings.AlreadyRead.Contains(userId))
            return false;
        if (!NotificationPolicy.Notifies(direct, mentioned, settings.ServerRules.GetValueOrDefault(userId), settings.ChannelRules.GetValueOrDefault(userId), now))
            return false;
        if (await presence.IsConnectedAsync(userId) || await presence.ChosenAsync(userId) == PresenceStatus.DoNotDisturb)
            return false;
        return (await permissions.AuthorizeChannelAsync(userId, channelId, Permissions.Permissions.ReadMessageHistory, cancellationToken)).Allowed;
    }

    /// <summary>The text as a notification shows it (mentions as names, <see cref="MentionText"/>), or what it carries when it has none.</summary>
    private static string Body(MentionText names, string content, Snowflake? serverId, IReadOnlySet<Snowflake> visibleChannels, bool hasAttachments)
    {
        var text = names.Render(content, serverId, visibleChannels, MaxBody);
        return text.Length == 0 && hasAttachments ? "Sent an attachment" : text;
    }
}

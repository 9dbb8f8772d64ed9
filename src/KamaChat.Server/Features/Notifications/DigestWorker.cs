using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Gateway;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Email;
using KamaChat.Server.Infrastructure.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Notifications;

/// <summary>When digests go out: after a message has waited unread this long, and at most once per window.</summary>
public sealed class DigestOptions : ISettingErrors
{
    /// <summary>How long a message stays unread, with its reader away, before it is mailed (KAMACHAT_DIGEST_DELAY_SECONDS).</summary>
    public TimeSpan Delay { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often this node looks for digests to send (KAMACHAT_DIGEST_SCAN_SECONDS).</summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Older unread messages are not mailed about any more.</summary>
    public TimeSpan Horizon { get; set; } = TimeSpan.FromDays(3);

    public int MaxItems { get; set; } = 20;

    public List<string> Errors { get; } = [];

    public static void Bind(DigestOptions options, IConfiguration configuration)
    {
        // A delay as long as the horizon would mail nothing; a scan is at most daily.
        options.Delay = TimeSpan.FromSeconds(WholeNumberSetting.Read(configuration, "KAMACHAT_DIGEST_DELAY_SECONDS",
            (int)options.Delay.TotalSeconds, 0, (int)options.Horizon.TotalSeconds - 1, options.Errors));
        options.ScanInterval = TimeSpan.FromSeconds(WholeNumberSetting.Read(configuration, "KAMACHAT_DIGEST_SCAN_SECONDS",
            (int)options.ScanInterval.TotalSeconds, 1, 86_400, options.Errors));
    }
}

public sealed record DigestItem(Snowflake MessageId, Snowflake ChannelId, string Where, string Author, string Snippet);

/// <summary>
/// Mails each away user one digest per window of the DMs and mentions (or, if they chose, all messages) they have
/// not read. Runs on worker nodes; a conditional update claims each user's window, so several workers never
/// send the same digest, and a message is in at most one digest.
/// </summary>
public sealed class DigestWorker(
    IServiceScopeFactory scopes,
    IOptions<DigestOptions> options,
    IOptions<JobOptions> jobs,
    TimeProvider time,
    ILogger<DigestWorker> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!jobs.Value.RunWorker)
            return;
        using var timer = new PeriodicTimer(options.Value.ScanInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<DigestSender>().SendDueAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Sending notification digests failed; trying again at the next scan");
            }
        }
    }
}

public sealed class DigestSender(
    KamaDbContext db,
    PermissionService permissions,
    PresenceTracker presence,
    EmailOutbox outbox,
    UnsubscribeTokens unsubscribe,
    IOptions<DigestOptions> options,
    IOptions<ServerOptions> server,
    TimeProvider time)
{
    /// <summary>How much of a message an email digest quotes.</summary>
    private const int MaxSnippet = 141;

    public async Task<int> SendDueAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var newest = SnowflakeGenerator.MinimumIdAt(now - settings.Delay);
        var oldest = SnowflakeGenerator.MinimumIdAt(now - settings.Horizon);

        // Who might have something: people mentioned (by name, by a role they hold, by @everyone) or DMed in the window,
        // and those who asked for everything.
        var window = db.Messages.Where(m => m.Id >= oldest && m.Id < newest);
        var mentioned = window.SelectMany(m => m.Mentions.Where(x => x.TargetType == MentionTarget.User).Select(x => x.TargetId));
        var messaged = window.Where(m => m.Channel.ServerId == null)
            .SelectMany(m => db.ChannelRecipients.Where(r => r.ChannelId == m.ChannelId && r.UserId != m.AuthorId).Select(r => r.UserId));
        var everyone = window.Where(m => m.MentionsEveryone && m.Channel.ServerId != null)
            .SelectMany(m => db.Members.Where(x => x.ServerId == m.Channel.ServerId && x.UserId != m.AuthorId).Select(x => x.UserId));
        var roleMentioned =
            from x in db.MessageMentions
            where x.TargetType == MentionTarget.Role && x.MessageId >= oldest && x.MessageId < newest
            join r in db.MemberRoles on x.TargetId equals r.RoleId
            where r.UserId != x.AuthorId
            select r.UserId;
        var wantAll = db.Set<NotificationSettings>().Where(s => s.Email == EmailNotifications.All).Select(s => s.UserId);
        var candidates = await mentioned.Union(roleMentioned).Union(messaged).Union(everyone).Union(wantAll).Distinct().Take(5000).ToListAsync(cancellationToken);
        if (candidates.Count == 0)
            return 0;

        var away = (await presence.StatusesAsync(candidates)).Where(s => s.Value == PresenceStatus.Offline).Select(s => s.Key).ToList();
        var sent = 0;
        foreach (var userId in away)
            if (await TrySendAsync(userId, oldest, newest, now, cancellationToken))
                sent++;
        return sent;
    }

    private async Task<bool> TrySendAsync(Snowflake userId, Snowflake oldest, Snowflake newest, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId && u.EmailConfirmed && u.Email != null)
            .Select(u => new { u.Email, Name = u.DisplayName ?? u.UserName }).SingleOrDefaultAsync(cancellationToken);
        if (user is null)
            return false;

        var row = await NotificationEndpoints.SettingsRowAsync(db, userId, cancellationToken);
        if (row.Email == EmailNotifications.None)
            return false;
        if (db.Entry(row).State == EntityState.Added)
            await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();

        // Claim this user's window; another worker (or the next scan) finds it taken.
        var windowStart = now - options.Value.Delay;
        var claimed = await db.Set<NotificationSettings>()
            .Where(s => s.UserId == userId && (s.LastDigestAt == null || s.LastDigestAt < windowStart))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastDigestAt, now), cancellationToken) == 1;
        if (!claimed)
            return false;

        var items = await PendingAsync(userId, row.Email, Snowflake.Max(oldest, new Snowflake(row.LastNotifiedMessageId.Value + 1)), newest, cancellationToken);
        if (items.Count == 0)
            return false;

        var last = items.Max(i => i.MessageId);
        await db.Set<NotificationSettings>()
            .Where(s => s.UserId == userId && s.LastNotifiedMessageId < last)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastNotifiedMessageId, last), cancellationToken);
        await outbox.EnqueueAsync(user.Email!, Render(user.Name ?? "there", items, userId), cancellationToken);
        return true;
    }

    /// <summary>Unread messages for the user in [from, to), that they may still read, newest last.</summary>
    public async Task<List<DigestItem>> PendingAsync(Snowflake userId, EmailNotifications mode, Snowflake from, Snowflake to, CancellationToken cancellationToken)
    {
        var muted = db.Set<MutedServer>().Where(m => m.UserId == userId).Select(m => m.ServerId);

        // Only what was sent to the user: after they joined the server or the group DM (their JoinPosition), and a
        // role's mentions after they were given it (GrantPosition), as the unread mention counts do. A new member is
        // not mailed the server's day of chatter and pings before they came, nor a new moderator the old @Moderators.
        var unread = db.Messages.AsNoTracking()
            .Where(m => m.Id >= from && m.Id < to && m.AuthorId != userId)
            .Where(m => !db.ReadStates.Any(r => r.UserId == userId && r.ChannelId == m.ChannelId && r.LastReadMessageId >= m.Id));
        var everything = mode == EmailNotifications.All;
        var relevant = unread.Where(m =>
            db.ChannelRecipients.Any(r => r.UserId == userId && r.ChannelId == m.ChannelId && r.JoinPosition < m.Id) ||
            (db.Members.Any(j => j.UserId == userId && j.ServerId == m.Channel.ServerId && j.JoinPosition < m.Id && !muted.Contains(j.ServerId)) &&
             (everything || m.MentionsEveryone || m.Mentions.Any(x =>
                 (x.TargetType == MentionTarget.User && x.TargetId == userId) ||
                 (x.TargetType == MentionTarget.Role && db.MemberRoles.Any(r => r.UserId == userId && r.RoleId == x.TargetId && r.GrantPosition < x.MessageId))))));

        var rows = await relevant
            .OrderByDescending(m => m.Id)
            .Take(options.Value.MaxItems * 3)
            .Select(m => new
            {
                m.Id, m.ChannelId, m.Content, m.Channel.Type, ChannelName = m.Channel.Name, m.Channel.ServerId,
                ServerName = db.Servers.Where(s => s.Id == m.Channel.ServerId).Select(s => s.Name).FirstOrDefault(),
                Author = m.Author.DisplayName ?? m.Author.UserName,
            })
            .ToListAsync(cancellationToken);

        // Channels and servers the user silenced for pop-ups (level "nothing", or muted now) are not mailed about either.
        var now = time.GetUtcNow();
        var serverRules = await db.Set<ServerNotificationRule>().AsNoTracking().Where(r => r.UserId == userId).ToDictionaryAsync(r => r.ServerId, cancellationToken);
        var channelRules = await db.Set<ChannelNotificationRule>().AsNoTracking().Where(r => r.UserId == userId).ToDictionaryAsync(r => r.ChannelId, cancellationToken);

        var names = await MentionText.LoadAsync(db, rows.Select(r => r.Content), cancellationToken);

        // Permissions can change after a message was sent: only what the user may read now goes out.
        var readable = new Dictionary<Snowflake, bool>();
        var mentionedVisible = new Dictionary<Snowflake, bool>();
        var items = new List<DigestItem>();
        foreach (var row in rows)
        {
            if (NotificationPolicy.Silenced(row.ServerId is { } s ? serverRules.GetValueOrDefault(s) : null, channelRules.GetValueOrDefault(row.ChannelId), now))
                continue;
            if (!readable.TryGetValue(row.ChannelId, out var ok))
                readable[row.ChannelId] = ok =
                    (await permissions.AuthorizeChannelAsync(userId, row.ChannelId, Permissions.Permissions.ReadMessageHistory, cancellationToken)).Allowed;
            if (!ok)
                continue;
            var where = row.Type is ChannelType.Dm or ChannelType.GroupDm
                ? (row.Type == ChannelType.Dm ? "Direct message" : row.ChannelName ?? "Group DM")
                : $"{row.ServerName} › #{row.ChannelName}";
            var snippet = names.Render(row.Content, row.ServerId, await MentionText.VisibleChannelsAsync(permissions, userId, row.Content, mentionedVisible, cancellationToken), MaxSnippet);
            items.Add(new DigestItem(row.Id, row.ChannelId, where, row.Author ?? "Someone", snippet));
            if (items.Count == options.Value.MaxItems)
                break;
        }
        items.Reverse();
        return items;
    }

    private EmailContent Render(string name, List<DigestItem> items, Snowflake userId)
    {
        var openLink = new Uri(server.Value.PublicUrl, $"channels/{items[^1].ChannelId}");
        var unsubscribeLink = new Uri(server.Value.PublicUrl, "unsubscribe?token=" + Uri.EscapeDataString(unsubscribe.For(userId)));
        var subject = items.Count == 1 ? $"{items[0].Author} sent you a message on KamaChat" : $"You have {items.Count} unread messages on KamaChat";

        var text = new StringBuilder().AppendLine(CultureInfo.InvariantCulture, $"Hi {name},").AppendLine()
            .AppendLine("While you were away:").AppendLine();
        foreach (var item in items)
            text.AppendLine(CultureInfo.InvariantCulture, $"[{item.Where}] {item.Author}: {item.Snippet}");
        text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Open KamaChat: {openLink.AbsoluteUri}")
            .AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Stop these emails: {unsubscribeLink.AbsoluteUri}");

        string E(string value) => HtmlEncoder.Default.Encode(value);
        var html = new StringBuilder("<!DOCTYPE html><html><body style=\"font-family:Helvetica,Arial,sans-serif;color:#1f2328;padding:24px\">")
            .Append(CultureInfo.InvariantCulture, $"<p>Hi {E(name)},</p><p>While you were away:</p><ul>");
        foreach (var item in items)
            html.Append(CultureInfo.InvariantCulture, $"<li><strong>{E(item.Where)}</strong> — {E(item.Author)}: {E(item.Snippet)}</li>");
        html.Append(CultureInfo.InvariantCulture, $"</ul><p><a href=\"{E(openLink.AbsoluteUri)}\">Open KamaChat</a></p>")
            .Append(CultureInfo.InvariantCulture, $"<p style=\"font-size:12px;color:#57606a\"><a href=\"{E(unsubscribeLink.AbsoluteUri)}\">Unsubscribe</a> from notification emails.</p></body></html>");
        return new EmailContent(subject, text.ToString(), html.ToString(), unsubscribeLink.AbsoluteUri);
    }
}

public static class NotificationExtensions
{
    public static IHostApplicationBuilder AddNotifications(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DigestOptions>().Configure<IConfiguration>((o, c) => DigestOptions.Bind(o, c)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<DigestOptions>, SettingErrorsValidator<DigestOptions>>();
        builder.Services.AddSingleton<UnsubscribeTokens>();
        builder.Services.AddScoped<DigestSender>();
        builder.Services.AddHostedService<DigestWorker>();
        return builder;
    }
}

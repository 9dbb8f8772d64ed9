using System.Globalization;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.Relationships;
using KamaChat.Server.Infrastructure.Caching;
using KamaChat.Server.Infrastructure.Http;
using KamaChat.Server.Infrastructure.Jobs;
using KamaChat.Server.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.Messages;

/// <summary>Sending a message: validation, reply and mention checks, nonce retries and slow mode.</summary>
internal static class SendMessage
{
    /// <summary>How long a nonce keeps returning the message it created.</summary>
    public static readonly TimeSpan NonceWindow = TimeSpan.FromHours(24);

    /// <summary>What sending needs besides the request, as one parameter (minimal APIs fill it from DI and the request).</summary>
    internal readonly record struct Services(
        KamaDbContext Db, SendGroupCommit Commits, TimeProvider Time, HttpContext Http, AttachmentLinks Links, IJobQueue Jobs, KamaCache Cache);

    public static async Task<Results<Created<MessageResponse>, Ok<MessageResponse>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        ChannelAccess access, SendMessageRequest request, CurrentUser user, [AsParameters] Services services, CancellationToken cancellationToken)
    {
        var startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        var (db, commits, time, http, links, jobs, cache) = services;
        var (id, userId) = (access.ChannelId, user.Id);
        var content = request.Content?.Trim() ?? "";
        var nonce = request.Nonce;
        if (access.Server?.TimeoutAt(time.GetUtcNow()) is { } timedOutUntil)
            return PermissionProblems.TimedOut(timedOutUntil);
        var attachmentIds = request.AttachmentIds ?? [];
        if (content.Length == 0 && attachmentIds.Length == 0)
            return Problems.Validation("content", "A message needs some text or at least one attachment.");
        if (attachmentIds.Distinct().Count() != attachmentIds.Length)
            return Problems.Validation("attachmentIds", "An upload can be attached only once.");
        if (attachmentIds.Length > 0 && !access.Has(Perms.AttachFiles))
            return PermissionProblems.MissingPermission(Perms.AttachFiles);
        if (access.Channel.Type == Channels.ChannelType.Dm && await DmRefusalAsync(db, id, userId, cancellationToken) is { } refused)
            return refused;
        ReplyPreview? reply = null;
        if (request.ReplyTo is { } replyTo)
        {
            if (!await db.Messages.AnyAsync(m => m.Id == replyTo && m.ChannelId == id, cancellationToken))
                return Problems.Of(StatusCodes.Status400BadRequest, "invalid_reply", "replyTo must be a message in this channel.");
            reply = (await MessageQueries.ReplyPreviewsAsync(db, [replyTo], cancellationToken))[replyTo];
        }
        var (mentions, mentionsEveryone) = await MentionParser.ResolveAsync(db, access, userId, content, cancellationToken);
        var author = await cache.GetSharedAsync($"user:{userId}", [CacheTags.User(userId)], token => db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => UserSummary.Of(u.Id, u.UserName, u.DisplayName, u.AvatarUrl))
            .SingleAsync(token), cancellationToken);

        var message = new Message
        {
            ChannelId = id,
            AuthorId = userId,
            Content = content,
            Nonce = nonce,
            ReplyToId = request.ReplyTo,
            CreatedAt = time.GetUtcNow(),
            MentionsEveryone = mentionsEveryone,
            Mentions = mentions,
        };

        // Under the channel's lock, with the other sends to this channel that arrive meanwhile: one transaction for all.
        var send = new PendingSend(access, userId, message, author, reply, attachmentIds, startedAt);
        switch (await commits.SendAsync(send).WaitAsync(cancellationToken))
        {
            case SendOutcome.Created(var created):
                // Processing announces its outcome with MessageUpdated; a job lost here leaves the file pending, still a download.
                foreach (var upload in send.Uploads)
                    await jobs.EnqueueAsync(new ProcessAttachmentJob(upload.Id), cancellationToken);
                if (access.Channel.ServerId is null || mentions.Count > 0 || mentionsEveryone)
                    await EnqueuePushAsync(jobs, http, created.Id, cancellationToken);
                await LinkPreviews.LinkPreviewJob.EnqueueAsync(jobs, http.RequestServices.GetRequiredService<IOptions<LinkPreviews.LinkPreviewOptions>>().Value,
                    Logger(http), created.Id, content, cancellationToken);
                return TypedResults.Created($"/api/v1/channels/{id}/messages/{created.Id}", created);
            case SendOutcome.Original(var originalId, var known):
                return TypedResults.Ok(known ?? (await MessageQueries.LoadOneAsync(db, links, originalId, userId, cancellationToken))!);
            case SendOutcome.Refused(var problem, var retryAfter):
                if (retryAfter is { } seconds)
                    http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return problem;
            default:
                throw new InvalidOperationException("A send ended without an outcome.");
        }
    }

    /// <summary>Web Push for a DM or mention is a side effect: a queue that cannot take it does not fail the send.</summary>
    private static async Task EnqueuePushAsync(IJobQueue jobs, HttpContext http, Snowflake messageId, CancellationToken cancellationToken)
    {
        try
        {
            await jobs.EnqueueAsync(new Notifications.Push.PushMessageJob(messageId), cancellationToken);
        }
        catch (JobQueueUnavailableException e)
        {
            Logger(http).LogWarning(e, "No Web Push for message {MessageId}: the job queue is unavailable", messageId);
        }
    }

    private static ILogger Logger(HttpContext http) => http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SendMessage));

    /// <summary>The uploads to attach, tracked; null when one is not the sender's, not in this channel, or already sent.</summary>
    internal static async Task<List<Attachment>?> ClaimableUploadsAsync(
        KamaDbContext db, Snowflake channelId, Snowflake userId, Snowflake[] attachmentIds, CancellationToken cancellationToken)
    {
        if (attachmentIds.Length == 0)
            return [];
        var uploads = await db.Attachments.Where(a => attachmentIds.Contains(a.Id)).OrderBy(a => a.Id).ToListAsync(cancellationToken);
        return uploads.Count == attachmentIds.Length && uploads.All(a => a.UploaderId == userId && a.ChannelId == channelId && a.MessageId == null)
            ? uploads
            : null;
    }

    /// <summary>A DM carries messages only while its two people may still reach each other (no block, privacy allows).</summary>
    private static async Task<ProblemHttpResult?> DmRefusalAsync(KamaDbContext db, Snowflake channelId, Snowflake userId, CancellationToken cancellationToken)
    {
        var other = await db.ChannelRecipients.AsNoTracking().Where(r => r.ChannelId == channelId && r.UserId != userId)
            .Select(r => (Snowflake?)r.UserId).FirstOrDefaultAsync(cancellationToken);
        if (other is null)
            return null; // the other person deleted their account: nobody to refuse on their behalf
        var refusal = await ContactPolicy.CheckDmAsync(db, userId, other.Value, cancellationToken);
        return refusal == ContactRefusal.None ? null : ContactPolicy.DmProblem(refusal);
    }

    /// <summary>Locks the channel's row until the transaction ends (by a write that changes nothing); null when the channel is gone.</summary>
    internal static async Task<LockedChannel?> LockChannelAsync(KamaDbContext db, Snowflake channelId, CancellationToken cancellationToken)
    {
        var rows = await db.Database.SqlQueryRaw<long?>(LockChannelSql(channelId.Value.ToString(CultureInfo.InvariantCulture))).ToListAsync(cancellationToken);
        return rows.Count == 0 ? null : new LockedChannel(rows[0] is { } last ? new Snowflake(last) : null);
    }

    /// <summary>
    /// Locks the channel's row until commit and reads its last message id (one row; none when the channel is gone): also
    /// the first statement of a batch's opening round trip (<see cref="SendGroupCommit"/>). <paramref name="channelId"/> is
    /// SQL: the id as a number (nothing to escape) or a parameter's name.
    /// </summary>
    internal static string LockChannelSql(string channelId) =>
        $"""UPDATE channels SET "LastMessageId" = "LastMessageId" WHERE "Id" = {channelId} RETURNING "LastMessageId" AS "Value";""";

    internal sealed record LockedChannel(Snowflake? LastMessageId);

    internal static async Task<DateTimeOffset?> LastSentAsync(KamaDbContext db, Snowflake channelId, Snowflake userId, CancellationToken cancellationToken)
    {
        // Snowflakes carry their creation time, so the newest id is the newest message without comparing timestamps in SQL.
        var last = await db.Messages.Where(m => m.ChannelId == channelId && m.AuthorId == userId).MaxAsync(m => (Snowflake?)m.Id, cancellationToken);
        return last?.Timestamp;
    }

    /// <summary>Whether slow mode applies to this sender: moderators (MANAGE_MESSAGES or MANAGE_CHANNELS) are exempt.</summary>
    internal static bool InSlowMode(ChannelAccess access) =>
        access.Channel.SlowModeSeconds > 0 && !access.Has(Perms.ManageMessages) && !access.Has(Perms.ManageChannels);

    /// <summary>How long the sender must still wait, or null.</summary>
    internal static TimeSpan? SlowModeWait(ChannelAccess access, DateTimeOffset now, DateTimeOffset? lastSent)
    {
        if (lastSent is null)
            return null;
        var wait = lastSent.Value.AddSeconds(access.Channel.SlowModeSeconds) - now;
        return wait > TimeSpan.Zero ? wait : null;
    }

    internal static MessageResponse Describe(Message message, UserSummary author, ReplyPreview? reply, IReadOnlyList<AttachmentSummary> attachments) => new(
        message.Id, message.ChannelId, author, message.Content, message.Nonce, reply,
        message.Mentions.Where(m => m.TargetType == MentionTarget.User).Select(m => m.TargetId).Order().ToList(),
        message.Mentions.Where(m => m.TargetType == MentionTarget.Role).Select(m => m.TargetId).Order().ToList(),
        message.MentionsEveryone, message.CreatedAt, null, false, [], attachments, [], false, message.Sequence);
}

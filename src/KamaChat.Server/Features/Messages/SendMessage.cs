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
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.Messages;

/// <summary>Sending a message: validation, reply and mention checks, nonce retries and slow mode.</summary>
internal static class SendMessage
{
    /// <summary>How long a nonce keeps returning the message it created.</summary>
    public static readonly TimeSpan NonceWindow = TimeSpan.FromHours(24);

    /// <summary>What sending needs besides the request, as one parameter (minimal APIs fill it from DI and the request).</summary>
    internal readonly record struct Services(
        KamaDbContext Db, EventLog Events, TimeProvider Time, HttpContext Http, AttachmentLinks Links, IJobQueue Jobs, KamaCache Cache);

    public static async Task<Results<Created<MessageResponse>, Ok<MessageResponse>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        ChannelAccess access, SendMessageRequest request, CurrentUser user, [AsParameters] Services services, CancellationToken cancellationToken)
    {
        var (db, events, time, http, links, jobs, cache) = services;
        var (id, userId) = (access.ChannelId, user.Id);
        var content = request.Content?.Trim() ?? "";
        var nonce = request.Nonce;
        if (access.Server?.TimeoutAt(time.GetUtcNow()) is { } timedOutUntil)
            return Servers.ServerProblems.TimedOut(timedOutUntil);
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
        var (mentions, mentionsEveryone) = await MentionParser.ResolveAsync(db, access, content, cancellationToken);
        var author = await cache.GetSharedAsync($"user:{userId}", [CacheTags.User(userId)], token => db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => UserSummary.Of(u.Id, u.UserName, u.DisplayName, u.AvatarUrl))
            .SingleAsync(token), cancellationToken);

        var now = time.GetUtcNow();
        var message = new Message
        {
            ChannelId = id,
            AuthorId = userId,
            Content = content,
            Nonce = nonce,
            ReplyToId = request.ReplyTo,
            CreatedAt = now,
            MentionsEveryone = mentionsEveryone,
            Mentions = mentions,
        };

        try
        {
            await using var change = await events.BeginAsync(cancellationToken);
            // The first write locks the channel row until commit, so concurrent sends to this channel see each
            // other's nonces and slow-mode timestamps, and take their ids one after the other.
            if (await LockChannelAsync(db, id, cancellationToken) is not { } locked)
                return Problems.NotFound("The channel"); // deleted since the permission check

            if (nonce is not null)
            {
                var earlier = await db.Messages.AsNoTracking()
                    .Where(m => m.ChannelId == id && m.AuthorId == userId && m.Nonce == nonce)
                    .Select(m => new { m.Id, m.CreatedAt })
                    .SingleOrDefaultAsync(cancellationToken);
                if (earlier is not null && earlier.CreatedAt > now - NonceWindow)
                    return TypedResults.Ok((await MessageQueries.LoadOneAsync(db, links, earlier.Id, userId, cancellationToken))!);
                if (earlier is not null)
                    // An expired nonce starts a new message; the old one lets go of it so the unique index allows the reuse.
                    await db.Messages.Where(m => m.Id == earlier.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Nonce, (string?)null), cancellationToken);
            }

            if (InSlowMode(access) && SlowModeWait(access, now, await LastSentAsync(db, id, userId, cancellationToken)) is { } wait)
            {
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return Problems.Of(StatusCodes.Status429TooManyRequests, "slow_mode",
                    $"This channel is in slow mode; you can send again in {seconds} s.",
                    new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds });
            }

            // Uploads are claimed under the channel's lock, so two sends cannot both take one.
            var uploads = await ClaimableUploadsAsync(db, id, userId, attachmentIds, cancellationToken);
            if (uploads is null)
                return Problems.Of(StatusCodes.Status400BadRequest, "invalid_attachment",
                    "attachmentIds must name your own uploads to this channel that no message carries yet.");

            // The id is taken here, under the lock, above the channel's last message and everything the channel logged:
            // ids follow commit order, so paging history with after=<an id> misses nothing committed later.
            MessageResponse? created = null;
            await change.AppendCreatingAsync(new EventStream(EventScope.Channel, id), idFloor: locked.LastMessageId ?? default, (sequence, messageId) =>
            {
                (message.Id, message.Sequence) = (messageId, sequence);
                // The message was created when its id was taken (the lock may have been waited for): the time and the id
                // agree, so a date bound (search's before:/after:) and an id bound select the same messages.
                message.CreatedAt = messageId.Timestamp;
                foreach (var upload in uploads)
                    upload.MessageId = messageId;
                return new MessageCreated(id, created = Describe(message, author, reply, uploads.Select(u => links.Describe(AttachmentLinks.RowOf(u))).ToList()));
            }, cancellationToken);
            db.Messages.Add(message);
            await db.Channels.Where(c => c.Id == id).ExecuteUpdateAsync(s => s.SetProperty(c => c.LastMessageId, message.Id), cancellationToken);
            await change.CommitAsync(cancellationToken);
            // Processing announces its outcome with MessageUpdated; a job lost here leaves the file pending, still a download.
            foreach (var upload in uploads)
                await jobs.EnqueueAsync(new ProcessAttachmentJob(upload.Id), cancellationToken);
            if (access.Channel.ServerId is null || mentions.Count > 0 || mentionsEveryone)
                await EnqueuePushAsync(jobs, http, message.Id, cancellationToken);
            return TypedResults.Created($"/api/v1/channels/{id}/messages/{message.Id}", created!);
        }
        catch (DbUpdateConcurrencyException)
        {
            // An upload claimed above was swept (unattached for too long) between the read and the write.
            return Problems.Of(StatusCodes.Status400BadRequest, "invalid_attachment", "An upload expired before the message was sent.");
        }
        catch (DbUpdateException) when (nonce is not null)
        {
            // A concurrent identical send won the unique (channel, author, nonce) index: answer with its message.
            db.ChangeTracker.Clear();
            var winner = await db.Messages.AsNoTracking()
                .Where(m => m.ChannelId == id && m.AuthorId == userId && m.Nonce == nonce)
                .Select(m => (Snowflake?)m.Id)
                .SingleOrDefaultAsync(cancellationToken);
            if (winner is null)
                throw;
            return TypedResults.Ok((await MessageQueries.LoadOneAsync(db, links, winner.Value, userId, cancellationToken))!);
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
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SendMessage))
                .LogWarning(e, "No Web Push for message {MessageId}: the job queue is unavailable", messageId);
        }
    }

    /// <summary>The uploads to attach, tracked; null when one is not the sender's, not in this channel, or already sent.</summary>
    private static async Task<List<Attachment>?> ClaimableUploadsAsync(
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
        var rows = await db.Database.SqlQuery<long?>($"""
            UPDATE channels SET "LastMessageId" = "LastMessageId" WHERE "Id" = {channelId.Value}
            RETURNING "LastMessageId" AS "Value"
            """).ToListAsync(cancellationToken);
        return rows.Count == 0 ? null : new LockedChannel(rows[0] is { } last ? new Snowflake(last) : null);
    }

    internal sealed record LockedChannel(Snowflake? LastMessageId);

    private static async Task<DateTimeOffset?> LastSentAsync(KamaDbContext db, Snowflake channelId, Snowflake userId, CancellationToken cancellationToken)
    {
        // Snowflakes carry their creation time, so the newest id is the newest message without comparing timestamps in SQL.
        var last = await db.Messages.Where(m => m.ChannelId == channelId && m.AuthorId == userId).MaxAsync(m => (Snowflake?)m.Id, cancellationToken);
        return last?.Timestamp;
    }

    /// <summary>Whether slow mode applies to this sender: moderators (MANAGE_MESSAGES or MANAGE_CHANNELS) are exempt.</summary>
    private static bool InSlowMode(ChannelAccess access) =>
        access.Channel.SlowModeSeconds > 0 && !access.Has(Perms.ManageMessages) && !access.Has(Perms.ManageChannels);

    /// <summary>How long the sender must still wait, or null.</summary>
    private static TimeSpan? SlowModeWait(ChannelAccess access, DateTimeOffset now, DateTimeOffset? lastSent)
    {
        if (lastSent is null)
            return null;
        var wait = lastSent.Value.AddSeconds(access.Channel.SlowModeSeconds) - now;
        return wait > TimeSpan.Zero ? wait : null;
    }

    private static MessageResponse Describe(Message message, UserSummary author, ReplyPreview? reply, IReadOnlyList<AttachmentSummary> attachments) => new(
        message.Id, message.ChannelId, author, message.Content, message.Nonce, reply,
        message.Mentions.Where(m => m.TargetType == MentionTarget.User).Select(m => m.TargetId).Order().ToList(),
        message.Mentions.Where(m => m.TargetType == MentionTarget.Role).Select(m => m.TargetId).Order().ToList(),
        message.MentionsEveryone, message.CreatedAt, null, false, [], attachments, message.Sequence);
}

using System.Globalization;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
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
    internal readonly record struct Services(KamaDbContext Db, EventLog Events, SnowflakeGenerator Ids, TimeProvider Time, HttpContext Http);

    /// <summary>The per-account send limit, as an endpoint filter placed before the permission filter: no query for a flood.</summary>
    public static async ValueTask<object?> RateLimitAsync(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var http = invocation.HttpContext;
        var limiter = http.RequestServices.GetRequiredService<AccountRateLimiter>();
        return limiter.TryAcquire(RateLimitPolicy.MessageSend, CurrentUser.From(http.User).Id.ToString(), http) is { } limited
            ? limited
            : await next(invocation);
    }

    public static async Task<Results<Created<MessageResponse>, Ok<MessageResponse>, ValidationProblem, ProblemHttpResult>> HandleAsync(
        ChannelAccess access, SendMessageRequest request, CurrentUser user, [AsParameters] Services services, CancellationToken cancellationToken)
    {
        var (db, events, ids, time, http) = services;
        var (id, userId) = (access.ChannelId, user.Id);
        var content = request.Content.Trim();
        var nonce = request.Nonce;
        ReplyPreview? reply = null;
        if (request.ReplyTo is { } replyTo)
        {
            if (!await db.Messages.AnyAsync(m => m.Id == replyTo && m.ChannelId == id, cancellationToken))
                return Problems.Of(StatusCodes.Status400BadRequest, "invalid_reply", "replyTo must be a message in this channel.");
            reply = (await MessageQueries.ReplyPreviewsAsync(db, [replyTo], cancellationToken))[replyTo];
        }
        var (mentions, mentionsEveryone) = await MentionParser.ResolveAsync(db, access, content, cancellationToken);
        var author = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => UserSummary.Of(u.Id, u.UserName, u.DisplayName, u.AvatarUrl))
            .SingleAsync(cancellationToken);

        var now = time.GetUtcNow();
        var message = new Message
        {
            Id = ids.NextId(),
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
            // other's nonces and slow-mode timestamps. LastMessageId only moves forward.
            var messageId = message.Id;
            await db.Channels.Where(c => c.Id == id).ExecuteUpdateAsync(s => s.SetProperty(
                c => c.LastMessageId, c => c.LastMessageId == null || c.LastMessageId < messageId ? messageId : c.LastMessageId), cancellationToken);

            if (nonce is not null)
            {
                var earlier = await db.Messages.AsNoTracking()
                    .Where(m => m.ChannelId == id && m.AuthorId == userId && m.Nonce == nonce)
                    .Select(m => new { m.Id, m.CreatedAt })
                    .SingleOrDefaultAsync(cancellationToken);
                if (earlier is not null && earlier.CreatedAt > now - NonceWindow)
                    return TypedResults.Ok((await MessageQueries.LoadOneAsync(db, earlier.Id, userId, cancellationToken))!);
                if (earlier is not null)
                    // An expired nonce starts a new message; the old one lets go of it so the unique index allows the reuse.
                    await db.Messages.Where(m => m.Id == earlier.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Nonce, (string?)null), cancellationToken);
            }

            if (SlowModeWait(access, now, await LastSentAsync(db, id, userId, cancellationToken)) is { } wait)
            {
                var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                return Problems.Of(StatusCodes.Status429TooManyRequests, "slow_mode",
                    $"This channel is in slow mode; you can send again in {seconds} s.",
                    new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds });
            }

            db.Messages.Add(message);
            MessageResponse? created = null;
            await change.AppendWithSequenceAsync(new EventStream(EventScope.Channel, id), sequence =>
            {
                message.Sequence = sequence;
                return new MessageCreated(id, created = Describe(message, author, reply));
            }, cancellationToken);
            await change.CommitAsync(cancellationToken);
            return TypedResults.Created($"/api/v1/channels/{id}/messages/{message.Id}", created!);
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
            return TypedResults.Ok((await MessageQueries.LoadOneAsync(db, winner.Value, userId, cancellationToken))!);
        }
    }

    private static async Task<DateTimeOffset?> LastSentAsync(KamaDbContext db, Snowflake channelId, Snowflake userId, CancellationToken cancellationToken)
    {
        // Snowflakes carry their creation time, so the newest id is the newest message without comparing timestamps in SQL.
        var last = await db.Messages.Where(m => m.ChannelId == channelId && m.AuthorId == userId).MaxAsync(m => (Snowflake?)m.Id, cancellationToken);
        return last?.Timestamp;
    }

    /// <summary>How long the sender must still wait, or null. Moderators (MANAGE_MESSAGES or MANAGE_CHANNELS) are exempt.</summary>
    private static TimeSpan? SlowModeWait(ChannelAccess access, DateTimeOffset now, DateTimeOffset? lastSent)
    {
        if (access.Channel.SlowModeSeconds <= 0 || lastSent is null || access.Has(Perms.ManageMessages) || access.Has(Perms.ManageChannels))
            return null;
        var wait = lastSent.Value.AddSeconds(access.Channel.SlowModeSeconds) - now;
        return wait > TimeSpan.Zero ? wait : null;
    }

    private static MessageResponse Describe(Message message, UserSummary author, ReplyPreview? reply) => new(
        message.Id, message.ChannelId, author, message.Content, message.Nonce, reply,
        message.Mentions.Where(m => m.TargetType == MentionTarget.User).Select(m => m.TargetId).Order().ToList(),
        message.Mentions.Where(m => m.TargetType == MentionTarget.Role).Select(m => m.TargetId).Order().ToList(),
        message.MentionsEveryone, message.CreatedAt, null, false, [], [], message.Sequence);
}

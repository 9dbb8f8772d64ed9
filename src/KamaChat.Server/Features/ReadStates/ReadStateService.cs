using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.ReadStates;

public sealed record ReadStateResponse(Snowflake ChannelId, Snowflake LastReadMessageId, int MentionCount);

public enum AckOutcome
{
    Acknowledged,
    ChannelNotFound,
    MessageNotFound,
}

/// <summary>
/// "Read up to here" per user and channel. Acks only move forward; the new position is logged as a user event
/// so the user's other devices clear their unread badges too. Shared by the REST endpoint and the gateway.
/// </summary>
public sealed class ReadStateService(KamaDbContext db, PermissionService permissions, EventLog events, TimeProvider time)
{
    public async Task<(AckOutcome Outcome, ReadStateResponse? State)> AckAsync(Snowflake userId, Snowflake channelId, Snowflake messageId, CancellationToken cancellationToken)
    {
        if (await permissions.ForChannelAsync(userId, channelId, cancellationToken) is null)
            return (AckOutcome.ChannelNotFound, null);
        if (!await db.Messages.AnyAsync(m => m.Id == messageId && m.ChannelId == channelId, cancellationToken))
            return (AckOutcome.MessageNotFound, null);

        await using var change = await events.BeginAsync(cancellationToken);
        var state = await db.ReadStates.SingleOrDefaultAsync(r => r.UserId == userId && r.ChannelId == channelId, cancellationToken);
        if (state is null)
        {
            state = new ReadState { UserId = userId, ChannelId = channelId };
            db.ReadStates.Add(state);
        }
        if (messageId > state.LastReadMessageId)
            state.LastReadMessageId = messageId;
        state.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);

        var mentions = await MentionCountsAsync(userId, [channelId], cancellationToken);
        var response = new ReadStateResponse(channelId, state.LastReadMessageId, mentions.GetValueOrDefault(channelId));
        await change.AppendAsync(new ReadStateUpdated(userId, response), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return (AckOutcome.Acknowledged, response);
    }

    /// <summary>
    /// Mentions of the user (directly, through a role, or @everyone) after their read position, per channel. Driven from
    /// the mentions themselves (the mention table by target, @everyone messages by their partial index), never from the
    /// channels' history: a million messages cost what the few mentions among them do.
    /// </summary>
    public async Task<Dictionary<Snowflake, int>> MentionCountsAsync(Snowflake userId, IReadOnlyCollection<Snowflake> channelIds, CancellationToken cancellationToken)
    {
        if (channelIds.Count == 0)
            return [];
        var roleIds = db.MemberRoles.Where(mr => mr.UserId == userId).Select(mr => mr.RoleId);
        var unread = db.Messages.AsNoTracking()
            .Where(m => channelIds.Contains(m.ChannelId) && m.AuthorId != userId)
            .Where(m => !db.ReadStates.Any(r => r.UserId == userId && r.ChannelId == m.ChannelId && r.LastReadMessageId >= m.Id));
        var byTarget = db.MessageMentions.AsNoTracking()
            .Where(x => (x.TargetType == MentionTarget.User && x.TargetId == userId) ||
                        (x.TargetType == MentionTarget.Role && roleIds.Contains(x.TargetId)))
            .Join(unread, x => x.MessageId, m => m.Id, (_, m) => new { m.ChannelId, m.Id });
        var everyone = unread.Where(m => m.MentionsEveryone).Select(m => new { m.ChannelId, m.Id });
        // A message may mention the user more than one way: it counts once.
        var mentioned = await byTarget.Union(everyone).ToListAsync(cancellationToken);
        return mentioned.GroupBy(m => m.ChannelId).ToDictionary(g => g.Key, g => g.Count());
    }
}

public static class ReadStateEndpoints
{
    public static IHostApplicationBuilder AddReadStates(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ReadStateService>();
        return builder;
    }

    public static IEndpointRouteBuilder MapReadStates(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v1/channels/{channelId:snowflake}/messages/{messageId:snowflake}/ack", AckAsync)
            .WithTags("Read states")
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<Results<Ok<ReadStateResponse>, ProblemHttpResult>> AckAsync(
        Snowflake channelId, Snowflake messageId, CurrentUser user, ReadStateService readStates, CancellationToken cancellationToken)
    {
        // The gateway's Ack shares this service, so the channel check is made there, for both.
        var (outcome, state) = await readStates.AckAsync(user.Id, channelId, messageId, cancellationToken);
        return outcome switch
        {
            AckOutcome.Acknowledged => TypedResults.Ok(state!),
            AckOutcome.MessageNotFound => Problems.NotFound("The message"),
            _ => Problems.NotFound("The channel"),
        };
    }
}

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
    private sealed record MentionedMessage(Snowflake ChannelId, Snowflake Id);

    // Compiled once (it runs on every gateway connect). Each branch joins on equalities and one range, which the planner
    // turns into an index range per channel (and per role): the user's mentions and their roles', in opened channels
    // after the read position, in the others all; then @everyone messages by their partial index. A message may mention
    // the user more than one way: the union counts it once. Serial on PostgreSQL: at a million messages its planner would
    // start parallel workers for these few lookups. Prepared (the channel lists are one array parameter each, so its text
    // is fixed): on SQLite, preparing its six branches was about half of what the mention counts cost a connect.
    private static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, List<Snowflake>, List<Snowflake>, IAsyncEnumerable<MentionedMessage>>> Mentioned =
        new(() => EF.CompileAsyncQuery((KamaDbContext db, Snowflake userId, List<Snowflake> opened, List<Snowflake> neverOpened) => (
                    from r in db.ReadStates
                    where r.UserId == userId && opened.Contains(r.ChannelId)
                    join x in db.MessageMentions on r.ChannelId equals x.ChannelId
                    where x.TargetId == userId && x.TargetType == MentionTarget.User && x.MessageId > r.LastReadMessageId
                    select x)
                .Concat(
                    from r in db.ReadStates
                    where r.UserId == userId && opened.Contains(r.ChannelId)
                    from mr in db.MemberRoles.Where(mr => mr.UserId == userId)
                    join x in db.MessageMentions on new { r.ChannelId, TargetId = mr.RoleId } equals new { x.ChannelId, x.TargetId }
                    where x.TargetType == MentionTarget.Role && x.MessageId > r.LastReadMessageId
                    select x)
                .Concat(db.MessageMentions.Where(x => neverOpened.Contains(x.ChannelId) && x.TargetId == userId && x.TargetType == MentionTarget.User))
                .Concat(
                    from mr in db.MemberRoles
                    where mr.UserId == userId
                    join x in db.MessageMentions on mr.RoleId equals x.TargetId
                    where neverOpened.Contains(x.ChannelId) && x.TargetType == MentionTarget.Role
                    select x)
                .Join(db.Messages, x => x.MessageId, m => m.Id, (_, m) => m)
                .Where(m => m.AuthorId != userId)
                .Select(m => new { m.ChannelId, m.Id })
                .Union((
                        from r in db.ReadStates
                        where r.UserId == userId && opened.Contains(r.ChannelId)
                        join m in db.Messages.Where(m => m.MentionsEveryone && m.AuthorId != userId) on r.ChannelId equals m.ChannelId
                        where m.Id > r.LastReadMessageId
                        select m)
                    .Concat(db.Messages.Where(m => m.MentionsEveryone && m.AuthorId != userId && neverOpened.Contains(m.ChannelId)))
                    .Select(m => new { m.ChannelId, m.Id }))
                .AsNoTracking()
                .TagWith(PreparedStatements.Tag)
                .TagWith(SerialQueries.Tag)
                .Select(m => new MentionedMessage(m.ChannelId, m.Id))));

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

        var mentions = await MentionCountsAsync(userId, [channelId], new HashSet<Snowflake> { channelId }, cancellationToken);
        var response = new ReadStateResponse(channelId, state.LastReadMessageId, mentions.GetValueOrDefault(channelId));
        await change.AppendAsync(new ReadStateUpdated(userId, response), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return (AckOutcome.Acknowledged, response);
    }

    /// <summary>
    /// Mentions of the user (directly, through a role, or @everyone) after their read position, per channel, for
    /// <paramref name="channelIds"/> of which <paramref name="read"/> are those with a read state (the others were never
    /// opened). Each channel's unread mentions are a range of an index after its read position (the mention table by
    /// channel and target, @everyone messages by their partial index), so a channel's read history costs nothing: a
    /// million messages cost what the few unread mentions after them do.
    /// </summary>
    public async Task<Dictionary<Snowflake, int>> MentionCountsAsync(
        Snowflake userId, IReadOnlyCollection<Snowflake> channelIds, IReadOnlySet<Snowflake> read, CancellationToken cancellationToken)
    {
        if (channelIds.Count == 0)
            return [];
        var opened = channelIds.Where(read.Contains).ToList();
        var neverOpened = channelIds.Where(id => !read.Contains(id)).ToList();
        var mentioned = await Mentioned.For(db)(db, userId, opened, neverOpened).ToListAsync(cancellationToken);
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

using System.Linq.Expressions;
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
    private sealed record MentionCount(Snowflake ChannelId, int Count);

    // Compiled once per provider (it runs on every gateway connect). In an opened channel each target (the user, each
    // of their roles in the channel's server) is one range of the (ChannelId, TargetId, MessageId) mention index after
    // the read position; in a never-opened one the range starts at the user's join (their membership's or group DM
    // recipient's JoinPosition, read by its primary key through the channel's server): a new member of a server with a
    // long history is not greeted with its old pings, and a rejoin starts afresh (the opened channels' read positions
    // are moved up to the join by StartAtJoinAsync). A role's range starts at the later of that and the role's
    // GrantPosition: someone given @Moderators today is not shown every @Moderators ping since they joined, pings that
    // were never addressed to them (removed and given again, it counts from the new grant). The roles are read by the
    // member_roles key (ServerId, UserId) for the channel's server alone: each role is a range now, so another server's
    // roles would each cost an index descent per channel for nothing (its role ids match no mention here). @everyone
    // messages are ranges of their partial index the same way. So the work is the channels, the targets and the unread
    // mentions, never the history before them; each mention row carries its message's channel and author, so no
    // message row is read for it (at a million messages that lookup was two thirds of the query's buffers: a few unread
    // mentions each cost an index descent and a heap page of the messages). DMs have only user mentions (no roles, no
    // @everyone there; a DM has no server, so no member role joins it), so only that branch reads recipients; a server
    // channel has no recipient row and a DM no member row, so one list serves both. A message may mention the user more
    // than one way: the union counts it once. Counted in the database: a row comes back per channel, not per unread
    // mention. Serial on PostgreSQL: at a million messages its planner would start parallel workers for these few
    // lookups. Prepared (the channel lists are one array parameter each and the join and grant positions are joined in
    // SQL, so its text is fixed): on SQLite, preparing its branches was about half of what the
    // mention counts cost a connect. The join position is a stored id rather than JoinedAt turned into one in SQL, which
    // each provider would spell differently (a timestamp on PostgreSQL, DateTimeOffsetToBinary's integer on SQLite).
    private static readonly Expression<Func<KamaDbContext, Snowflake, List<Snowflake>, List<Snowflake>, IQueryable<MentionCount>>> MentionedQuery =
        (db, userId, opened, neverOpened) => (
                    from r in db.ReadStates
                    where r.UserId == userId && opened.Contains(r.ChannelId)
                    from x in db.MessageMentions
                        .Where(x => x.ChannelId == r.ChannelId && x.TargetId == userId && x.TargetType == MentionTarget.User && x.MessageId > r.LastReadMessageId
                            && x.AuthorId != userId)
                        .Take(OneRangeEach)
                    select x)
                .Concat(
                    from r in db.ReadStates
                    where r.UserId == userId && opened.Contains(r.ChannelId)
                    from c in db.Channels
                    where c.Id == r.ChannelId
                    from g in db.MemberRoles
                    where g.ServerId == c.ServerId && g.UserId == userId
                    from x in db.MessageMentions
                        .Where(x => x.ChannelId == r.ChannelId && x.TargetId == g.RoleId && x.TargetType == MentionTarget.Role
                            && x.MessageId > r.LastReadMessageId && x.MessageId > g.GrantPosition && x.AuthorId != userId)
                        .Take(OneRangeEach)
                    select x)
                .Concat(
                    from c in db.Channels
                    where neverOpened.Contains(c.Id)
                    from j in db.Members
                    where j.ServerId == c.ServerId && j.UserId == userId
                    from x in db.MessageMentions
                        .Where(x => x.ChannelId == c.Id && x.TargetId == userId && x.TargetType == MentionTarget.User && x.MessageId > j.JoinPosition
                            && x.AuthorId != userId)
                        .Take(OneRangeEach)
                    select x)
                .Concat(
                    from j in db.ChannelRecipients
                    where j.UserId == userId && neverOpened.Contains(j.ChannelId)
                    from x in db.MessageMentions
                        .Where(x => x.ChannelId == j.ChannelId && x.TargetId == userId && x.TargetType == MentionTarget.User && x.MessageId > j.JoinPosition
                            && x.AuthorId != userId)
                        .Take(OneRangeEach)
                    select x)
                .Concat(
                    from c in db.Channels
                    where neverOpened.Contains(c.Id)
                    from j in db.Members
                    where j.ServerId == c.ServerId && j.UserId == userId
                    from g in db.MemberRoles
                    where g.ServerId == j.ServerId && g.UserId == userId
                    from x in db.MessageMentions
                        .Where(x => x.ChannelId == c.Id && x.TargetId == g.RoleId && x.TargetType == MentionTarget.Role
                            && x.MessageId > j.JoinPosition && x.MessageId > g.GrantPosition && x.AuthorId != userId)
                        .Take(OneRangeEach)
                    select x)
                .Select(x => new { x.ChannelId, Id = x.MessageId })
                .Union((
                        from r in db.ReadStates
                        where r.UserId == userId && opened.Contains(r.ChannelId)
                        from m in db.Messages
                            .Where(m => m.ChannelId == r.ChannelId && m.MentionsEveryone && m.Id > r.LastReadMessageId && m.AuthorId != userId)
                            .Take(OneRangeEach)
                        select m)
                    .Concat(
                        from c in db.Channels
                        where neverOpened.Contains(c.Id)
                        from j in db.Members
                        where j.ServerId == c.ServerId && j.UserId == userId
                        from m in db.Messages
                            .Where(m => m.ChannelId == c.Id && m.MentionsEveryone && m.Id > j.JoinPosition && m.AuthorId != userId)
                            .Take(OneRangeEach)
                        select m)
                    .Select(m => new { m.ChannelId, m.Id }))
                .GroupBy(m => m.ChannelId)
                .AsNoTracking()
                .TagWith(PreparedStatements.Tag)
                .TagWith(SerialQueries.Tag)
                .Select(g => new MentionCount(g.Key, g.Count()));

    // The Take is a LIMIT no channel reaches, and only there for PostgreSQL: a subquery with a LIMIT stays a LATERAL one
    // (one index range per channel and target), where as a plain join its planner read every mention of the user and
    // every role mention, and looked each role mention up in read_states: work that grew with the history (100,000
    // messages: 373 buffers a call before, 312 as ranges; the opened channels' role mentions 225 -> 94). The opened
    // channels' @everyone messages too: as a join, the generic plan a prepared statement settles on after five calls
    // merge-joined the read states with the whole partial index, every @everyone message of the history (1,000,000
    // messages: 226 read, 1 unread, 192 buffers of the query's 433). SQLite cannot
    // run a LATERAL subquery and needs no LIMIT: it plans the plain join as these ranges (read states outer; the roles
    // as an IN list on the index's second column), so its query is the same without the Take.
    private const int OneRangeEach = int.MaxValue;

    private static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, List<Snowflake>, List<Snowflake>, IAsyncEnumerable<MentionCount>>> Mentioned =
        new(db => EF.CompileAsyncQuery(db.Database.IsNpgsql() ? MentionedQuery : WithoutTake.Rewrite(MentionedQuery)));

    /// <summary>Removes the <c>Take</c> calls from a query (SQLite's form of <see cref="MentionedQuery"/>).</summary>
    private sealed class WithoutTake : ExpressionVisitor
    {
        public static Expression<T> Rewrite<T>(Expression<T> query) => (Expression<T>)new WithoutTake().Visit(query);

        protected override Expression VisitMethodCall(MethodCallExpression node) =>
            node.Method.DeclaringType == typeof(Queryable) && node.Method.Name == nameof(Queryable.Take)
                ? Visit(node.Arguments[0])
                : base.VisitMethodCall(node);
    }

    /// <summary>
    /// A (re)join: the user's read positions in <paramref name="channelIds"/> (a server's channels, a group DM) that are
    /// before <paramref name="joinPosition"/> move up to it, so what was sent before this join (in an earlier
    /// membership, or while they were away) is not unread, nor counted as mentions. Only a rejoin has such rows.
    /// </summary>
    public static Task<int> StartAtJoinAsync(
        KamaDbContext db, Snowflake userId, IQueryable<Snowflake> channelIds, Snowflake joinPosition, CancellationToken cancellationToken) =>
        MoveUpToAsync(BeforeJoin(db, userId, joinPosition).Where(r => channelIds.Contains(r.ChannelId)), joinPosition, cancellationToken);

    /// <summary>The same for one channel (a group DM the user is added back to), without a query for its id.</summary>
    public static Task<int> StartAtJoinAsync(
        KamaDbContext db, Snowflake userId, Snowflake channelId, Snowflake joinPosition, CancellationToken cancellationToken) =>
        MoveUpToAsync(BeforeJoin(db, userId, joinPosition).Where(r => r.ChannelId == channelId), joinPosition, cancellationToken);

    private static IQueryable<ReadState> BeforeJoin(KamaDbContext db, Snowflake userId, Snowflake joinPosition) =>
        db.ReadStates.Where(r => r.UserId == userId && r.LastReadMessageId < joinPosition);

    private static Task<int> MoveUpToAsync(IQueryable<ReadState> states, Snowflake joinPosition, CancellationToken cancellationToken) =>
        states.ExecuteUpdateAsync(s => s.SetProperty(r => r.LastReadMessageId, joinPosition), cancellationToken);

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
    /// opened: their mentions count from the user's join, not from the channel's start). Each channel's unread mentions
    /// are a range of an index after its read position or the join (the mention table by channel and target, @everyone
    /// messages by their partial index), so a channel's read history costs nothing: a million messages cost what the few
    /// unread mentions after them do.
    /// </summary>
    public async Task<Dictionary<Snowflake, int>> MentionCountsAsync(
        Snowflake userId, IReadOnlyCollection<Snowflake> channelIds, IReadOnlySet<Snowflake> read, CancellationToken cancellationToken)
    {
        if (channelIds.Count == 0)
            return [];
        var opened = channelIds.Where(read.Contains).ToList();
        var neverOpened = channelIds.Where(id => !read.Contains(id)).ToList();
        var counts = new Dictionary<Snowflake, int>();
        await foreach (var count in Mentioned.For(db)(db, userId, opened, neverOpened).WithCancellation(cancellationToken))
            counts[count.ChannelId] = count.Count;
        return counts;
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

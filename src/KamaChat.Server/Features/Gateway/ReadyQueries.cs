using KamaChat.Server.Data;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Users;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// What <see cref="ReadyBuilder"/> reads on every connect, as EF Core compiled queries (translated once, not on each
/// call). Each reads from the user's id through their memberships and DMs, so its SQL is one fixed text however many
/// servers and channels they have.
/// </summary>
internal static class ReadyQueries
{
    public sealed record Position(EventScope Scope, Snowflake ScopeId, long LastSequence);

    public sealed record DirectChannel(Snowflake Id, ChannelType Type, string? Name, Snowflake? OwnerId, Snowflake? LastMessageId, List<Snowflake> Recipients);

    public sealed record ReadPosition(Snowflake ChannelId, Snowflake LastReadMessageId);

    /// <summary>
    /// The last sequence of each stream the user may follow: every channel of their servers (those they cannot see are
    /// left out by the caller), their DMs, their servers and their own.
    /// </summary>
    public static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, IAsyncEnumerable<Position>>> Positions = new(() => EF.CompileAsyncQuery(
        (KamaDbContext db, Snowflake userId) => (
                from m in db.Members.TagWith(PreparedStatements.Tag)
                where m.UserId == userId
                join c in db.Channels on (Snowflake?)m.ServerId equals c.ServerId
                join s in db.EventSequences.Where(s => s.Scope == EventScope.Channel) on c.Id equals s.ScopeId
                select s)
            .Concat(
                from r in db.ChannelRecipients
                where r.UserId == userId
                join s in db.EventSequences.Where(s => s.Scope == EventScope.Channel) on r.ChannelId equals s.ScopeId
                select s)
            .Concat(
                from m in db.Members
                where m.UserId == userId
                join s in db.EventSequences.Where(s => s.Scope == EventScope.Server) on m.ServerId equals s.ScopeId
                select s)
            .Concat(db.EventSequences.Where(s => s.Scope == EventScope.User && s.ScopeId == userId))
            .AsNoTracking()
            .Select(s => new Position(s.Scope, s.ScopeId, s.LastSequence))));

    /// <summary>The user, while this session of theirs is not revoked.</summary>
    public static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, Snowflake, CancellationToken, Task<User?>>> Me = new(() => EF.CompileAsyncQuery(
        (KamaDbContext db, Snowflake userId, Snowflake sessionId, CancellationToken _) => db.Users.AsNoTracking().TagWith(PreparedStatements.Tag)
            .Where(u => u.Id == userId && db.Sessions.Any(s => s.Id == sessionId && s.UserId == userId && s.RevokedAt == null))
            .SingleOrDefault()));

    /// <summary>A DM or group DM of the user with one of its recipients.</summary>
    private sealed record DirectChannelRow(Snowflake Id, ChannelType Type, string? Name, Snowflake? OwnerId, Snowflake? LastMessageId, Snowflake RecipientId);

    // Flat rows, not a list of recipients per channel: EF Core's collection shaper creates delegates on every execution.
    private static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, IAsyncEnumerable<DirectChannelRow>>> DirectChannelRows = new(() => EF.CompileAsyncQuery(
        (KamaDbContext db, Snowflake userId) =>
            from c in db.Channels.AsNoTracking().TagWith(PreparedStatements.Tag)
            where c.Recipients.Any(r => r.UserId == userId)
            join r in db.ChannelRecipients.AsNoTracking() on c.Id equals r.ChannelId
            orderby c.LastMessageId ?? c.Id descending, c.Id, r.UserId
            select new DirectChannelRow(c.Id, c.Type, c.Name, c.OwnerId, c.LastMessageId, r.UserId)));

    /// <summary>The user's DMs and group DMs, latest activity first, with their recipients (by id).</summary>
    public static Task<List<DirectChannel>> DirectChannelsAsync(KamaDbContext db, Snowflake userId, CancellationToken cancellationToken) =>
        // Ordered by channel: a channel's rows are consecutive.
        DirectChannelRows.For(db)(db, userId).FoldAsync(
            static row => row.Id,
            static row => new DirectChannel(row.Id, row.Type, row.Name, row.OwnerId, row.LastMessageId, []),
            static (channel, row) => channel.Recipients.Add(row.RecipientId),
            cancellationToken);

    public static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, IAsyncEnumerable<ReadPosition>>> ReadStates = new(() => EF.CompileAsyncQuery(
        (KamaDbContext db, Snowflake userId) => db.ReadStates.AsNoTracking().TagWith(PreparedStatements.Tag)
            .Where(r => r.UserId == userId)
            .Select(r => new ReadPosition(r.ChannelId, r.LastReadMessageId))));

    /// <summary>Up to <c>limit</c> people who share a server with the user: whose presence Ready may carry.</summary>
    public static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, int, IAsyncEnumerable<Snowflake>>> PresenceCandidates = new(() => EF.CompileAsyncQuery(
        (KamaDbContext db, Snowflake userId, int limit) => (
                from m in db.Members.TagWith(PreparedStatements.Tag)
                where m.UserId == userId
                join o in db.Members on m.ServerId equals o.ServerId
                where o.UserId != userId
                select o.UserId)
            .Distinct()
            .Take(limit)));
}

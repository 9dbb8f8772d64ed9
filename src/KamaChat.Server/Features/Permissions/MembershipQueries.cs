using KamaChat.Server.Data;
using KamaChat.Server.Features.Channels;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Permissions;

/// <summary>
/// What <see cref="PermissionService.VisibleChannelsInAllServersAsync"/> reads on every gateway connect, as EF Core
/// compiled queries: a profile of a connect storm spent a third of the server's managed CPU translating LINQ again on
/// each call (the expression funcletizer, the query and command caches' lookups). Each reads from the user's id alone,
/// through their memberships, so the SQL is one fixed text however many servers they are in.
/// </summary>
internal static class MembershipQueries
{
    public sealed record Membership(Snowflake ServerId, DateTimeOffset? TimedOutUntil, string Name, string? IconUrl, Snowflake OwnerId, string? BannerUrl, List<Snowflake> RoleIds);

    public sealed record RoleRow(Snowflake Id, Snowflake ServerId, Permissions Permissions, int Position);

    public sealed record ChannelRow(Channel Channel, OverwriteFacts? Overwrite);

    /// <summary>A membership with one of the user's roles in that server, or with none for a membership without any.</summary>
    private sealed record MembershipRow(Snowflake ServerId, DateTimeOffset? TimedOutUntil, string Name, string? IconUrl, Snowflake OwnerId, string? BannerUrl, Snowflake? RoleId);

    // Flat rows (a LEFT JOIN), not a list of role ids per membership: EF Core's collection shaper creates delegates on
    // every execution, as it did for the channels' overwrites.
    private static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, IAsyncEnumerable<MembershipRow>>> MembershipRows = new(() => EF.CompileAsyncQuery(
        (KamaDbContext db, Snowflake userId) =>
            from m in db.Members.AsNoTracking().TagWith(PreparedStatements.Tag)
            where m.UserId == userId
            from mr in db.MemberRoles.AsNoTracking().Where(mr => mr.ServerId == m.ServerId && mr.UserId == m.UserId).DefaultIfEmpty()
            orderby m.ServerId
            select new MembershipRow(m.ServerId, m.TimedOutUntil, m.Server.Name, m.Server.IconUrl, m.Server.OwnerId, m.Server.BannerUrl, mr == null ? (Snowflake?)null : mr.RoleId)));

    /// <summary>The user's servers, by id, with what Ready shows of each and the user's roles there (one query, not two).</summary>
    public static Task<List<Membership>> MembershipsAsync(KamaDbContext db, Snowflake userId, CancellationToken cancellationToken) =>
        // Ordered by server: a membership's rows are consecutive.
        MembershipRows.For(db)(db, userId).FoldAsync(
            static row => row.ServerId,
            static row => new Membership(row.ServerId, row.TimedOutUntil, row.Name, row.IconUrl, row.OwnerId, row.BannerUrl, []),
            static (membership, row) =>
            {
                if (row.RoleId is { } roleId)
                    membership.RoleIds.Add(roleId);
            },
            cancellationToken);

    /// <summary>Every role of the user's servers (their permissions and positions resolve the user's standing).</summary>
    public static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, IAsyncEnumerable<RoleRow>>> Roles = new(() => EF.CompileAsyncQuery(
        (KamaDbContext db, Snowflake userId) =>
            from m in db.Members.AsNoTracking().TagWith(PreparedStatements.Tag)
            where m.UserId == userId
            join r in db.Roles.AsNoTracking() on m.ServerId equals r.ServerId
            select new RoleRow(r.Id, r.ServerId, r.Permissions, r.Position)));

    /// <summary>
    /// Every channel of the user's servers with its permission overwrites (one query, not two): a row per overwrite, or
    /// one with none for a channel without any. Flat rows, not a list per channel: EF Core's collection shaper created
    /// delegates on every execution (~2 % of a connect's CPU) and had the rows sorted. Only the columns Ready shows of a
    /// channel (<see cref="Gateway.ReadyChannel"/>) and its server are read, not the rest of the row (its creation time,
    /// which SQLite stores as text to parse, slow mode, icon…): every connect reads every channel.
    /// </summary>
    public static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, IAsyncEnumerable<ChannelRow>>> Channels = new(() => EF.CompileAsyncQuery(
        (KamaDbContext db, Snowflake userId) =>
            from m in db.Members.AsNoTracking().TagWith(PreparedStatements.Tag)
            where m.UserId == userId
            join c in db.Channels.AsNoTracking() on (Snowflake?)m.ServerId equals c.ServerId
            from o in db.PermissionOverwrites.AsNoTracking().Where(o => o.ChannelId == c.Id).DefaultIfEmpty()
            select new ChannelRow(
                new Channel { Id = c.Id, ServerId = c.ServerId, Type = c.Type, Name = c.Name, Topic = c.Topic, ParentId = c.ParentId, Position = c.Position, LastMessageId = c.LastMessageId },
                o == null ? (OverwriteFacts?)null : new OverwriteFacts(o.TargetType, o.TargetId, o.Allow, o.Deny))));
}

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
    public sealed record Membership(Snowflake ServerId, DateTimeOffset? TimedOutUntil, string Name, string? IconUrl, Snowflake OwnerId, string? BannerUrl);

    public sealed record RoleOfMember(Snowflake ServerId, Snowflake RoleId);

    public sealed record RoleRow(Snowflake Id, Snowflake ServerId, Permissions Permissions, int Position);

    public sealed record OverwriteRow(Snowflake ChannelId, OverwriteTarget TargetType, Snowflake TargetId, Permissions Allow, Permissions Deny);

    /// <summary>The user's servers, by id, with what Ready shows of each.</summary>
    public static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, IAsyncEnumerable<Membership>>> Memberships = new(() => EF.CompileAsyncQuery(
        (KamaDbContext db, Snowflake userId) => db.Members.AsNoTracking().TagWith(PreparedStatements.Tag)
            .Where(m => m.UserId == userId)
            .OrderBy(m => m.ServerId)
            .Select(m => new Membership(m.ServerId, m.TimedOutUntil, m.Server.Name, m.Server.IconUrl, m.Server.OwnerId, m.Server.BannerUrl))));

    public static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, IAsyncEnumerable<RoleOfMember>>> MemberRoles = new(() => EF.CompileAsyncQuery(
        (KamaDbContext db, Snowflake userId) => db.MemberRoles.AsNoTracking().TagWith(PreparedStatements.Tag)
            .Where(mr => mr.UserId == userId)
            .Select(mr => new RoleOfMember(mr.ServerId, mr.RoleId))));

    /// <summary>Every role of the user's servers (their permissions and positions resolve the user's standing).</summary>
    public static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, IAsyncEnumerable<RoleRow>>> Roles = new(() => EF.CompileAsyncQuery(
        (KamaDbContext db, Snowflake userId) =>
            from m in db.Members.AsNoTracking().TagWith(PreparedStatements.Tag)
            where m.UserId == userId
            join r in db.Roles.AsNoTracking() on m.ServerId equals r.ServerId
            select new RoleRow(r.Id, r.ServerId, r.Permissions, r.Position)));

    /// <summary>Every channel of the user's servers.</summary>
    public static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, IAsyncEnumerable<Channel>>> Channels = new(() => EF.CompileAsyncQuery(
        (KamaDbContext db, Snowflake userId) =>
            from m in db.Members.AsNoTracking().TagWith(PreparedStatements.Tag)
            where m.UserId == userId
            join c in db.Channels.AsNoTracking() on (Snowflake?)m.ServerId equals c.ServerId
            select c));

    /// <summary>Every permission overwrite of the user's servers' channels.</summary>
    public static readonly CompiledPerModel<Func<KamaDbContext, Snowflake, IAsyncEnumerable<OverwriteRow>>> Overwrites = new(() => EF.CompileAsyncQuery(
        (KamaDbContext db, Snowflake userId) =>
            from m in db.Members.AsNoTracking().TagWith(PreparedStatements.Tag)
            where m.UserId == userId
            join c in db.Channels.AsNoTracking() on (Snowflake?)m.ServerId equals c.ServerId
            join o in db.PermissionOverwrites.AsNoTracking() on c.Id equals o.ChannelId
            select new OverwriteRow(o.ChannelId, o.TargetType, o.TargetId, o.Allow, o.Deny)));
}

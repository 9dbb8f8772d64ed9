using KamaChat.Server.Features.Account;
using System.Security.Cryptography;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Audit;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.ReadStates;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.Servers;

/// <summary>
/// Invite links: create, list, revoke, preview and join. A code that can no longer be used answers 410 Gone with
/// <c>invite_revoked</c>, <c>invite_expired</c> or <c>invite_exhausted</c>; an unknown code 404.
/// </summary>
public static class InviteEndpoints
{
    public const int MaxAgeSeconds = 7 * 24 * 3600;

    private const string CodeAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    public static IEndpointRouteBuilder MapInviteEndpoints(this IEndpointRouteBuilder app)
    {
        var servers = app.MapGroup("/api/v1/servers/{id:snowflake}/invites").WithTags("Invites").RequireAuthorization();
        servers.MapPost("/", CreateAsync).RequireServerPermission(P.CreateInvite).ProducesValidationProblem();
        servers.MapGet("/", ListAsync).RequireServerPermission(P.ManageServer);

        var invites = app.MapGroup("/api/v1/invites").WithTags("Invites").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        invites.MapGet("/{code}", PreviewAsync).ProducesProblem(StatusCodes.Status410Gone);
        invites.MapPost("/{code}/join", JoinAsync).RequireAuthorization(VerifiedEmailPolicy.Name).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status410Gone);
        invites.MapDelete("/{code}", RevokeAsync).ProducesProblem(StatusCodes.Status403Forbidden);
        return app;
    }

    private static async Task<Created<InviteResponse>> CreateAsync(
        ServerAccess access, CreateInviteRequest request, CurrentUser user, KamaDbContext db, EventLog events, AuditLog audit, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var invite = new Invite
        {
            Code = RandomNumberGenerator.GetString(CodeAlphabet, Invite.CodeLength),
            ServerId = access.ServerId,
            CreatorId = user.Id,
            MaxUses = request.MaxUses,
            ExpiresAt = request.MaxAgeSeconds == 0 ? null : now.AddSeconds(request.MaxAgeSeconds),
            Temporary = request.Temporary,
            CreatedAt = now,
        };
        await using var change = await events.BeginAsync(cancellationToken);
        db.Invites.Add(invite);
        // The code is the invite's key, which a snapshot leaves out: it is what the entry is about.
        audit.Record(access.ServerId, AuditActions.InviteCreate, targetId: null, [AuditLog.Change("code", null, invite.Code), .. audit.ChangesOf(invite)]);
        var response = ToResponse(invite);
        // Only the creator hears of the code: other members may not be allowed to hand out invites.
        await change.AppendAsync(new InviteCreated(user.Id, response), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/invites/{invite.Code}", response);
    }

    private static async Task<Ok<List<InviteResponse>>> ListAsync(ServerAccess access, KamaDbContext db, CancellationToken cancellationToken)
    {
        var invites = await db.Invites.AsNoTracking().Where(i => i.ServerId == access.ServerId && i.RevokedAt == null)
            .OrderBy(i => i.CreatedAt).ToListAsync(cancellationToken);
        return TypedResults.Ok(invites.Select(ToResponse).ToList());
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        string code, CurrentUser user, KamaDbContext db, PermissionService permissions, EventLog events, AuditLog audit, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var invite = await db.Invites.AsNoTracking().SingleOrDefaultAsync(i => i.Code == code && i.RevokedAt == null, cancellationToken);
        // The server comes from the code, not the route, so this one asks the resolver itself.
        var access = invite is null ? null : await permissions.ForServerAsync(user.Id, invite.ServerId, cancellationToken);
        if (invite is null || access is null)
            return Problems.NotFound("The invite");
        if (invite.CreatorId != user.Id && !access.Has(P.ManageServer))
            return access.Refusal(P.ManageServer);

        await using var change = await events.BeginAsync(cancellationToken);
        var now = time.GetUtcNow();
        if (await db.Invites.Where(i => i.Code == code && i.RevokedAt == null)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.RevokedAt, now), cancellationToken) == 0)
            return Problems.NotFound("The invite");
        audit.Record(invite.ServerId, AuditActions.InviteDelete, targetId: null,
            [AuditLog.Change("code", code, null), AuditLog.Change("uses", invite.Uses, null), AuditLog.Change("creatorId", invite.CreatorId, null)]);
        await change.AppendAsync(new InviteDeleted(invite.ServerId, code), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<InvitePreviewResponse>, ProblemHttpResult>> PreviewAsync(
        string code, KamaDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var invite = await db.Invites.AsNoTracking().Where(i => i.Code == code)
            .Select(i => new { Invite = i, i.Server.Name, i.Server.IconUrl, MemberCount = i.Server.Members.Count })
            .SingleOrDefaultAsync(cancellationToken);
        if (invite is null)
            return Problems.NotFound("The invite");
        if (Unusable(invite.Invite, time.GetUtcNow()) is { } gone)
            return gone;
        return TypedResults.Ok(new InvitePreviewResponse(code, invite.Invite.ServerId, invite.Name, invite.IconUrl,
            invite.MemberCount, invite.Invite.ExpiresAt));
    }

    private static async Task<Results<Ok<ServerResponse>, ProblemHttpResult>> JoinAsync(
        string code, CurrentUser user, KamaDbContext db, EventLog events, SnowflakeGenerator ids, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var invite = await db.Invites.AsNoTracking().SingleOrDefaultAsync(i => i.Code == code, cancellationToken);
        if (invite is null)
            return Problems.NotFound("The invite");
        var serverId = invite.ServerId;
        if (await ServerEndpoints.LoadAsync(db, serverId, userId, cancellationToken) is { } already)
            return TypedResults.Ok(already);
        if (await db.Bans.AnyAsync(b => b.ServerId == serverId && b.UserId == userId, cancellationToken))
            return Problems.Forbidden("banned", "You are banned from this server.");

        var now = time.GetUtcNow();
        try
        {
            await using var change = await events.BeginAsync(cancellationToken);
            // One conditional statement counts the use, so two joins racing for the last use cannot both get it.
            var counted = await db.Invites
                .Where(i => i.Code == code && i.RevokedAt == null && (i.ExpiresAt == null || i.ExpiresAt > now) &&
                            (i.MaxUses == 0 || i.Uses < i.MaxUses))
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Uses, i => i.Uses + 1), cancellationToken);
            if (counted == 0)
            {
                var current = await db.Invites.AsNoTracking().SingleAsync(i => i.Code == code, cancellationToken);
                return Unusable(current, now) ?? Problems.Of(StatusCodes.Status410Gone, "invite_exhausted", "This invite has been used up.");
            }

            var joinPosition = ids.NextId();
            db.Members.Add(new Member { ServerId = serverId, UserId = userId, JoinedAt = now, JoinPosition = joinPosition, Temporary = invite.Temporary });
            await db.SaveChangesAsync(cancellationToken);
            await ReadStateService.StartAtJoinAsync(db, userId, db.Channels.Where(c => c.ServerId == serverId).Select(c => c.Id), joinPosition, cancellationToken);
            // The join line first: it takes its channel's lock before this change touches the server's stream (the order every writer keeps).
            if (await SystemChannelAsync(db, serverId, cancellationToken) is { } systemChannel)
                await SystemMessages.PostAsync(db, change, systemChannel, userId, MessageKind.MemberJoined, null, "", cancellationToken);
            var member = (await MemberEndpoints.LoadAsync(db, serverId, userId, cancellationToken))!;
            var server = (await ServerEndpoints.LoadAsync(db, serverId, userId, cancellationToken))!;
            await change.AppendAsync(new MemberJoined(serverId, member), cancellationToken);
            await change.AppendAsync(new ServerJoined(userId, server), cancellationToken);
            await change.CommitAsync(cancellationToken);
            return TypedResults.Ok(server);
        }
        catch (DbUpdateException)
        {
            // A concurrent join of the same user won, or the server was deleted meanwhile; the whole attempt
            // (and its use) rolled back. Answer as for a member, or as for an invite that is gone.
            db.ChangeTracker.Clear();
            return await ServerEndpoints.LoadAsync(db, serverId, userId, cancellationToken) is { } joined
                ? TypedResults.Ok(joined)
                : Problems.NotFound("The invite");
        }
    }

    /// <summary>The server's system channel, if it is still one of its text channels (a deleted channel means none).</summary>
    private static async Task<Snowflake?> SystemChannelAsync(KamaDbContext db, Snowflake serverId, CancellationToken cancellationToken)
    {
        var chosen = await db.Servers.Where(s => s.Id == serverId).Select(s => s.SystemChannelId).SingleOrDefaultAsync(cancellationToken);
        return chosen is { } channelId && await ServerEndpoints.IsTextChannelOfAsync(db, serverId, channelId, cancellationToken) ? channelId : null;
    }

    private static ProblemHttpResult? Unusable(Invite invite, DateTimeOffset now) =>
        invite.RevokedAt is not null ? Problems.Of(StatusCodes.Status410Gone, "invite_revoked", "This invite was revoked.")
        : invite.ExpiresAt is { } expires && expires <= now ? Problems.Of(StatusCodes.Status410Gone, "invite_expired", "This invite has expired.")
        : invite.MaxUses != 0 && invite.Uses >= invite.MaxUses ? Problems.Of(StatusCodes.Status410Gone, "invite_exhausted", "This invite has been used up.")
        : null;

    private static InviteResponse ToResponse(Invite i) =>
        new(i.Code, i.ServerId, i.CreatorId, i.MaxUses, i.Uses, i.ExpiresAt, i.Temporary, i.CreatedAt);
}

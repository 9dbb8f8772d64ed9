using KamaChat.Server.Features.Account;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Audit;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.ProfileImages;
using KamaChat.Server.Features.Users;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.Servers;

/// <summary>Creating, reading, editing, deleting and handing over servers, and the signed-in user's server list.</summary>
public static class ServerEndpoints
{
    public static IEndpointRouteBuilder MapServerEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/servers").WithTags("Servers").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        group.MapPost("/", CreateAsync).RequireAuthorization(VerifiedEmailPolicy.Name).ProducesValidationProblem();
        group.MapGet("/{id:snowflake}", GetAsync).ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPatch("/{id:snowflake}", UpdateAsync).RequireServerPermission(Permissions.Permissions.ManageServer).ProducesValidationProblem();
        // Owner only: not a permission anyone can be given, so the handlers check it.
        group.MapDelete("/{id:snowflake}", DeleteAsync).RequireServerPermission().ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        group.MapPost("/{id:snowflake}/transfer", TransferAsync).RequireServerPermission().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden);
        app.MapGet("/api/v1/users/@me/servers", ListMineAsync).WithTags("Servers").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);
        return app;
    }

    private static async Task<Results<Created<ServerResponse>, ValidationProblem>> CreateAsync(
        CreateServerRequest request, CurrentUser user, KamaDbContext db, EventLog events, SnowflakeGenerator ids,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var name = request.Name.Trim();
        if (name.Length == 0)
            return Problems.Validation("name", "The name must not be blank.");
        if (request.IconUrl is { Length: > 0 } icon && !RequestText.IsHttpsUrl(icon))
            return Problems.Validation("iconUrl", "The icon URL must be an absolute https URL.");

        var userId = user.Id;
        var now = time.GetUtcNow();
        var server = new ChatServer
        {
            Id = ids.NextId(),
            Name = name,
            Description = request.Description is null ? null : RequestText.Cleared(request.Description),
            IconUrl = request.IconUrl is null ? null : RequestText.Cleared(request.IconUrl),
            OwnerId = userId,
            CreatedAt = now,
        };

        await using var change = await events.BeginAsync(cancellationToken);
        db.Servers.Add(server);
        db.Roles.Add(new Role { Id = server.Id, ServerId = server.Id, Name = Role.EveryoneName, Permissions = Permissions.Permissions.DefaultEveryone });
        // The owner joins as the server starts: no message precedes its id.
        db.Members.Add(new Member { ServerId = server.Id, UserId = userId, JoinedAt = now, JoinPosition = server.Id });
        db.Channels.Add(new Channel { Id = ids.NextId(), ServerId = server.Id, Type = ChannelType.Text, Name = "general", CreatedAt = now });
        var response = ToResponse(server, memberCount: 1);
        await change.AppendAsync(new ServerJoined(userId, response), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/servers/{server.Id}", response);
    }

    private static async Task<Results<Ok<ServerResponse>, ProblemHttpResult>> GetAsync(
        Snowflake id, CurrentUser user, KamaDbContext db, CancellationToken cancellationToken)
    {
        var server = await LoadAsync(db, id, user.Id, cancellationToken);
        return server is null ? ServerProblems.ServerNotFound() : TypedResults.Ok(server);
    }

    private static async Task<Results<Ok<ServerResponse>, ValidationProblem>> UpdateAsync(
        ServerAccess access, UpdateServerRequest request, CurrentUser user, PermissionService permissions, KamaDbContext db, EventLog events, AuditLog audit,
        StoredFileCleanup files, CancellationToken cancellationToken)
    {
        if (request.Name is not null && request.Name.Trim().Length == 0)
            return Problems.Validation("name", "The name must not be blank.");
        var id = access.ServerId;
        await using var change = await events.BeginAsync(cancellationToken);
        var server = await db.Servers.SingleAsync(s => s.Id == id, cancellationToken);
        // An uploaded icon's own URL may come back unchanged; any other link must be https.
        if (request.IconUrl is { Length: > 0 } icon && !string.IsNullOrWhiteSpace(icon) && icon.Trim() != server.IconUrl && !RequestText.IsHttpsUrl(icon))
            return Problems.Validation("iconUrl", "The icon URL must be an absolute https URL.");
        var replacedIcon = server.IconUrl;
        if (request.SystemChannelId is not null)
        {
            if (request.SystemChannelId.Length == 0)
                server.SystemChannelId = null;
            // A channel the caller cannot see answers as one that does not exist (nor is a hidden channel theirs to choose).
            else if (Snowflake.TryParse(request.SystemChannelId, out var channelId) &&
                     await permissions.ForChannelAsync(user.Id, channelId, cancellationToken) is { Channel: { Type: ChannelType.Text } seen } && seen.ServerId == id)
                server.SystemChannelId = channelId;
            else
                return Problems.Validation("systemChannelId", "The system channel must be a text channel of this server.");
        }
        if (request.Name is not null)
            server.Name = request.Name.Trim();
        if (request.Description is not null)
            server.Description = RequestText.Cleared(request.Description);
        if (request.IconUrl is not null)
            server.IconUrl = RequestText.Cleared(request.IconUrl);
        if (audit.ChangesOf(server) is { Count: > 0 } changes)
            audit.Record(id, AuditActions.ServerUpdate, id, changes);
        var response = ToResponse(server, await db.Members.CountAsync(m => m.ServerId == id, cancellationToken));
        await change.AppendAsync(new ServerUpdated(id, response), cancellationToken);
        await ProfileImageEndpoints.SaveReplacingAsync(replacedIcon, server.IconUrl, () => change.CommitAsync(cancellationToken), files);
        return TypedResults.Ok(response);
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteAsync(
        ServerAccess access, [FromBody] DeleteServerRequest request, KamaDbContext db, EventLog events, StoredFileCleanup files, CancellationToken cancellationToken)
    {
        if (!access.IsOwner)
            return ServerProblems.OwnerOnly();
        var id = access.ServerId;

        await using var change = await events.BeginAsync(cancellationToken);
        var doomed = await db.Servers.Where(s => s.Id == id).Select(s => new { s.Name, s.IconUrl, s.BannerUrl }).SingleAsync(cancellationToken);
        var name = doomed.Name;
        if (!string.Equals(request.ConfirmName.Trim(), name, StringComparison.Ordinal))
            return Problems.Validation("confirmName", "Type the server's name exactly to delete it.");

        var memberIds = await db.Members.Where(m => m.ServerId == id).Select(m => m.UserId).ToListAsync(cancellationToken);
        // The database cascades from the server row: members and their roles, roles, bans, invites, channels and
        // with them overwrites, messages, reactions, mentions, attachments and read states. Stored files go once committed.
        var attachmentIds = await db.Attachments.Where(a => db.Channels.Any(c => c.Id == a.ChannelId && c.ServerId == id))
            .Select(a => a.Id).ToArrayAsync(cancellationToken);
        await db.Servers.Where(s => s.Id == id).ExecuteDeleteAsync(cancellationToken);
        await change.AppendAsync(new ServerDeleted(id), cancellationToken);
        foreach (var memberId in memberIds)
            await change.AppendAsync(new ServerRemoved(memberId, id, "deleted", name), cancellationToken);
        await change.CommitAsync(cancellationToken);
        await files.AttachmentsAsync(attachmentIds);
        await files.PrefixesAsync(ProfileImageStore.PrefixOf(doomed.IconUrl), ProfileImageStore.PrefixOf(doomed.BannerUrl));
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ServerResponse>, ValidationProblem, ProblemHttpResult>> TransferAsync(
        ServerAccess access, TransferServerRequest request, CurrentUser user, KamaDbContext db, UserManager<User> users, EventLog events,
        AuditLog audit, CancellationToken cancellationToken)
    {
        if (!access.IsOwner)
            return ServerProblems.OwnerOnly();
        var (id, userId) = (access.ServerId, user.Id);
        if (request.NewOwnerId == userId)
            return Problems.Validation("newOwnerId", "You already own this server.");
        // Handing a community over cannot be undone by the one who did it: a stolen session alone must not be enough.
        var me = await users.FindByIdAsync(userId.ToString());
        if (me is null)
            return Problems.Forbidden("invalid_password", "The password is incorrect.");
        if (await users.HasPasswordAsync(me))
        {
            if (string.IsNullOrEmpty(request.Password))
                return Problems.Validation("password", "Enter your password to transfer the server.");
            if (!await users.CheckPasswordAsync(me, request.Password))
                return Problems.Forbidden("invalid_password", "The password is incorrect.");
        }

        await using var change = await events.BeginAsync(cancellationToken);
        if (!await db.Members.AnyAsync(m => m.ServerId == id && m.UserId == request.NewOwnerId, cancellationToken))
            return Problems.NotFound("The member");
        var server = await db.Servers.SingleAsync(s => s.Id == id, cancellationToken);
        server.OwnerId = request.NewOwnerId;
        audit.Record(id, AuditActions.ServerTransfer, request.NewOwnerId, audit.ChangesOf(server));
        var response = ToResponse(server, await db.Members.CountAsync(m => m.ServerId == id, cancellationToken));
        await change.AppendAsync(new ServerUpdated(id, response), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.Ok(response);
    }

    private static async Task<Ok<List<ServerResponse>>> ListMineAsync(CurrentUser user, KamaDbContext db, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var rows = await Project(db.Servers.AsNoTracking().Where(s => s.Members.Any(m => m.UserId == userId)).OrderBy(s => s.Id))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(rows.Select(ToResponse).ToList());
    }

    /// <summary>The server as its member sees it; null when it does not exist or the user is not a member.</summary>
    public static async Task<ServerResponse?> LoadAsync(KamaDbContext db, Snowflake serverId, Snowflake userId, CancellationToken cancellationToken)
    {
        var row = await Project(db.Servers.AsNoTracking().Where(s => s.Id == serverId && s.Members.Any(m => m.UserId == userId)))
            .SingleOrDefaultAsync(cancellationToken);
        return row is null ? null : ToResponse(row);
    }

    /// <summary>Whether <paramref name="channelId"/> is a text channel of the server: the only kind that can be its system channel.</summary>
    internal static Task<bool> IsTextChannelOfAsync(KamaDbContext db, Snowflake serverId, Snowflake channelId, CancellationToken cancellationToken) =>
        db.Channels.AnyAsync(c => c.Id == channelId && c.ServerId == serverId && c.Type == Channels.ChannelType.Text, cancellationToken);

    public static ServerResponse ToResponse(ChatServer s, int memberCount) =>
        new(s.Id, s.Name, s.Description, s.IconUrl, s.OwnerId, memberCount, s.CreatedAt, s.SystemChannelId, s.BannerUrl);

    private static IQueryable<ServerRow> Project(IQueryable<ChatServer> servers) =>
        servers.Select(s => new ServerRow(s.Id, s.Name, s.Description, s.IconUrl, s.OwnerId, s.Members.Count, s.CreatedAt, s.SystemChannelId, s.BannerUrl));

    private static ServerResponse ToResponse(ServerRow s) =>
        new(s.Id, s.Name, s.Description, s.IconUrl, s.OwnerId, s.MemberCount, s.CreatedAt, s.SystemChannelId, s.BannerUrl);

    private sealed record ServerRow(
        Snowflake Id, string Name, string? Description, string? IconUrl, Snowflake OwnerId, int MemberCount, DateTimeOffset CreatedAt, Snowflake? SystemChannelId,
        string? BannerUrl);
}

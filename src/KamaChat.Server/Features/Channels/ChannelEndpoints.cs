using System.Text.RegularExpressions;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Audit;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.Servers;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.Channels;

/// <summary>Server channels: list (only what the caller can see), create, read, edit, reorder, delete.</summary>
public static partial class ChannelEndpoints
{
    public const int MaxOverwritesAtCreation = 100;

    public static IEndpointRouteBuilder MapChannelEndpoints(this IEndpointRouteBuilder app)
    {
        var servers = app.MapGroup("/api/v1/servers/{id:snowflake}/channels").WithTags("Channels").RequireAuthorization();
        servers.MapGet("/", ListAsync).RequireServerPermission();
        servers.MapPost("/", CreateAsync).RequireServerPermission(P.ManageChannels).ProducesValidationProblem();
        servers.MapPatch("/positions", ReorderAsync).RequireServerPermission(P.ManageChannels).ProducesValidationProblem();

        var channels = app.MapGroup("/api/v1/channels").WithTags("Channels").RequireAuthorization();
        channels.MapGet("/{id:snowflake}", GetAsync).RequireChannelPermission();
        channels.MapPatch("/{id:snowflake}", UpdateAsync).RequireChannelPermission(P.ManageChannels, ChannelScope.ServerChannel).ProducesValidationProblem();
        channels.MapDelete("/{id:snowflake}", DeleteAsync).RequireChannelPermission(P.ManageChannels, ChannelScope.ServerChannel);
        return app;
    }

    private static async Task<Ok<List<ChannelResponse>>> ListAsync(
        ServerAccess access, CurrentUser user, PermissionService permissions, CancellationToken cancellationToken)
    {
        var visible = await permissions.VisibleChannelsAsync(user.Id, access.ServerId, cancellationToken);
        return TypedResults.Ok(visible.Select(v => v.Channel).OrderBy(c => c.Position).ThenBy(c => c.Id).Select(ChannelResponse.From).ToList());
    }

    private static async Task<Results<Created<ChannelResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        ServerAccess access, CreateChannelRequest request, CurrentUser user, PermissionService permissions, KamaDbContext db, EventLog events,
        AuditLog audit, SnowflakeGenerator ids, TimeProvider time, CancellationToken cancellationToken)
    {
        var type = request.Type switch { "voice" => ChannelType.Voice, "category" => ChannelType.Category, _ => ChannelType.Text };
        if (NormalizedName(request.Name, type) is not { } name)
            return Problems.Validation("name", "The name must be 1..100 characters.");
        if (type == ChannelType.Category && request.ParentId is not null)
            return Problems.Validation("parentId", "A category cannot sit in another category.");
        var id = access.ServerId;
        if (request.ParentId is { } parentId && !await IsVisibleCategoryOfAsync(permissions, user.Id, parentId, id, cancellationToken))
            return Problems.Validation("parentId", "The parent must be a category of this server.");

        var overwrites = new List<OverwriteEndpoints.CheckedOverwrite>();
        var targets = new HashSet<(string, Snowflake)>();
        foreach (var given in request.PermissionOverwrites ?? [])
        {
            if (!access.Has(P.ManageRoles))
                return access.Refusal(P.ManageRoles);
            if (!targets.Add((given.TargetType, given.TargetId)))
                return Problems.Validation("permissionOverwrites", "Each role or member at most once.");
            // A new channel has no overwrites yet: what the caller may do in it is what they may do server-wide.
            var checkedOverwrite = await OverwriteEndpoints.CheckAsync(access, access.Permissions, given.TargetType, given.TargetId,
                new OverwriteRequest(given.Allow, given.Deny), db, cancellationToken);
            if (checkedOverwrite.Invalid is { } invalid)
                return invalid;
            if (checkedOverwrite.Refused is { } refused)
                return refused;
            overwrites.Add(checkedOverwrite with { TargetId = given.TargetId });
        }

        await using var change = await events.BeginAsync(cancellationToken);
        var last = await db.Channels.Where(c => c.ServerId == id).MaxAsync(c => (int?)c.Position, cancellationToken);
        var channel = new Channel
        {
            Id = ids.NextId(),
            ServerId = id,
            Type = type,
            Name = name,
            Topic = type == ChannelType.Text && request.Topic is not null ? RequestText.Cleared(request.Topic) : null,
            ParentId = request.ParentId,
            Position = (last ?? -1) + 1,
            SlowModeSeconds = type == ChannelType.Text ? request.SlowModeSeconds : 0,
            UserLimit = type == ChannelType.Voice ? request.UserLimit : 0,
            CreatedAt = time.GetUtcNow(),
        };
        db.Channels.Add(channel);
        audit.Record(id, AuditActions.ChannelCreate, channel.Id, audit.ChangesOf(channel));
        foreach (var o in overwrites)
        {
            db.PermissionOverwrites.Add(new PermissionOverwrite { ChannelId = channel.Id, TargetType = o.Target, TargetId = o.TargetId, Allow = o.Allow, Deny = o.Deny });
            audit.Record(id, AuditActions.OverwriteUpdate, channel.Id,
                [.. OverwriteEndpoints.Target(o.Target, o.TargetId), AuditLog.Change("allow", null, o.Allow), AuditLog.Change("deny", null, o.Deny)]);
        }
        var response = ChannelResponse.From(channel);
        await change.AppendAsync(new ChannelCreated(id, response), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/channels/{channel.Id}", response);
    }

    private static async Task<Ok<ChannelResponse>> GetAsync(ChannelAccess access, KamaDbContext db, CancellationToken cancellationToken) =>
        TypedResults.Ok(await DescribeAsync(access, db, cancellationToken));

    /// <summary>The channel as clients see it. Its last message id is read now: the cached channel leaves it out, every send changes it.</summary>
    internal static async Task<ChannelResponse> DescribeAsync(ChannelAccess access, KamaDbContext db, CancellationToken cancellationToken)
    {
        var id = access.ChannelId;
        var last = await db.Channels.AsNoTracking().Where(c => c.Id == id).Select(c => c.LastMessageId).SingleOrDefaultAsync(cancellationToken);
        return ChannelResponse.From(access.Channel) with { LastMessageId = last };
    }

    private static async Task<Results<Ok<ChannelResponse>, ValidationProblem>> UpdateAsync(
        ChannelAccess access, UpdateChannelRequest request, CurrentUser user, PermissionService permissions, KamaDbContext db, EventLog events,
        AuditLog audit, CancellationToken cancellationToken)
    {
        var (id, serverId, type) = (access.ChannelId, access.Channel.ServerId!.Value, access.Channel.Type);
        string? name = null;
        if (request.Name is not null && (name = NormalizedName(request.Name, type)) is null)
            return Problems.Validation("name", "The name must be 1..100 characters.");
        if (request.ParentId is { } parentId && parentId != default &&
            (type == ChannelType.Category || !await IsVisibleCategoryOfAsync(permissions, user.Id, parentId, serverId, cancellationToken)))
            return Problems.Validation("parentId", "The parent must be a category of this server, and categories cannot be nested.");

        await using var change = await events.BeginAsync(cancellationToken);
        var channel = await db.Channels.SingleAsync(c => c.Id == id, cancellationToken);
        if (name is not null)
            channel.Name = name;
        if (request.Topic is not null && type == ChannelType.Text)
            channel.Topic = RequestText.Cleared(request.Topic);
        if (request.SlowModeSeconds is { } slowMode && type == ChannelType.Text)
            channel.SlowModeSeconds = slowMode;
        if (request.UserLimit is { } userLimit && type == ChannelType.Voice)
            channel.UserLimit = userLimit;
        if (request.ParentId is { } newParent)
            channel.ParentId = newParent == default ? null : newParent;
        if (audit.ChangesOf(channel) is { Count: > 0 } changes)
            audit.Record(serverId, AuditActions.ChannelUpdate, id, changes);
        var response = ChannelResponse.From(channel);
        await change.AppendAsync(new ChannelUpdated(serverId, response), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.Ok(response);
    }

    private static async Task<Results<Ok<List<ChannelResponse>>, ValidationProblem, ProblemHttpResult>> ReorderAsync(
        ServerAccess access, List<PositionRequest> request, CurrentUser user, KamaDbContext db, PermissionService permissions, EventLog events,
        AuditLog audit, CancellationToken cancellationToken)
    {
        if (request.Count is 0 or > 500 || request.Select(r => r.Id).Distinct().Count() != request.Count)
            return Problems.Validation("positions", "Send 1..500 channels, each once.");
        if (request.Any(r => r.Position < 0))
            return Problems.Validation("positions", "Positions are 0 or more.");

        var id = access.ServerId;
        // Only the channels the caller can see move, or are parents: a hidden one answers as one that does not exist.
        var visible = (await permissions.VisibleChannelsAsync(user.Id, access, cancellationToken)).Select(v => v.Channel.Id).ToHashSet();
        await using var change = await events.BeginAsync(cancellationToken);
        var channels = await db.Channels.Where(c => c.ServerId == id && visible.Contains(c.Id)).ToDictionaryAsync(c => c.Id, cancellationToken);
        foreach (var move in request)
        {
            if (!channels.TryGetValue(move.Id, out var channel))
                return Problems.NotFound("The channel");
            if (move.ParentId is { } parentId && parentId != default &&
                (channel.Type == ChannelType.Category || !channels.TryGetValue(parentId, out var parent) || parent.Type != ChannelType.Category))
                return Problems.Validation("positions", "A parent must be a category of this server, and categories cannot be nested.");
        }
        foreach (var move in request)
        {
            var channel = channels[move.Id];
            Snowflake? parentId = move.ParentId is not { } moved ? channel.ParentId : moved == default ? null : moved;
            if (channel.Position == move.Position && channel.ParentId == parentId)
                continue;
            channel.Position = move.Position;
            channel.ParentId = parentId;
            audit.Record(id, AuditActions.ChannelUpdate, channel.Id, audit.ChangesOf(channel));
            await change.AppendAsync(new ChannelUpdated(id, ChannelResponse.From(channel)), cancellationToken);
        }
        await change.CommitAsync(cancellationToken);
        var seen = await permissions.VisibleChannelsAsync(user.Id, id, cancellationToken);
        return TypedResults.Ok(seen.Select(v => v.Channel).OrderBy(c => c.Position).ThenBy(c => c.Id).Select(ChannelResponse.From).ToList());
    }

    private static async Task<NoContent> DeleteAsync(
        ChannelAccess access, KamaDbContext db, EventLog events, AuditLog audit, StoredFileCleanup files, CancellationToken cancellationToken)
    {
        var (id, serverId) = (access.ChannelId, access.Channel.ServerId!.Value);
        await using var change = await events.BeginAsync(cancellationToken);
        var children = await db.Channels.Where(c => c.ParentId == id).ToListAsync(cancellationToken);
        foreach (var child in children)
        {
            child.ParentId = null;
            await change.AppendAsync(new ChannelUpdated(serverId, ChannelResponse.From(child)), cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        await db.Invites.Where(i => i.ChannelId == id).ExecuteUpdateAsync(s => s.SetProperty(i => i.ChannelId, (Snowflake?)null), cancellationToken);
        // The database cascades from the channel row: messages with their reactions, mentions and attachments
        // (pins are message fields), overwrites and read states. Their stored files are removed by a job once committed
        // (an upload that lands meanwhile loses its row to the cascade too, and its files to the orphan sweep).
        var attachmentIds = await db.Attachments.Where(a => a.ChannelId == id).Select(a => a.Id).ToArrayAsync(cancellationToken);
        await db.Channels.Where(c => c.Id == id).ExecuteDeleteAsync(cancellationToken);
        audit.Record(serverId, AuditActions.ChannelDelete, id, audit.Snapshot(access.Channel, created: false));
        await change.AppendAsync(new ChannelDeleted(serverId, id), cancellationToken);
        await change.CommitAsync(cancellationToken);
        await files.AttachmentsAsync(attachmentIds);
        return TypedResults.NoContent();
    }

    /// <summary>Whether the channel is a category of the server the user can see: a hidden one answers as one that does not exist.</summary>
    private static async Task<bool> IsVisibleCategoryOfAsync(
        PermissionService permissions, Snowflake userId, Snowflake channelId, Snowflake serverId, CancellationToken cancellationToken) =>
        await permissions.ForChannelAsync(userId, channelId, cancellationToken) is { Channel: { Type: ChannelType.Category } category } && category.ServerId == serverId;

    /// <summary>Text channel names are lowercase with dashes for spaces (#off-topic); others are just trimmed. Null when empty or too long.</summary>
    private static string? NormalizedName(string name, ChannelType type)
    {
        var normalized = type == ChannelType.Text
            ? Whitespace().Replace(name.Trim().ToLowerInvariant(), "-")
            : name.Trim();
        return normalized.Length is 0 or > Channel.NameMaxLength ? null : normalized;
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}

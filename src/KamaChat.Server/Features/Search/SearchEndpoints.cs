using System.Text.Json.Nodes;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
using KamaChat.Server.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.EntityFrameworkCore;
using Microsoft.OpenApi;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.Search;

/// <summary>
/// Message search: every channel of a server the caller may read, or all of the caller's DMs and group DMs. What may be
/// read is decided at the moment of the search (VIEW_CHANNEL and READ_MESSAGE_HISTORY, overwrites included; still a
/// member; still a participant), by the one permission service.
/// </summary>
public static class SearchEndpoints
{
    private const Perms Readable = Perms.ViewChannel | Perms.ReadMessageHistory;

    public static IEndpointRouteBuilder MapSearch(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/v1/servers/{id:snowflake}/messages/search", SearchServerAsync)
            .WithTags("Search").RequireAuthorization()
            .RequireAccountRateLimit(RateLimitPolicy.Search)
            .RequireServerPermission()
            .ProducesValidationProblem()
            .AddOpenApiOperationTransformer(DescribeParameters);
        app.MapGet("/api/v1/users/@me/messages/search", SearchDirectMessagesAsync)
            .WithTags("Search").RequireAuthorization()
            .RequireAccountRateLimit(RateLimitPolicy.Search)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .AddOpenApiOperationTransformer(DescribeParameters);
        return app;
    }

    /// <summary>Messages in the server's channels the caller may read now.</summary>
    private static async Task<Results<Ok<MessageSearchResponse>, ValidationProblem>> SearchServerAsync(
        ServerAccess access, [AsParameters] SearchParameters parameters, CurrentUser user, PermissionService permissions,
        MessageSearch search, KamaDbContext db, AttachmentLinks links, CancellationToken cancellationToken)
    {
        if (SearchRequest.Read(parameters, out var errors) is not { } request)
            return Problems.Validation(errors);
        var readable = (await permissions.VisibleChannelsAsync(user.Id, access, cancellationToken))
            .Where(c => c.Has(Readable)).Select(c => c.ChannelId).ToList();
        return TypedResults.Ok(await RunAsync(request, readable, user, search, db, links, cancellationToken));
    }

    /// <summary>Messages in the DMs and group DMs the caller is part of now.</summary>
    private static async Task<Results<Ok<MessageSearchResponse>, ValidationProblem>> SearchDirectMessagesAsync(
        [AsParameters] SearchParameters parameters, CurrentUser user, MessageSearch search, KamaDbContext db, AttachmentLinks links, CancellationToken cancellationToken)
    {
        if (SearchRequest.Read(parameters, out var errors) is not { } request)
            return Problems.Validation(errors);
        var userId = user.Id;
        var readable = await db.Channels.AsNoTracking()
            .Where(c => (c.Type == ChannelType.Dm || c.Type == ChannelType.GroupDm) && c.Recipients.Any(r => r.UserId == userId))
            .Select(c => c.Id)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(await RunAsync(request, readable, user, search, db, links, cancellationToken));
    }

    private static async Task<MessageSearchResponse> RunAsync(
        SearchRequest request, List<Snowflake> readable, CurrentUser user, MessageSearch search, KamaDbContext db, AttachmentLinks links, CancellationToken cancellationToken)
    {
        var results = await search.SearchAsync(request.Query, readable, request.Sort, request.Offset, request.Limit, cancellationToken);
        var ids = results.Hits.SelectMany(h => new[] { h.MessageId, h.PreviousMessageId, h.NextMessageId })
            .OfType<Snowflake>().Distinct().ToList();
        var messages = (await MessageQueries.LoadAsync(db, links, ids, user.Id, cancellationToken)).ToDictionary(m => m.Id);
        MessageResponse? Load(Snowflake? id) => id is { } found ? messages.GetValueOrDefault(found) : null;
        // A hit deleted between the search and loading it is left out rather than shown half.
        var hits = results.Hits.Where(h => messages.ContainsKey(h.MessageId))
            .Select(h => new SearchHitResponse(messages[h.MessageId], h.Highlights, Load(h.PreviousMessageId), Load(h.NextMessageId)))
            .ToList();
        return new MessageSearchResponse(results.Total, results.TotalIsCapped, hits);
    }

    /// <summary>The parameters are read as text (so a bad one is a field error); OpenAPI is told what each really takes.</summary>
    private static Task DescribeParameters(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        static OpenApiSchema Id() => new() { Type = JsonSchemaType.String, Pattern = Snowflake.Pattern };
        static OpenApiSchema Words(params string[] values) => new() { Type = JsonSchemaType.String, Enum = values.Select(v => (JsonNode)v).ToList() };
        static OpenApiSchema Many(OpenApiSchema item) => new() { Type = JsonSchemaType.Array, Items = item };
        static OpenApiSchema Number(int minimum, int maximum, int fallback) => new()
        {
            Type = JsonSchemaType.Integer, Minimum = minimum.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Maximum = maximum.ToString(System.Globalization.CultureInfo.InvariantCulture), Default = fallback,
        };
        var schemas = new Dictionary<string, (OpenApiSchema Schema, string Description)>
        {
            ["q"] = (new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = SearchQuery.MaxLength },
                "Words (all must appear, also inside longer words), \"exact phrases\", -excluded, and from: in: has: mentions: before: after: during: pinned:."),
            ["authorId"] = (Many(Id()), "Only messages by these users (repeatable; widens from:)."),
            ["channelId"] = (Many(Id()), "Only these channels (repeatable; widens in:)."),
            ["mentions"] = (Many(Id()), "Only messages mentioning this user (repeatable)."),
            ["has"] = (Many(Words("link", "attachment", "image", "video", "file")), "Only messages with each of these (repeatable; narrows)."),
            ["pinned"] = (new OpenApiSchema { Type = JsonSchemaType.Boolean }, "Only pinned (true) or unpinned (false) messages."),
            ["before"] = (new OpenApiSchema { Type = JsonSchemaType.String }, "A message id, a UTC day (2026-11-01) or an ISO 8601 time: only older messages."),
            ["after"] = (new OpenApiSchema { Type = JsonSchemaType.String }, "A message id, a UTC day (after it ends) or an ISO 8601 time: only newer messages."),
            ["sort"] = (Words("newest", "oldest", "relevance"), "newest (default), oldest, or relevance."),
            ["offset"] = (Number(0, MessageSearch.MaxOffset, 0), "Hits to skip."),
            ["limit"] = (Number(1, MessageSearch.MaxLimit, SearchRequest.DefaultLimit), "Hits per page."),
        };
        foreach (var parameter in operation.Parameters ?? [])
        {
            if (parameter is OpenApiParameter described && described.Name is { } name && schemas.TryGetValue(name, out var schema))
            {
                described.Schema = schema.Schema;
                described.Description = schema.Description;
                // Each one may be left out (a search needs q or a filter, which the endpoint checks as a whole).
                described.Required = false;
            }
        }
        return Task.CompletedTask;
    }
}

using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.DirectMessages;

/// <summary>A group DM's name and icon, which any participant may change (as in Discord); each change leaves a line in the conversation.</summary>
public static class GroupDmEndpoints
{
    internal static IEndpointRouteBuilder MapGroupDmSettings(this IEndpointRouteBuilder app)
    {
        app.MapPatch("/api/v1/channels/{id:snowflake}/group", UpdateAsync).WithTags("Direct messages").RequireAuthorization()
            .RequireChannelPermission().ProducesValidationProblem().ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    private static async Task<Results<Ok<DmChannelResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        ChannelAccess access, UpdateGroupDmRequest request, CurrentUser user, KamaDbContext db, EventLog events, CancellationToken cancellationToken)
    {
        if (RecipientEndpoints.NotGroup(access) is { } problem)
            return problem;
        if (request.IconUrl is { Length: > 0 } icon && !RequestText.IsHttpUrl(icon))
            return Problems.Validation("iconUrl", "The icon URL must be an absolute http or https URL.");
        var id = access.ChannelId;

        await using var change = await events.BeginAsync(cancellationToken);
        if (!await SystemMessages.LockChannelAsync(db, id, cancellationToken))
            return Problems.NotFound("The channel");
        var channel = await db.Channels.SingleAsync(c => c.Id == id, cancellationToken);
        var name = request.Name is null ? channel.Name : RequestText.Cleared(request.Name);
        var iconUrl = request.IconUrl is null ? channel.IconUrl : RequestText.Cleared(request.IconUrl);
        var renamed = name != channel.Name;
        var iconChanged = iconUrl != channel.IconUrl;
        if (renamed || iconChanged)
        {
            (channel.Name, channel.IconUrl) = (name, iconUrl);
            await db.SaveChangesAsync(cancellationToken);
            if (renamed)
                await SystemMessages.PostAsync(db, change, id, user.Id, MessageKind.ChannelNameChanged, null, name ?? "", cancellationToken);
            if (iconChanged)
                await SystemMessages.PostAsync(db, change, id, user.Id, MessageKind.ChannelIconChanged, null, "", cancellationToken);
            var updated = await DmChannels.DescribeAsync(db, id, cancellationToken);
            foreach (var recipient in updated.Recipients)
                await change.AppendAsync(new DmChannelUpdated(recipient.Id, updated), cancellationToken);
        }
        await change.CommitAsync(cancellationToken);
        return TypedResults.Ok(await DmChannels.DescribeAsync(db, id, cancellationToken));
    }
}

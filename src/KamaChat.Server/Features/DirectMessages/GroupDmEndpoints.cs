using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.ProfileImages;
using KamaChat.Server.Infrastructure.Http;
using KamaChat.Server.Infrastructure.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.DirectMessages;

/// <summary>
/// A group DM's name and icon, which any participant may change (as in Discord); each change leaves a line in the
/// conversation. The icon is uploaded through the picture pipeline (<c>PUT …/group/icon</c>, cropped square like an
/// avatar) or, as before, given as a link.
/// </summary>
public static class GroupDmEndpoints
{
    internal static IEndpointRouteBuilder MapGroupDmSettings(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/channels/{id:snowflake}/group").WithTags("Direct messages").RequireAuthorization();
        group.MapPatch("", UpdateAsync).RequireChannelPermission().ProducesValidationProblem().ProducesProblem(StatusCodes.Status400BadRequest);
        group.MapPut("/icon", PutIconAsync).RequireChannelPermission().RequireAccountRateLimit(RateLimitPolicy.Upload).Accepts<Stream>("application/octet-stream")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status413PayloadTooLarge);
        group.MapDelete("/icon", DeleteIconAsync).RequireChannelPermission().ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    /// <summary>What changing a group DM needs besides the request.</summary>
    internal readonly record struct GroupChange([property: FromServices] KamaDbContext Db, [property: FromServices] EventLog Events, [property: FromServices] StoredFileCleanup Files);

    private static async Task<Results<Ok<DmChannelResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        ChannelAccess access, UpdateGroupDmRequest request, CurrentUser user, [AsParameters] GroupChange services, CancellationToken cancellationToken)
    {
        if (RecipientEndpoints.NotGroup(access) is { } problem)
            return problem;
        // Our own picture URLs are accepted only as the group's current icon sent back unchanged: taking another
        // group's or a user's picture would delete that owner's files when this group's icon is next replaced.
        if (request.IconUrl is { Length: > 0 } icon && (IsOurPicture(icon) ? icon != access.Channel.IconUrl : !RequestText.IsHttpsUrl(icon)))
            return Problems.Validation("iconUrl", "The icon URL must be an https URL, or upload the picture instead.");
        var name = request.Name is null ? (string?)null : RequestText.Cleared(request.Name);
        var iconUrl = request.IconUrl is null ? null : RequestText.Cleared(request.IconUrl);
        return await ChangeAsync(access.ChannelId, user.Id, request.Name is not null, name, request.IconUrl is not null, iconUrl, services, cancellationToken);
    }

    private static async Task<Results<Ok<DmChannelResponse>, ValidationProblem, ProblemHttpResult>> PutIconAsync(
        ChannelAccess access, [AsParameters] CropQuery query, HttpContext http, CurrentUser user, ProfileImageStore store,
        [AsParameters] GroupChange services, CancellationToken cancellationToken)
    {
        if (RecipientEndpoints.NotGroup(access) is { } problem)
            return problem;
        if (!query.TryRead(out var crop, out var invalid))
            return invalid;
        var outcome = await store.StoreAsync(ProfileImageKind.GroupIcon, access.ChannelId, http.Request, crop, cancellationToken);
        if (outcome.Problem is { } refused)
            return refused;
        return await ChangeAsync(access.ChannelId, user.Id, false, null, true, outcome.Url, services, cancellationToken);
    }

    private static async Task<Results<Ok<DmChannelResponse>, ValidationProblem, ProblemHttpResult>> DeleteIconAsync(
        ChannelAccess access, CurrentUser user, [AsParameters] GroupChange services, CancellationToken cancellationToken)
    {
        if (RecipientEndpoints.NotGroup(access) is { } problem)
            return problem;
        return await ChangeAsync(access.ChannelId, user.Id, false, null, true, null, services, cancellationToken);
    }

    /// <summary>A picture we stored: a client may send back the group's uploaded icon unchanged with a rename.</summary>
    private static bool IsOurPicture(string url) => ProfileImageStore.PrefixOf(url) is not null;

    /// <summary>
    /// Renames the group and/or sets its icon in one transaction with a system line for each change and the updated
    /// group to every participant. An uploaded icon's files go when the change does not land; a replaced uploaded
    /// icon's files go (by a job that retries) once it has.
    /// </summary>
    private static async Task<Results<Ok<DmChannelResponse>, ValidationProblem, ProblemHttpResult>> ChangeAsync(Snowflake id, Snowflake userId,
        bool setName, string? name, bool setIcon, string? iconUrl, GroupChange services, CancellationToken cancellationToken)
    {
        var (db, events, files) = services;
        string? replaced;
        try
        {
            await using var change = await events.BeginAsync(cancellationToken);
            if (!await SystemMessages.LockChannelAsync(db, id, cancellationToken))
            {
                await files.PrefixesAsync(ProfileImageStore.PrefixOf(iconUrl));
                return Problems.NotFound("The channel");
            }
            var channel = await db.Channels.SingleAsync(c => c.Id == id, cancellationToken);
            replaced = channel.IconUrl;
            var newName = setName ? name : channel.Name;
            var newIcon = setIcon ? iconUrl : channel.IconUrl;
            var renamed = newName != channel.Name;
            var iconChanged = newIcon != channel.IconUrl;
            if (renamed || iconChanged)
            {
                (channel.Name, channel.IconUrl) = (newName, newIcon);
                await db.SaveChangesAsync(cancellationToken);
                if (renamed)
                    await SystemMessages.PostAsync(db, change, id, userId, MessageKind.ChannelNameChanged, null, newName ?? "", cancellationToken);
                if (iconChanged)
                    await SystemMessages.PostAsync(db, change, id, userId, MessageKind.ChannelIconChanged, null, "", cancellationToken);
                var updated = await DmChannels.DescribeAsync(db, id, cancellationToken);
                foreach (var recipient in updated.Recipients)
                    await change.AppendAsync(new DmChannelUpdated(recipient.Id, updated), cancellationToken);
            }
            await change.CommitAsync(cancellationToken);
        }
        catch when (setIcon)
        {
            await files.PrefixesAsync(ProfileImageStore.PrefixOf(iconUrl));
            throw;
        }
        if (setIcon && ProfileImageStore.PrefixOf(replaced) != ProfileImageStore.PrefixOf(iconUrl))
            await files.PrefixesAsync(ProfileImageStore.PrefixOf(replaced));
        return TypedResults.Ok(await DmChannels.DescribeAsync(db, id, cancellationToken));
    }
}

using KamaChat.Server.Data;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Channels;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Relationships;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Server.Features.DirectMessages;

/// <summary>
/// DMs and group DMs: opening and listing them. Their messages, reactions and pins go through the channel endpoints;
/// adding and removing group participants is in <see cref="RecipientEndpoints"/>.
/// </summary>
public static class DirectMessageEndpoints
{
    public static IEndpointRouteBuilder MapDirectMessages(this IEndpointRouteBuilder app)
    {
        var me = app.MapGroup("/api/v1/users/@me").WithTags("Direct messages").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);
        me.MapGet("/channels", ListAsync);
        me.MapPost("/channels", OpenAsync);
        me.MapPost("/group-channels", CreateGroupAsync);
        app.MapRecipients();
        app.MapGroupDmSettings();
        return app;
    }

    /// <summary>My DMs and group DMs, the one with the newest message first (a channel without messages counts from its creation).</summary>
    private static async Task<Ok<List<DmChannelResponse>>> ListAsync(CurrentUser user, KamaDbContext db, CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var ids = await db.Channels.AsNoTracking()
            .Where(c => (c.Type == ChannelType.Dm || c.Type == ChannelType.GroupDm) && c.Recipients.Any(r => r.UserId == userId))
            .OrderByDescending(c => c.LastMessageId ?? c.Id)
            .Select(c => c.Id)
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(await DmChannels.DescribeAsync(db, ids, cancellationToken));
    }

    private static async Task<Results<Created<DmChannelResponse>, Ok<DmChannelResponse>, ValidationProblem, ProblemHttpResult>> OpenAsync(
        OpenDmRequest request, CurrentUser user, KamaDbContext db, EventLog events, SnowflakeGenerator ids, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if ((request.RecipientId is null) == (request.RecipientIds is null))
            return Problems.Validation("recipientId", "Send either recipientId (a DM) or recipientIds (a group DM).");
        if (request.RecipientIds is { } group)
            return await CreateGroupAsync(new CreateGroupDmRequest(group, request.Name), user, db, events, ids, time, cancellationToken);
        if (request.Name is not null)
            return Problems.Validation("name", "A DM has no name; only group DMs do.");

        var userId = user.Id;
        var recipientId = request.RecipientId!.Value;
        if (recipientId == userId)
            return Problems.Of(StatusCodes.Status400BadRequest, "cannot_dm_self", "You cannot open a DM with yourself.");
        if (!await db.Users.AnyAsync(u => u.Id == recipientId && u.Email != null, cancellationToken))
            return Problems.NotFound("The user");

        var key = DmChannels.KeyFor(userId, recipientId);
        // An existing DM opens (its history stays readable); whether a message may be sent in it is checked on sending.
        if (await ExistingAsync(db, key, cancellationToken) is { } existing)
            return TypedResults.Ok(existing);
        if (await ContactPolicy.CheckDmAsync(db, userId, recipientId, cancellationToken) is not ContactRefusal.None and var refusal)
            return ContactPolicy.DmProblem(refusal);

        var now = time.GetUtcNow();
        var channel = new Channel { Id = ids.NextId(), Type = ChannelType.Dm, DmKey = key, CreatedAt = now };
        channel.Recipients.Add(new ChannelRecipient { UserId = userId, JoinedAt = now, JoinPosition = channel.Id });
        channel.Recipients.Add(new ChannelRecipient { UserId = recipientId, JoinedAt = now, JoinPosition = channel.Id });
        try
        {
            await using var change = await events.BeginAsync(cancellationToken);
            db.Channels.Add(channel);
            await db.SaveChangesAsync(cancellationToken);
            var created = await DmChannels.DescribeAsync(db, channel.Id, cancellationToken);
            await change.AppendAsync(new DmChannelCreated(userId, created), cancellationToken);
            await change.AppendAsync(new DmChannelCreated(recipientId, created), cancellationToken);
            await change.CommitAsync(cancellationToken);
            return TypedResults.Created($"/api/v1/channels/{channel.Id}", created);
        }
        catch (DbUpdateException)
        {
            // A concurrent open of the same pair won the unique DmKey: both callers get that one channel.
            db.ChangeTracker.Clear();
            return await ExistingAsync(db, key, cancellationToken) is { } winner ? TypedResults.Ok(winner) : throw new InvalidOperationException("DM creation failed.");
        }
    }

    private static async Task<Results<Created<DmChannelResponse>, Ok<DmChannelResponse>, ValidationProblem, ProblemHttpResult>> CreateGroupAsync(
        CreateGroupDmRequest request, CurrentUser user, KamaDbContext db, EventLog events, SnowflakeGenerator ids, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var userId = user.Id;
        var others = request.RecipientIds.Where(id => id != userId).Distinct().ToList();
        if (others.Count == 0)
            return Problems.Validation("recipientIds", "Add at least one other person.");
        if (others.Count + 1 > Channel.MaxGroupDmRecipients)
            return TooManyRecipients();
        if (await db.Users.CountAsync(u => others.Contains(u.Id) && u.Email != null, cancellationToken) != others.Count)
            return Problems.NotFound("A recipient");
        foreach (var other in others)
        {
            // A group DM is a way to message each of its people: nobody is put in one with someone they do not accept messages from.
            if (await ContactPolicy.CheckDmAsync(db, userId, other, cancellationToken) is not ContactRefusal.None and var refusal)
                return ContactPolicy.DmProblem(refusal);
        }

        var now = time.GetUtcNow();
        var name = request.Name?.Trim() is { Length: > 0 } trimmed ? trimmed : null;
        var channel = new Channel { Id = ids.NextId(), Type = ChannelType.GroupDm, Name = name, OwnerId = userId, CreatedAt = now };
        // The owner joined first; the others in the order given, which decides who inherits the group if the owner leaves.
        channel.Recipients.Add(new ChannelRecipient { UserId = userId, JoinedAt = now, JoinPosition = channel.Id });
        channel.Recipients.AddRange(others.Select((id, i) => new ChannelRecipient { UserId = id, JoinedAt = now.AddTicks(i + 1), JoinPosition = channel.Id }));

        await using var change = await events.BeginAsync(cancellationToken);
        db.Channels.Add(channel);
        await db.SaveChangesAsync(cancellationToken);
        var created = await DmChannels.DescribeAsync(db, channel.Id, cancellationToken);
        foreach (var recipient in channel.Recipients)
            await change.AppendAsync(new DmChannelCreated(recipient.UserId, created), cancellationToken);
        await change.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/channels/{channel.Id}", created);
    }

    internal static ProblemHttpResult TooManyRecipients() => Problems.Of(StatusCodes.Status400BadRequest, "too_many_recipients",
        $"A group DM holds at most {Channel.MaxGroupDmRecipients} people, its owner included.");

    private static async Task<DmChannelResponse?> ExistingAsync(KamaDbContext db, string key, CancellationToken cancellationToken)
    {
        var id = await db.Channels.AsNoTracking().Where(c => c.DmKey == key).Select(c => (Snowflake?)c.Id).SingleOrDefaultAsync(cancellationToken);
        return id is null ? null : await DmChannels.DescribeAsync(db, id.Value, cancellationToken);
    }
}

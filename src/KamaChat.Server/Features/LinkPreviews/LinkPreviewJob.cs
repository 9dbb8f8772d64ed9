using KamaChat.Server.Data;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Infrastructure.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Server.Features.LinkPreviews;

/// <summary>Makes the previews of a message's links, after it was sent or edited.</summary>
public sealed record LinkPreviewJob(Snowflake MessageId) : IJob
{
    public static string JobType => "messages.link_previews";

    /// <summary>
    /// Queues the job when previews are on and the message holds a link that may get one. A side effect of sending or
    /// editing: a queue that cannot take it costs the previews, not the message.
    /// </summary>
    public static async Task EnqueueAsync(IJobQueue jobs, LinkPreviewOptions options, ILogger logger, Snowflake messageId, string content, CancellationToken cancellationToken)
    {
        if (!options.Enabled || !content.Contains("http", StringComparison.OrdinalIgnoreCase) || LinkUrls.Extract(content).Count == 0)
            return;
        try
        {
            await jobs.EnqueueAsync(new LinkPreviewJob(messageId), cancellationToken);
        }
        catch (JobQueueUnavailableException e)
        {
            logger.LogWarning(e, "No link previews for message {MessageId}: the job queue is unavailable", messageId);
        }
    }
}

/// <summary>
/// Fetches (or finds cached) the previews of the message's links, if its author may embed links in its channel, and
/// stores them with the message, announced as MessageUpdated in the same transaction. Idempotent: the same content
/// gives the same previews, and nothing is written or announced when they did not change. A message edited meanwhile
/// is left to the edit's own job; one whose previews were removed gets none.
/// </summary>
public sealed class LinkPreviewJobHandler(
    KamaDbContext db, PermissionService permissions, LinkPreviewCache previews, EventLog events, AttachmentLinks links, IOptions<LinkPreviewOptions> options)
    : IJobHandler<LinkPreviewJob>
{
    public async Task HandleAsync(LinkPreviewJob job, JobContext context, CancellationToken cancellationToken)
    {
        // Queued while previews were on (EnqueueAsync queues none while they are off), run after they were turned off.
        if (!options.Value.Enabled)
            return;
        var message = await db.Messages.AsNoTracking().Where(m => m.Id == job.MessageId)
            .Select(m => new { m.ChannelId, m.AuthorId, m.Content, m.Kind, m.Embeds, m.EmbedsSuppressed }).SingleOrDefaultAsync(cancellationToken);
        if (message is null || message.EmbedsSuppressed || message.Kind != MessageKind.Default)
            return;

        var embeds = new List<StoredEmbed>();
        var urls = LinkUrls.Extract(message.Content);
        if (urls.Count > 0 && await permissions.ForChannelAsync(message.AuthorId, message.ChannelId, cancellationToken) is { } access && access.Has(Perms.EmbedLinks))
        {
            foreach (var url in urls)
            {
                if ((await previews.GetAsync(url, cancellationToken)).ToEmbed(url) is { } embed)
                    embeds.Add(embed);
            }
        }
        var json = MessageEmbeds.Serialize(embeds);
        if (json == message.Embeds)
            return;

        await using var change = await events.BeginAsync(cancellationToken);
        var content = message.Content;
        if (await db.Messages.Where(m => m.Id == job.MessageId && m.Content == content && !m.EmbedsSuppressed)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.Embeds, json), cancellationToken) == 0)
            return;
        await MessageEmbeds.SyncImagesAsync(db, job.MessageId, json, cancellationToken);
        // Reactions' "me" is per viewer; an event for everyone says false, as for an edit seen by others.
        var updated = (await MessageQueries.LoadOneAsync(db, links, job.MessageId, default, cancellationToken))!;
        await change.AppendAsync(new MessageUpdated(message.ChannelId, updated), cancellationToken);
        await change.CommitAsync(cancellationToken);
    }
}

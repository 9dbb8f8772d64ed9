using System.Net.Http.Json;
using KamaChat.Server.Features.LinkPreviews;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.LinkPreviews;

/// <summary>With LINK_PREVIEWS=off (as test hosts have it) a message with a link queues no preview job at all.</summary>
public abstract class PreviewsOffTests(KamaChatApp app)
{
    [Fact]
    public async Task A_link_sent_or_edited_in_queues_no_job()
    {
        using var queued = new JobRuns(app, LinkPreviewJob.JobType, "kamachat.jobs.enqueued");
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();

        var message = await owner.Client.SendOkAsync(channelId, "see https://example.com/page");
        await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}/messages/{message.Id}",
            new Server.Features.Messages.EditMessageRequest("now https://example.com/other"));

        // Queued (or not) before the response: nothing is on its way.
        Assert.Equal(0, queued.Count);
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqlitePreviewsOffTests(SqliteApp app) : PreviewsOffTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresPreviewsOffTests(PostgresApp app) : PreviewsOffTests(app), IClassFixture<PostgresApp>;

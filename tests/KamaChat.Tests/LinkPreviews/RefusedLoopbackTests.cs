using KamaChat.Server.Features.LinkPreviews;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Tests.LinkPreviews;

/// <summary>The app as deployed, with no network allowed besides the public internet: a link to this machine is never fetched.</summary>
public abstract class RefusedLoopbackTests(KamaChatApp app)
{
    [Fact]
    public async Task A_link_to_loopback_is_never_requested_and_the_message_is_unharmed()
    {
        await using var pages = await LoopbackPageServer.StartAsync();
        using var jobs = new JobRuns(app, LinkPreviewJob.JobType);
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var byName = $"http://localhost:{pages.BaseAddress.Port}/og/by-name";
        var content = $"{pages.Url("og/by-address")} {byName} http://[::1]:{pages.BaseAddress.Port}/og/v6";

        var sent = await owner.Client.SendOkAsync(channelId, content);
        await jobs.WaitForAsync(1);

        Assert.Empty(pages.Requests);
        var message = await (await owner.Client.GetAsync($"/api/v1/channels/{channelId}/messages/{sent.Id}")).ReadAsync<Server.Features.Messages.MessageResponse>();
        Assert.Equal(content, message.Content);
        Assert.Empty(message.Embeds);
        await app.AssertChannelEventsAsync(channelId, "MessageCreated");
        var hash = LinkPreview.HashOf(new Uri(byName));
        Assert.Equal(LinkPreviewOutcome.Refused, await app.QueryAsync(db => db.LinkPreviews.Where(p => p.UrlHash == hash).Select(p => p.Outcome).SingleAsync()));
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteRefusedLoopbackTests(SqliteApp app) : RefusedLoopbackTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresRefusedLoopbackTests(PostgresApp app) : RefusedLoopbackTests(app), IClassFixture<PostgresApp>;

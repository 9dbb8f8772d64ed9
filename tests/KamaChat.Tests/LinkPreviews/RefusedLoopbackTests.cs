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

/// <summary>Previews on, as deployed (test hosts have them off, so that no test's link leaves the machine), and no network allowed.</summary>
public abstract class DeployedPreviewsApp : KamaChatApp
{
    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => [new("LINK_PREVIEWS", "on")];
}

public sealed class SqliteDeployedPreviewsApp : DeployedPreviewsApp
{
    public override string ProviderName => "sqlite";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
}

public sealed class PostgresDeployedPreviewsApp : DeployedPreviewsApp
{
    public override string ProviderName => "postgres";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => PostgresServer.CreateDatabaseAsync();
}

[Trait("Provider", "sqlite")]
public sealed class SqliteRefusedLoopbackTests(SqliteDeployedPreviewsApp app) : RefusedLoopbackTests(app), IClassFixture<SqliteDeployedPreviewsApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresRefusedLoopbackTests(PostgresDeployedPreviewsApp app) : RefusedLoopbackTests(app), IClassFixture<PostgresDeployedPreviewsApp>;

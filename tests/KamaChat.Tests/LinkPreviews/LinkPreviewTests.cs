using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KamaChat.Server.Features.LinkPreviews;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Channels;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.LinkPreviews;

/// <summary>The app with previews allowed to reach loopback, where the tests' page server is (the internet is not reachable here).</summary>
public abstract class LoopbackPreviewsApp : KamaChatApp
{
    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings =>
        [new("LINK_PREVIEWS", "on"), new("LINK_PREVIEW_ALLOW_NETWORKS", "127.0.0.0/8")];
}

public sealed class SqliteLoopbackPreviewsApp : LoopbackPreviewsApp
{
    public override string ProviderName => "sqlite";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
}

public sealed class PostgresLoopbackPreviewsApp : LoopbackPreviewsApp
{
    public override string ProviderName => "postgres";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => PostgresServer.CreateDatabaseAsync();
}

/// <summary>A test with its own loopback page server and a count of the preview jobs that ran.</summary>
public abstract class LoopbackPagesTests(KamaChatApp app) : IAsyncLifetime
{
    protected KamaChatApp App { get; } = app;

    protected LoopbackPageServer Pages { get; private set; } = null!;

    protected JobRuns Jobs { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Pages = await LoopbackPageServer.StartAsync();
        Jobs = new JobRuns(App, LinkPreviewJob.JobType);
    }

    public async Task DisposeAsync()
    {
        Jobs.Dispose();
        await Pages.DisposeAsync();
    }

    protected static async Task<MessageResponse> LoadAsync(TestUser user, Snowflake channelId, Snowflake messageId) =>
        await (await user.Client.GetAsync($"/api/v1/channels/{channelId}/messages/{messageId}")).ReadAsync<MessageResponse>();
}

public abstract class LinkPreviewTests(KamaChatApp app) : LoopbackPagesTests(app)
{
    [Fact]
    public async Task A_link_gets_its_preview_live_and_in_the_history_as_plain_text()
    {
        var member = await App.UserAsync();
        var (_, channelId, owner) = await App.SeedServerWithChannelAsync(member);
        await using var gateway = await GatewayClient.ConnectAsync(App, member.Tokens.AccessToken);
        await gateway.ReadyAsync();
        var url = Pages.Url("og/first");

        var sent = await owner.Client.SendOkAsync(channelId, $"look at {url}.");
        Assert.Empty(sent.Embeds);

        var update = await gateway.WaitForEventAsync("MessageUpdated");
        var live = GatewayClient.Data(update).Deserialize<MessageResponse>(JsonSerializerOptions.Web)!;
        Assert.Equal(sent.Id, live.Id);
        var embed = Assert.Single(live.Embeds);
        Assert.Equal(url, embed.Url);
        Assert.Equal("Loopback Pages", embed.SiteName);
        Assert.Equal("Title of first & co", embed.Title);
        // Entities decoded, never turned into markup; cut to length at a word, with an ellipsis.
        Assert.StartsWith("<b>Bold?</b> No: text.", embed.Description);
        Assert.True(embed.Description!.Length <= PageMetadata.DescriptionMaxLength);
        Assert.EndsWith("…", embed.Description);

        var history = await (await owner.Client.GetAsync($"/api/v1/channels/{channelId}/messages")).ReadAsync<List<MessageResponse>>();
        Assert.Equal(embed, Assert.Single(Assert.Single(history).Embeds));
        var one = await (await owner.Client.GetAsync($"/api/v1/channels/{channelId}/messages/{sent.Id}")).ReadAsync<MessageResponse>();
        Assert.Equal(embed, Assert.Single(one.Embeds));
        await App.AssertChannelEventsAsync(channelId, "MessageCreated", "MessageUpdated");
        var (path, userAgent) = Assert.Single(Pages.Requests);
        Assert.Equal("/og/first", path);
        Assert.Contains("KamaChat", userAgent);
    }

    [Fact]
    public async Task A_page_without_OpenGraph_shows_its_title_and_description_and_a_latin1_page_reads_right()
    {
        var (_, channelId, owner) = await App.SeedServerWithChannelAsync();
        var message = await owner.Client.SendOkAsync(channelId, $"{Pages.Url("title-only")} {Pages.Url("latin1")}");
        await Jobs.WaitForAsync(1);

        var embeds = (await LoadAsync(owner, channelId, message.Id)).Embeds;
        Assert.Equal(2, embeds.Count);
        Assert.Equal(("Just a title", "Plain <meta> description", (string?)null), (embeds[0].Title, embeds[0].Description, embeds[0].SiteName));
        Assert.Equal("Café crème", embeds[1].Title);
    }

    [Fact]
    public async Task A_link_in_code_or_in_angle_brackets_gets_no_preview_and_only_three_links_do()
    {
        var (_, channelId, owner) = await App.SeedServerWithChannelAsync();
        var content = $"`{Pages.Url("og/span")}` <{Pages.Url("og/bracketed")}>\n```\n{Pages.Url("og/block")}\n```\n"
            + $"{Pages.Url("og/one")} ({Pages.Url("og/two")}) {Pages.Url("og/one")} {Pages.Url("og/three")} {Pages.Url("og/four")}";
        var message = await owner.Client.SendOkAsync(channelId, content);
        await Jobs.WaitForAsync(1);

        Assert.Equal(["og/one", "og/two", "og/three"], (await LoadAsync(owner, channelId, message.Id)).Embeds.Select(e => e.Url[Pages.BaseAddress.AbsoluteUri.Length..]));
        // Fetched one after another, in the order written.
        Assert.Equal(["/og/one", "/og/two", "/og/three"], Pages.Paths);
    }

    [Fact]
    public async Task A_link_pasted_many_times_is_fetched_once()
    {
        var (_, channelId, owner) = await App.SeedServerWithChannelAsync();
        var url = Pages.Url("og/popular");
        var sends = Enumerable.Range(0, 5).Select(i => owner.Client.SendOkAsync(channelId, $"{i}: {url}")).ToList();
        var messages = await Task.WhenAll(sends);
        await Jobs.WaitForAsync(5);

        foreach (var message in messages)
            Assert.Single((await LoadAsync(owner, channelId, message.Id)).Embeds);
        Assert.Single(Pages.Paths, "/og/popular");
    }

    [Fact]
    public async Task Without_EMBED_LINKS_the_page_is_never_fetched()
    {
        var member = await App.UserAsync();
        var (serverId, channelId, owner) = await App.SeedServerWithChannelAsync(member);
        await App.SeedOverwriteAsync(channelId, OverwriteTarget.Role, serverId, allow: Perms.None, deny: Perms.EmbedLinks);
        App.DropCache();

        var message = await member.Client.SendOkAsync(channelId, Pages.Url("og/denied"));
        await Jobs.WaitForAsync(1);

        Assert.Empty((await LoadAsync(owner, channelId, message.Id)).Embeds);
        Assert.Empty(Pages.Requests);
        await App.AssertChannelEventsAsync(channelId, "MessageCreated");
    }

    [Fact]
    public async Task A_redirect_to_a_refused_address_is_not_followed()
    {
        var (_, channelId, owner) = await App.SeedServerWithChannelAsync();
        // The cloud metadata address, and IPv6 loopback (outside the allowed 127.0.0.0/8).
        var toMetadata = Pages.Url("redirect?to=" + Uri.EscapeDataString("http://169.254.169.254/latest/meta-data/"));
        var toV6Loopback = Pages.Url("redirect?to=" + Uri.EscapeDataString($"http://[::1]:{Pages.BaseAddress.Port}/og/v6"));
        var message = await owner.Client.SendOkAsync(channelId, $"{toMetadata} {toV6Loopback}");
        await Jobs.WaitForAsync(1);

        Assert.Empty((await LoadAsync(owner, channelId, message.Id)).Embeds);
        Assert.Equal(2, Pages.Requests.Count);
        Assert.All(Pages.Paths, p => Assert.StartsWith("/redirect", p));
        Assert.Equal([LinkPreviewOutcome.Refused, LinkPreviewOutcome.Refused], await OutcomesAsync(toMetadata, toV6Loopback));
    }

    [Fact]
    public async Task Redirects_are_followed_three_times_and_no_more()
    {
        var (_, channelId, owner) = await App.SeedServerWithChannelAsync();
        var message = await owner.Client.SendOkAsync(channelId, $"{Pages.Url("hops/3")} {Pages.Url("hops/4")}");
        await Jobs.WaitForAsync(1);

        var embed = Assert.Single((await LoadAsync(owner, channelId, message.Id)).Embeds);
        Assert.Equal(Pages.Url("hops/3"), embed.Url);
        Assert.Equal("Title of after-hops & co", embed.Title);
        Assert.Equal([LinkPreviewOutcome.Preview, LinkPreviewOutcome.Failed], await OutcomesAsync(Pages.Url("hops/3"), Pages.Url("hops/4")));
    }

    [Fact]
    public async Task A_huge_page_is_read_only_to_its_limit_and_a_file_or_a_slow_server_gets_no_preview()
    {
        var (_, channelId, owner) = await App.SeedServerWithChannelAsync();
        var started = DateTime.UtcNow;
        var message = await owner.Client.SendOkAsync(channelId, $"{Pages.Url("huge")} {Pages.Url("picture.png")} {Pages.Url("slow")}");
        await Jobs.WaitForAsync(1);

        // The slow server is given up after the fetch's 5 s, not its 30.
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(20));
        var embed = Assert.Single((await LoadAsync(owner, channelId, message.Id)).Embeds);
        Assert.Equal("Title of huge & co", embed.Title);
        Assert.Equal([LinkPreviewOutcome.Preview, LinkPreviewOutcome.Failed, LinkPreviewOutcome.Failed],
            await OutcomesAsync(Pages.Url("huge"), Pages.Url("picture.png"), Pages.Url("slow")));
    }

    [Fact]
    public async Task An_edit_that_removes_the_link_removes_its_preview_and_a_new_link_gets_one()
    {
        var (_, channelId, owner) = await App.SeedServerWithChannelAsync();
        var message = await owner.Client.SendOkAsync(channelId, $"{Pages.Url("og/kept")} {Pages.Url("og/dropped")}");
        await Jobs.WaitForAsync(1);
        Assert.Equal(2, (await LoadAsync(owner, channelId, message.Id)).Embeds.Count);

        var edited = await (await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}/messages/{message.Id}",
            new EditMessageRequest($"only {Pages.Url("og/kept")} now"))).ReadAsync<MessageResponse>();
        Assert.Equal([Pages.Url("og/kept")], edited.Embeds.Select(e => e.Url));
        await Jobs.WaitForAsync(2);

        edited = await (await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}/messages/{message.Id}",
            new EditMessageRequest($"now {Pages.Url("og/added")}"))).ReadAsync<MessageResponse>();
        Assert.Empty(edited.Embeds);
        await Jobs.WaitForAsync(3);
        Assert.Equal([Pages.Url("og/added")], (await LoadAsync(owner, channelId, message.Id)).Embeds.Select(e => e.Url));
        await App.AssertChannelEventsAsync(channelId, "MessageCreated", "MessageUpdated", "MessageUpdated", "MessageUpdated", "MessageUpdated");
    }

    [Fact]
    public async Task The_author_or_a_moderator_removes_the_previews_for_good()
    {
        var member = await App.UserAsync();
        var moderator = await App.UserAsync();
        var (serverId, channelId, owner) = await App.SeedServerWithChannelAsync(member, moderator);
        await App.SeedRoleAsync(serverId, Perms.ManageMessages, moderator);
        var mine = await member.Client.SendOkAsync(channelId, Pages.Url("og/mine"));
        var other = await owner.Client.SendOkAsync(channelId, Pages.Url("og/other"));
        await Jobs.WaitForAsync(2);

        await (await member.Client.DeleteAsync($"/api/v1/channels/{channelId}/messages/{other.Id}/embeds"))
            .AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        Assert.Equal(HttpStatusCode.NoContent, (await member.Client.DeleteAsync($"/api/v1/channels/{channelId}/messages/{mine.Id}/embeds")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await member.Client.DeleteAsync($"/api/v1/channels/{channelId}/messages/{mine.Id}/embeds")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await moderator.Client.DeleteAsync($"/api/v1/channels/{channelId}/messages/{other.Id}/embeds")).StatusCode);

        var removed = await LoadAsync(owner, channelId, mine.Id);
        Assert.Empty(removed.Embeds);
        Assert.True(removed.EmbedsSuppressed);
        Assert.Empty((await LoadAsync(owner, channelId, other.Id)).Embeds);

        // An edit makes none again, even with a new link.
        await member.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}/messages/{mine.Id}", new EditMessageRequest($"{Pages.Url("og/mine")} {Pages.Url("og/new")}"));
        await owner.Client.SendOkAsync(channelId, Pages.Url("og/after")); // a job that runs after the edit's would have
        await Jobs.WaitForAsync(3);
        Assert.Empty((await LoadAsync(owner, channelId, mine.Id)).Embeds);
        Assert.DoesNotContain("/og/new", Pages.Paths);
        await (await member.Client.DeleteAsync($"/api/v1/channels/{channelId}/messages/{long.MaxValue}/embeds"))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    private Task<List<LinkPreviewOutcome>> OutcomesAsync(params string[] urls) => App.QueryAsync(async db =>
    {
        var outcomes = new List<LinkPreviewOutcome>();
        foreach (var url in urls)
        {
            var hash = LinkPreview.HashOf(new Uri(url));
            outcomes.Add(await db.LinkPreviews.Where(p => p.UrlHash == hash).Select(p => p.Outcome).SingleAsync());
        }
        return outcomes;
    });
}

[Trait("Provider", "sqlite")]
public sealed class SqliteLinkPreviewTests(SqliteLoopbackPreviewsApp app) : LinkPreviewTests(app), IClassFixture<SqliteLoopbackPreviewsApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresLinkPreviewTests(PostgresLoopbackPreviewsApp app) : LinkPreviewTests(app), IClassFixture<PostgresLoopbackPreviewsApp>;

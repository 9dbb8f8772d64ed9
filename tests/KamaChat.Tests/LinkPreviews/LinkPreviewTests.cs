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

public abstract class LinkPreviewTests(KamaChatApp app) : IAsyncLifetime
{
    private LoopbackPageServer _pages = null!;
    private JobRuns _jobs = null!;

    public async Task InitializeAsync()
    {
        _pages = await LoopbackPageServer.StartAsync();
        _jobs = new JobRuns(app, LinkPreviewJob.JobType);
    }

    public async Task DisposeAsync()
    {
        _jobs.Dispose();
        await _pages.DisposeAsync();
    }

    [Fact]
    public async Task A_link_gets_its_preview_live_and_in_the_history_as_plain_text()
    {
        var member = await app.UserAsync();
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync(member);
        await using var gateway = await GatewayClient.ConnectAsync(app, member.Tokens.AccessToken);
        await gateway.ReadyAsync();
        var url = _pages.Url("og/first");

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
        await app.AssertChannelEventsAsync(channelId, "MessageCreated", "MessageUpdated");
        var (path, userAgent) = Assert.Single(_pages.Requests);
        Assert.Equal("/og/first", path);
        Assert.Contains("KamaChat", userAgent);
    }

    [Fact]
    public async Task A_page_without_OpenGraph_shows_its_title_and_description_and_a_latin1_page_reads_right()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var message = await owner.Client.SendOkAsync(channelId, $"{_pages.Url("title-only")} {_pages.Url("latin1")}");
        await _jobs.WaitForAsync(1);

        var embeds = (await LoadAsync(owner, channelId, message.Id)).Embeds;
        Assert.Equal(2, embeds.Count);
        Assert.Equal(("Just a title", "Plain <meta> description", (string?)null), (embeds[0].Title, embeds[0].Description, embeds[0].SiteName));
        Assert.Equal("Café crème", embeds[1].Title);
    }

    [Fact]
    public async Task A_link_in_code_or_in_angle_brackets_gets_no_preview_and_only_three_links_do()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var content = $"`{_pages.Url("og/span")}` <{_pages.Url("og/bracketed")}>\n```\n{_pages.Url("og/block")}\n```\n"
            + $"{_pages.Url("og/one")} ({_pages.Url("og/two")}) {_pages.Url("og/one")} {_pages.Url("og/three")} {_pages.Url("og/four")}";
        var message = await owner.Client.SendOkAsync(channelId, content);
        await _jobs.WaitForAsync(1);

        Assert.Equal(["og/one", "og/two", "og/three"], (await LoadAsync(owner, channelId, message.Id)).Embeds.Select(e => e.Url[_pages.BaseAddress.AbsoluteUri.Length..]));
        // Fetched one after another, in the order written.
        Assert.Equal(["/og/one", "/og/two", "/og/three"], _pages.Paths);
    }

    [Fact]
    public async Task A_link_pasted_many_times_is_fetched_once()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var url = _pages.Url("og/popular");
        var sends = Enumerable.Range(0, 5).Select(i => owner.Client.SendOkAsync(channelId, $"{i}: {url}")).ToList();
        var messages = await Task.WhenAll(sends);
        await _jobs.WaitForAsync(5);

        foreach (var message in messages)
            Assert.Single((await LoadAsync(owner, channelId, message.Id)).Embeds);
        Assert.Single(_pages.Paths, "/og/popular");
    }

    [Fact]
    public async Task Without_EMBED_LINKS_the_page_is_never_fetched()
    {
        var member = await app.UserAsync();
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync(member);
        await app.SeedOverwriteAsync(channelId, OverwriteTarget.Role, serverId, allow: Perms.None, deny: Perms.EmbedLinks);
        app.DropCache();

        var message = await member.Client.SendOkAsync(channelId, _pages.Url("og/denied"));
        await _jobs.WaitForAsync(1);

        Assert.Empty((await LoadAsync(owner, channelId, message.Id)).Embeds);
        Assert.Empty(_pages.Requests);
        await app.AssertChannelEventsAsync(channelId, "MessageCreated");
    }

    [Fact]
    public async Task A_redirect_to_a_refused_address_is_not_followed()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        // The cloud metadata address, and IPv6 loopback (outside the allowed 127.0.0.0/8).
        var toMetadata = _pages.Url("redirect?to=" + Uri.EscapeDataString("http://169.254.169.254/latest/meta-data/"));
        var toV6Loopback = _pages.Url("redirect?to=" + Uri.EscapeDataString($"http://[::1]:{_pages.BaseAddress.Port}/og/v6"));
        var message = await owner.Client.SendOkAsync(channelId, $"{toMetadata} {toV6Loopback}");
        await _jobs.WaitForAsync(1);

        Assert.Empty((await LoadAsync(owner, channelId, message.Id)).Embeds);
        Assert.Equal(2, _pages.Requests.Count);
        Assert.All(_pages.Paths, p => Assert.StartsWith("/redirect", p));
        Assert.Equal([LinkPreviewOutcome.Refused, LinkPreviewOutcome.Refused], await OutcomesAsync(toMetadata, toV6Loopback));
    }

    [Fact]
    public async Task Redirects_are_followed_three_times_and_no_more()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var message = await owner.Client.SendOkAsync(channelId, $"{_pages.Url("hops/3")} {_pages.Url("hops/4")}");
        await _jobs.WaitForAsync(1);

        var embed = Assert.Single((await LoadAsync(owner, channelId, message.Id)).Embeds);
        Assert.Equal(_pages.Url("hops/3"), embed.Url);
        Assert.Equal("Title of after-hops & co", embed.Title);
        Assert.Equal([LinkPreviewOutcome.Preview, LinkPreviewOutcome.Failed], await OutcomesAsync(_pages.Url("hops/3"), _pages.Url("hops/4")));
    }

    [Fact]
    public async Task A_huge_page_is_read_only_to_its_limit_and_a_file_or_a_slow_server_gets_no_preview()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var started = DateTime.UtcNow;
        var message = await owner.Client.SendOkAsync(channelId, $"{_pages.Url("huge")} {_pages.Url("picture.png")} {_pages.Url("slow")}");
        await _jobs.WaitForAsync(1);

        // The slow server is given up after the fetch's 5 s, not its 30.
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(4.5), TimeSpan.FromSeconds(20));
        var embed = Assert.Single((await LoadAsync(owner, channelId, message.Id)).Embeds);
        Assert.Equal("Title of huge & co", embed.Title);
        Assert.Equal([LinkPreviewOutcome.Preview, LinkPreviewOutcome.Failed, LinkPreviewOutcome.Failed],
            await OutcomesAsync(_pages.Url("huge"), _pages.Url("picture.png"), _pages.Url("slow")));
    }

    [Fact]
    public async Task An_edit_that_removes_the_link_removes_its_preview_and_a_new_link_gets_one()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var message = await owner.Client.SendOkAsync(channelId, $"{_pages.Url("og/kept")} {_pages.Url("og/dropped")}");
        await _jobs.WaitForAsync(1);
        Assert.Equal(2, (await LoadAsync(owner, channelId, message.Id)).Embeds.Count);

        var edited = await (await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}/messages/{message.Id}",
            new EditMessageRequest($"only {_pages.Url("og/kept")} now"))).ReadAsync<MessageResponse>();
        Assert.Equal([_pages.Url("og/kept")], edited.Embeds.Select(e => e.Url));
        await _jobs.WaitForAsync(2);

        edited = await (await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}/messages/{message.Id}",
            new EditMessageRequest($"now {_pages.Url("og/added")}"))).ReadAsync<MessageResponse>();
        Assert.Empty(edited.Embeds);
        await _jobs.WaitForAsync(3);
        Assert.Equal([_pages.Url("og/added")], (await LoadAsync(owner, channelId, message.Id)).Embeds.Select(e => e.Url));
        await app.AssertChannelEventsAsync(channelId, "MessageCreated", "MessageUpdated", "MessageUpdated", "MessageUpdated", "MessageUpdated");
    }

    [Fact]
    public async Task The_author_or_a_moderator_removes_the_previews_for_good()
    {
        var member = await app.UserAsync();
        var moderator = await app.UserAsync();
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync(member, moderator);
        await app.SeedRoleAsync(serverId, Perms.ManageMessages, moderator);
        var mine = await member.Client.SendOkAsync(channelId, _pages.Url("og/mine"));
        var other = await owner.Client.SendOkAsync(channelId, _pages.Url("og/other"));
        await _jobs.WaitForAsync(2);

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
        await member.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}/messages/{mine.Id}", new EditMessageRequest($"{_pages.Url("og/mine")} {_pages.Url("og/new")}"));
        await owner.Client.SendOkAsync(channelId, _pages.Url("og/after")); // a job that runs after the edit's would have
        await _jobs.WaitForAsync(3);
        Assert.Empty((await LoadAsync(owner, channelId, mine.Id)).Embeds);
        Assert.DoesNotContain("/og/new", _pages.Paths);
        await (await member.Client.DeleteAsync($"/api/v1/channels/{channelId}/messages/{long.MaxValue}/embeds"))
            .AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    private static async Task<MessageResponse> LoadAsync(TestUser user, Snowflake channelId, Snowflake messageId) =>
        await (await user.Client.GetAsync($"/api/v1/channels/{channelId}/messages/{messageId}")).ReadAsync<MessageResponse>();

    private Task<List<LinkPreviewOutcome>> OutcomesAsync(params string[] urls) => app.QueryAsync(async db =>
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

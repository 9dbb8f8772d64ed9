using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.Search;
using KamaChat.Server.Infrastructure.Ids;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Search;

/// <summary>
/// Search through the service, with messages written through the real API. Every search runs twice — once driven by
/// the text index, once by the filters with the text checked in memory — and both plans must agree.
/// </summary>
public abstract class SearchTests(KamaChatApp app)
{

    [Fact]
    public async Task Words_match_in_any_order_also_inside_longer_words()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var both = await owner.Client.SendOkAsync(channelId, "Deployment of the servers finished");
        await owner.Client.SendOkAsync(channelId, "servers only");
        await owner.Client.SendOkAsync(channelId, "deploy later");

        Assert.Equal([both.Id], await IdsAsync(owner, serverId, "erver deplo"));
        Assert.Equal([both.Id], await IdsAsync(owner, serverId, "finished DEPLOYMENT"));
        Assert.Equal(2, (await IdsAsync(owner, serverId, "servers")).Count);
        Assert.Empty(await IdsAsync(owner, serverId, "servers deployed"));
    }

    [Fact]
    public async Task A_phrase_matches_its_words_together_and_in_order()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var exact = await owner.Client.SendOkAsync(channelId, "the quick brown fox");
        await owner.Client.SendOkAsync(channelId, "brown and quick, the fox");

        Assert.Equal([exact.Id], await IdsAsync(owner, serverId, "\"quick brown\""));
        Assert.Equal([exact.Id], await IdsAsync(owner, serverId, "fox \"Quick Brown\""));
        Assert.Empty(await IdsAsync(owner, serverId, "\"brown quick\""));
    }

    [Fact]
    public async Task Excluded_words_and_phrases_remove_matches()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var draft = await owner.Client.SendOkAsync(channelId, "release notes draft ok");
        var final = await owner.Client.SendOkAsync(channelId, "release notes final");

        Assert.Equal([final.Id], await IdsAsync(owner, serverId, "release -draft"));
        Assert.Equal([draft.Id], await IdsAsync(owner, serverId, "release -\"notes final\""));
        Assert.Equal([final.Id], await IdsAsync(owner, serverId, "notes -ok"));
    }

    [Fact]
    public async Task Case_and_accents_are_ignored_both_ways()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var accented = await owner.Client.SendOkAsync(channelId, "Un café crème, s'il vous plaît");
        var plain = await owner.Client.SendOkAsync(channelId, "CAFE DOWNSTAIRS");

        Assert.Equal([plain.Id, accented.Id], await IdsAsync(owner, serverId, "cafe"));
        Assert.Equal([plain.Id, accented.Id], await IdsAsync(owner, serverId, "Café"));
        Assert.Equal([accented.Id], await IdsAsync(owner, serverId, "CREME"));
        Assert.Equal([accented.Id], await IdsAsync(owner, serverId, "\"cafe crème\""));
    }

    [Fact]
    public async Task Chinese_and_Japanese_are_found_by_substring()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var tokyo = await owner.Client.SendOkAsync(channelId, "昨日は東京タワーに行きました");
        var osaka = await owner.Client.SendOkAsync(channelId, "大阪城公园很漂亮");

        Assert.Equal([tokyo.Id], await IdsAsync(owner, serverId, "東京"));
        Assert.Equal([tokyo.Id], await IdsAsync(owner, serverId, "東京タワー"));
        Assert.Equal([tokyo.Id], await IdsAsync(owner, serverId, "京タワ"));
        Assert.Equal([osaka.Id], await IdsAsync(owner, serverId, "公园"));
        Assert.Equal([osaka.Id], await IdsAsync(owner, serverId, "城公园很"));
        var hit = Assert.Single((await SearchAsync(owner, serverId, "東京タワー")).Hits);
        Assert.Equal([new HighlightRange(3, 5)], hit.Highlights);
    }

    [Fact]
    public async Task Short_words_are_found_too()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var ok = await owner.Client.SendOkAsync(channelId, "OK, go ahead");
        await owner.Client.SendOkAsync(channelId, "nothing here");

        Assert.Equal([ok.Id], await IdsAsync(owner, serverId, "ok"));
        Assert.Equal([ok.Id], await IdsAsync(owner, serverId, "go ahead"));
    }

    [Fact]
    public async Task Every_filter_narrows_the_results()
    {
        var member = await app.UserAsync();
        var (serverId, general, owner) = await app.SeedServerWithChannelAsync(member);
        var random = await app.SeedTextChannelAsync(serverId, name: "random");
        var linked = await owner.Client.SendOkAsync(general, "alpha plan, see https://example.com/plan");
        var mention = await member.Client.SendOkAsync(random, $"alpha plan for <@{owner.Id}>");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.PutAsync($"/api/v1/channels/{general}/pins/{linked.Id}", null)).StatusCode);
        var day = mention.Id.Timestamp;
        string Day(int offset) => day.AddDays(offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        Assert.Equal([mention.Id], await IdsAsync(owner, serverId, $"alpha from:{member.Username}"));
        Assert.Equal([mention.Id], await IdsAsync(owner, serverId, $"from:{member.Username.ToUpperInvariant()}"));
        Assert.Equal([mention.Id, linked.Id], await IdsAsync(owner, serverId, $"alpha from:{member.Username} from:{owner.Username}"));
        Assert.Equal([mention.Id], await IdsAsync(owner, serverId, "plan in:random"));
        Assert.Equal([linked.Id], await IdsAsync(owner, serverId, "plan in:#GENERAL"));
        Assert.Equal([mention.Id], await IdsAsync(owner, serverId, $"mentions:{owner.Username}"));
        Assert.Equal([linked.Id], await IdsAsync(owner, serverId, "alpha pinned:true"));
        Assert.Equal([mention.Id], await IdsAsync(owner, serverId, "alpha pinned:false"));
        Assert.Equal([linked.Id], await IdsAsync(owner, serverId, "has:link"));
        Assert.Equal([linked.Id], await IdsAsync(owner, serverId, "plan has:link"));
        Assert.Empty(await IdsAsync(owner, serverId, "has:image"));
        Assert.Equal([mention.Id, linked.Id], await IdsAsync(owner, serverId, $"alpha during:{Day(0)}"));
        Assert.Equal([mention.Id, linked.Id], await IdsAsync(owner, serverId, $"alpha after:{Day(-1)} before:{Day(1)}"));
        Assert.Empty(await IdsAsync(owner, serverId, $"alpha before:{Day(0)}"));
        Assert.Empty(await IdsAsync(owner, serverId, $"alpha after:{Day(0)}"));
        Assert.Empty(await IdsAsync(owner, serverId, "alpha from:nobody_by_this_name"));
        Assert.Empty(await IdsAsync(owner, serverId, "alpha in:no-such-channel"));
        Assert.Empty(await IdsAsync(owner, serverId, "mentions:nobody_by_this_name"));
    }

    [Fact]
    public async Task Only_the_channels_passed_in_are_searched()
    {
        var member = await app.UserAsync();
        var (serverId, open, owner) = await app.SeedServerWithChannelAsync(member);
        var hidden = await app.SeedTextChannelAsync(serverId, name: "staff");
        await app.SeedOverwriteAsync(hidden, Server.Features.Channels.OverwriteTarget.Role, serverId, Perms.None, Perms.ViewChannel);
        var visible = await owner.Client.SendOkAsync(open, "quarterly numbers");
        var secret = await owner.Client.SendOkAsync(hidden, "quarterly numbers (staff)");

        Assert.Equal([secret.Id, visible.Id], await IdsAsync(owner, serverId, "quarterly"));
        Assert.Equal([visible.Id], await IdsAsync(member, serverId, "quarterly"));
        Assert.Empty(await IdsAsync(member, serverId, "quarterly in:staff"));
    }

    [Fact]
    public async Task An_edit_is_found_by_its_new_text_and_not_its_old()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var message = await owner.Client.SendOkAsync(channelId, "original wording");
        Assert.Equal([message.Id], await IdsAsync(owner, serverId, "original"));

        var edit = await owner.Client.PatchAsJsonAsync($"/api/v1/channels/{channelId}/messages/{message.Id}", new { content = "revised phrasing" });
        Assert.Equal(HttpStatusCode.OK, edit.StatusCode);

        Assert.Empty(await IdsAsync(owner, serverId, "original"));
        Assert.Equal([message.Id], await IdsAsync(owner, serverId, "revised"));
        Assert.Equal([message.Id], await IdsAsync(owner, serverId, "\"sed phr\""));
    }

    [Fact]
    public async Task Deleted_messages_and_deleted_channels_vanish_from_the_index()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var doomedChannel = await app.SeedTextChannelAsync(serverId, name: "doomed");
        var gone = await owner.Client.SendOkAsync(channelId, "ephemeral remark");
        var kept = await owner.Client.SendOkAsync(channelId, "ephemeral but kept");
        await owner.Client.SendOkAsync(doomedChannel, "ephemeral channel talk");
        Assert.Equal(3, (await IdsAsync(owner, serverId, "ephemeral")).Count);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{channelId}/messages/{gone.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{doomedChannel}")).StatusCode);

        Assert.Equal([kept.Id], await IdsAsync(owner, serverId, "ephemeral"));
        // Even asked about the deleted channel's id directly, the index has nothing left from it.
        Assert.Empty((await SearchInAsync([doomedChannel, channelId], "channel talk")).Hits);
        Assert.Empty((await SearchInAsync([channelId], "remark")).Hits);
    }

    [Fact]
    public async Task A_hit_has_highlights_and_its_neighbours()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var before = await owner.Client.SendOkAsync(channelId, "first");
        var found = await owner.Client.SendOkAsync(channelId, "the Needle here, needles there");
        var after = await owner.Client.SendOkAsync(channelId, "last");

        var hit = Assert.Single((await SearchAsync(owner, serverId, "needle")).Hits);
        Assert.Equal(found.Id, hit.MessageId);
        Assert.Equal(channelId, hit.ChannelId);
        Assert.Equal([new HighlightRange(4, 6), new HighlightRange(17, 6)], hit.Highlights);
        Assert.Equal(before.Id, hit.PreviousMessageId);
        Assert.Equal(after.Id, hit.NextMessageId);

        var edge = Assert.Single((await SearchAsync(owner, serverId, "first")).Hits);
        Assert.Null(edge.PreviousMessageId);
        Assert.Equal(found.Id, edge.NextMessageId);
    }

    [Fact]
    public async Task Totals_stop_at_the_cap_and_pages_follow_the_sort()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var ids = await app.SeedMessagesAsync(channelId, owner, MessageSearch.CountCap + 5);

        var newest = await SearchAsync(owner, serverId, "message", SearchSort.Newest, offset: 0, limit: 25);
        Assert.Equal(MessageSearch.CountCap, newest.Total);
        Assert.True(newest.TotalIsCapped);
        Assert.Equal(Enumerable.Reverse(ids).Take(25), newest.Hits.Select(h => h.MessageId));
        var second = await SearchAsync(owner, serverId, "message", SearchSort.Newest, offset: 25, limit: 10);
        Assert.Equal(Enumerable.Reverse(ids).Skip(25).Take(10), second.Hits.Select(h => h.MessageId));
        var oldest = await SearchAsync(owner, serverId, "message", SearchSort.Oldest, offset: 0, limit: 5);
        Assert.Equal(ids.Take(5), oldest.Hits.Select(h => h.MessageId));

        // "message 100" and "message 1000" to "message 1004".
        var few = await SearchAsync(owner, serverId, "\"message 100\"", SearchSort.Newest);
        Assert.Equal(6, few.Total);
        Assert.False(few.TotalIsCapped);
    }

    [Fact]
    public async Task Relevance_puts_whole_words_above_newer_partial_matches()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var whole = await owner.Client.SendOkAsync(channelId, "the server is down");
        var partial = await owner.Client.SendOkAsync(channelId, "webservers everywhere");

        Assert.Equal([whole.Id, partial.Id], await IdsAsync(owner, serverId, "server", SearchSort.Relevance));
        Assert.Equal([partial.Id, whole.Id], await IdsAsync(owner, serverId, "server", SearchSort.Newest));
        Assert.Equal([whole.Id, partial.Id], await IdsAsync(owner, serverId, "server", SearchSort.Oldest));
    }

    [Fact]
    public async Task Hostile_queries_and_contents_never_throw()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        foreach (var content in HostileQueries.All.Where(q => q.Trim().Length is > 0 and <= Message.ContentMaxLength && !q.Any(c => c == '\0' || char.IsSurrogate(c) && !q.EnumerateRunes().Any())))
        {
            var response = await owner.Client.SendMessageAsync(channelId, content);
            Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.BadRequest, $"{(int)response.StatusCode} sending a hostile message");
        }
        var percent = await owner.Client.SendOkAsync(channelId, "the 7531% case, zq_w and \\ backslash \"quoted\"");
        // If % or _ acted as LIKE wildcards, these would match too.
        await owner.Client.SendOkAsync(channelId, "75310 cases of zqxw");

        foreach (var q in HostileQueries.All)
        {
            var parsed = SearchQueryParser.Parse(q);
            if (parsed.IsValid && !parsed.Query.IsEmpty)
                await SearchAsync(owner, serverId, parsed.Query, SearchSort.Relevance);
        }
        Assert.Equal([percent.Id], await IdsAsync(owner, serverId, "7531%"));
        Assert.Equal([percent.Id], await IdsAsync(owner, serverId, "zq_w"));
        Assert.Equal([percent.Id], await IdsAsync(owner, serverId, "\\ backslash"));
        Assert.Equal([percent.Id], await IdsAsync(owner, serverId, "backslash \"quoted\""));
    }

    private async Task<List<Snowflake>> IdsAsync(TestUser user, Snowflake serverId, string q, SearchSort sort = SearchSort.Newest) =>
        (await SearchAsync(user, serverId, q, sort)).Hits.Select(h => h.MessageId).ToList();

    private Task<SearchResults> SearchAsync(TestUser user, Snowflake serverId, string q, SearchSort sort = SearchSort.Newest, int offset = 0, int limit = 25)
    {
        var parsed = SearchQueryParser.Parse(q);
        Assert.True(parsed.IsValid, string.Join("; ", parsed.Errors));
        return SearchAsync(user, serverId, parsed.Query, sort, offset, limit);
    }

    /// <summary>The readable channels come from the permission resolver, as the endpoint will pass them.</summary>
    private async Task<SearchResults> SearchAsync(TestUser user, Snowflake serverId, SearchQuery query, SearchSort sort, int offset = 0, int limit = 25)
    {
        var readable = await app.QueryAsync(async db => (await new PermissionService(db).VisibleChannelsAsync(user.Id, serverId, default))
            .Where(c => c.Has(Perms.ViewChannel | Perms.ReadMessageHistory)).Select(c => c.Channel.Id).ToList());
        return await SearchInAsync(readable, query, sort, offset, limit);
    }

    private Task<SearchResults> SearchInAsync(List<Snowflake> channelIds, string q) =>
        SearchInAsync(channelIds, SearchQueryParser.Parse(q).Query, SearchSort.Newest, 0, 25);

    private async Task<SearchResults> SearchInAsync(List<Snowflake> channelIds, SearchQuery query, SearchSort sort, int offset, int limit)
    {
        var byIndex = await RunAsync(channelIds, query, sort, offset, limit, filterDrivenLimit: 0);
        var byFilters = await RunAsync(channelIds, query, sort, offset, limit, filterDrivenLimit: 100_000);
        Assert.True(byIndex.Hits.Select(h => h.MessageId).SequenceEqual(byFilters.Hits.Select(h => h.MessageId)) &&
            (byIndex.Total, byIndex.TotalIsCapped) == (byFilters.Total, byFilters.TotalIsCapped),
            $"The plans disagree on {Describe(query)}: index {byIndex.Total} [{string.Join(",", byIndex.Hits.Select(h => h.MessageId))}], " +
            $"filters {byFilters.Total} [{string.Join(",", byFilters.Hits.Select(h => h.MessageId))}]");
        return byIndex;
    }

    private static string Describe(SearchQuery query) =>
        string.Join(" ", query.Include.Select(t => "+" + t.Folded).Concat(query.Exclude.Select(t => "-" + t.Folded))
            .Select(t => string.Concat(t.Select(c => c < ' ' || c > '~' ? $"\\u{(int)c:X4}" : c.ToString()))));

    private async Task<SearchResults> RunAsync(List<Snowflake> channelIds, SearchQuery query, SearchSort sort, int offset, int limit, int filterDrivenLimit)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var search = new MessageSearch(scope.ServiceProvider.GetRequiredService<KamaDbContext>(),
            scope.ServiceProvider.GetRequiredService<ILookupNormalizer>(), Options.Create(new SearchOptions { FilterDrivenLimit = filterDrivenLimit }));
        return await search.SearchAsync(query, channelIds, sort, offset, limit, default);
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteSearchTests(SqliteApp app) : SearchTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresSearchTests(PostgresApp app) : SearchTests(app), IClassFixture<PostgresApp>;

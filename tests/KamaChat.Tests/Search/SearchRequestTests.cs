using System.Globalization;
using System.Net;
using System.Text.Json;
using KamaChat.Server.Features.Messages;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Search;

/// <summary>
/// The endpoints' parameters as a client sends them: each structured parameter, what is refused (400 validation_failed
/// naming the field), the JSON shape, and a corpus of hostile queries that must each answer 200 or 400, never 500.
/// </summary>
public abstract class SearchRequestTests(KamaChatApp app)
{
    [Fact]
    public async Task Structured_parameters_filter_like_their_q_forms()
    {
        var member = await app.UserAsync();
        var (serverId, general, owner) = await app.SeedServerWithChannelAsync(member);
        var random = await owner.CreateChannelAsync(serverId, "random");
        var linked = await owner.Client.SendOkAsync(general, "budget draft at https://example.com/budget");
        var mention = await member.Client.SendOkAsync(random.Id, $"budget questions for <@{owner.Id}>");
        var later = await member.Client.SendOkAsync(general, "budget approved");
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.PutAsync($"/api/v1/channels/{general}/pins/{linked.Id}", null)).StatusCode);
        var today = later.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var tomorrow = later.CreatedAt.UtcDateTime.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

        async Task<List<Snowflake>> Ids(params (string, string)[] parameters) => (await owner.SearchServerAsync(serverId, parameters)).Ids();

        Assert.Equal([later.Id, mention.Id], await Ids(("q", "budget"), ("authorId", member.Id.ToString())));
        Assert.Equal([later.Id, mention.Id, linked.Id], await Ids(("q", "budget"), ("authorId", member.Id.ToString()), ("authorId", owner.Id.ToString())));
        // authorId widens from: (either author).
        Assert.Equal([later.Id, mention.Id, linked.Id], await Ids(("q", $"budget from:{owner.Username}"), ("authorId", member.Id.ToString())));
        Assert.Equal([mention.Id], await Ids(("q", "budget"), ("channelId", random.Id.ToString())));
        Assert.Equal([later.Id, mention.Id, linked.Id], await Ids(("q", "budget"), ("channelId", random.Id.ToString()), ("channelId", general.ToString())));
        Assert.Equal([mention.Id], await Ids(("mentions", owner.Id.ToString())));
        Assert.Equal([linked.Id], await Ids(("has", "link")));
        Assert.Empty(await Ids(("has", "link"), ("has", "image")));
        Assert.Equal([linked.Id], await Ids(("q", "budget"), ("pinned", "true")));
        Assert.Equal([later.Id, mention.Id], await Ids(("q", "budget"), ("pinned", "false")));
        Assert.Equal([linked.Id], await Ids(("q", "budget"), ("before", mention.Id.ToString())));
        Assert.Equal([later.Id], await Ids(("q", "budget"), ("after", mention.Id.ToString())));
        Assert.Equal([mention.Id], await Ids(("q", "budget"), ("after", linked.Id.ToString()), ("before", later.Id.ToString())));
        Assert.Equal([later.Id, mention.Id, linked.Id], await Ids(("q", "budget"), ("before", tomorrow)));
        Assert.Empty(await Ids(("q", "budget"), ("before", today)));
        Assert.Empty(await Ids(("q", "budget"), ("after", today)));
        Assert.Equal([later.Id], await Ids(("q", "budget"), ("after", mention.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture))));
        // The tighter of two bounds wins, whichever way each was given.
        Assert.Equal([linked.Id], await Ids(("q", $"budget before:{tomorrow}"), ("before", mention.Id.ToString())));
        Assert.Equal([later.Id, mention.Id, linked.Id], await Ids(("q", "budget"), ("sort", "NEWEST")));
        Assert.Equal([linked.Id, mention.Id, later.Id], await Ids(("q", "budget"), ("sort", "oldest")));
        Assert.Equal([mention.Id], await Ids(("q", "budget"), ("offset", "1"), ("limit", "1")));
    }

    [Fact]
    public async Task The_answer_is_camel_case_json_with_ids_as_strings()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var message = await owner.Client.SendOkAsync(channelId, "shape of the answer");

        var json = JsonDocument.Parse(await (await owner.SearchServerRawAsync(serverId, "q=shape")).Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(1, json.GetProperty("totalResults").GetInt32());
        Assert.False(json.GetProperty("totalIsCapped").GetBoolean());
        var hit = json.GetProperty("hits")[0];
        Assert.Equal(message.Id.ToString(), hit.GetProperty("message").GetProperty("id").GetString());
        Assert.Equal(channelId.ToString(), hit.GetProperty("message").GetProperty("channelId").GetString());
        Assert.Equal(owner.Id.ToString(), hit.GetProperty("message").GetProperty("author").GetProperty("id").GetString());
        Assert.Equal(0, hit.GetProperty("highlights")[0].GetProperty("start").GetInt32());
        Assert.Equal(5, hit.GetProperty("highlights")[0].GetProperty("length").GetInt32());
        Assert.Equal(JsonValueKind.Null, hit.GetProperty("previous").ValueKind);
        Assert.Equal(JsonValueKind.Null, hit.GetProperty("next").ValueKind);
    }

    [Theory]
    [InlineData("", "q")]
    [InlineData("q=", "q")]
    [InlineData("q=%20%20%20", "q")]
    [InlineData("q=-only%20-excluded", "q")]
    [InlineData("q=%22%22", "q")]
    [InlineData("q=has%3Asticker", "q")]
    [InlineData("q=before%3Ayesterday", "q")]
    [InlineData("q=pinned%3Amaybe", "q")]
    [InlineData("sort=newest", "q")]
    [InlineData("q=a&authorId=ada", "authorId")]
    [InlineData("q=a&authorId=-1", "authorId")]
    [InlineData("q=a&authorId=99999999999999999999", "authorId")]
    [InlineData("q=a&channelId=1.5", "channelId")]
    [InlineData("q=a&mentions=%40ada", "mentions")]
    [InlineData("q=a&has=sticker", "has")]
    [InlineData("q=a&pinned=maybe", "pinned")]
    [InlineData("q=a%20pinned%3Atrue&pinned=false", "pinned")]
    [InlineData("q=a&before=yesterday", "before")]
    [InlineData("q=a&after=2026-02-30", "after")]
    [InlineData("q=a&sort=best", "sort")]
    [InlineData("q=a&offset=-1", "offset")]
    [InlineData("q=a&offset=5001", "offset")]
    [InlineData("q=a&limit=0", "limit")]
    [InlineData("q=a&limit=26", "limit")]
    [InlineData("q=a&limit=ten", "limit")]
    public async Task Bad_requests_are_refused_naming_the_field(string queryString, string field)
    {
        var (serverId, _, owner) = await app.SeedServerWithChannelAsync();
        await (await owner.SearchServerRawAsync(serverId, queryString)).AssertInvalidAsync(field);
        await (await owner.SearchDmsRawAsync(queryString)).AssertInvalidAsync(field);
    }

    [Fact]
    public async Task A_query_over_1024_characters_is_refused_and_one_of_1024_is_not()
    {
        var (serverId, _, owner) = await app.SeedServerWithChannelAsync();
        await (await owner.SearchServerRawAsync(serverId, SearchApi.Query(("q", new string('x', 1025))))).AssertInvalidAsync("q");
        Assert.Empty((await owner.SearchServerAsync(serverId, ("q", new string('x', 1024)))).Hits);
        var tooManyIds = string.Join("&", Enumerable.Range(1, 101).Select(i => $"authorId={i}"));
        await (await owner.SearchServerRawAsync(serverId, "q=a&" + tooManyIds)).AssertInvalidAsync("authorId");
    }

    [Fact]
    public async Task Hostile_queries_answer_200_or_400_and_never_reach_an_engine_as_syntax()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        // NUL and lone surrogates in message content are the message endpoint's business (PostgreSQL cannot store them), not search's.
        var storable = HostileQueries.All.Where(q => q.Trim().Length is > 0 and <= Message.ContentMaxLength && !q.Contains('\0') &&
            q.EnumerateRunes().All(r => r != System.Text.Rune.ReplacementChar) && !HasLoneSurrogate(q));
        foreach (var content in storable)
        {
            var sent = await owner.Client.SendMessageAsync(channelId, content);
            Assert.True(sent.StatusCode is HttpStatusCode.Created or HttpStatusCode.BadRequest,
                $"{(int)sent.StatusCode} sending '{SearchApi.Printable(content)}'");
        }

        var queryStrings = HostileQueries.All.Select(q => SearchApi.Query(("q", q)))
            .Concat(HostileQueries.All.Take(40).Select(q => SearchApi.Query(("q", "a"), ("before", q), ("has", q), ("sort", q))))
            .Concat(HostileQueries.RawQueryStrings);
        foreach (var queryString in queryStrings)
        {
            foreach (var response in new[] { await owner.SearchServerRawAsync(serverId, queryString), await owner.SearchDmsRawAsync(queryString) })
            {
                Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest,
                    $"{(int)response.StatusCode} for '{SearchApi.Printable(queryString)}': {await response.Content.ReadAsStringAsync()}");
                if (response.StatusCode == HttpStatusCode.BadRequest)
                    await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
            }
        }
    }

    private static bool HasLoneSurrogate(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else if (char.IsSurrogate(text[i]))
                return true;
        }
        return false;
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteSearchRequestTests(SqliteSearchApp app) : SearchRequestTests(app), IClassFixture<SqliteSearchApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresSearchRequestTests(PostgresSearchApp app) : SearchRequestTests(app), IClassFixture<PostgresSearchApp>;

using System.Net;
using KamaChat.Server.Data;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.Search;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Search;

/// <summary>
/// The app with the search planner told always to use the text index. Test data is small, so with the default every
/// search would check the few filtered messages in memory and the engines (FTS5, pg_trgm) would go untested through HTTP.
/// </summary>
public abstract class SearchApp : KamaChatApp
{
    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => [new("Search:FilterDrivenLimit", "0")];
}

/// <summary>SQLite indexing each message in its send (as before SearchIndexedAfterCommit): the searches go through the FTS5 indexes, not the pending messages beside them.</summary>
public sealed class SqliteSearchApp : SearchApp
{
    public override string ProviderName => "sqlite";

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => base.ExtraSettings.Append(new("Search:SqliteIndexMilliseconds", "0"));

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
}

public sealed class PostgresSearchApp : SearchApp
{
    public override string ProviderName => "postgres";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => PostgresServer.CreateDatabaseAsync();
}

/// <summary>Searching through the two endpoints, as the web client does.</summary>
public static class SearchApi
{
    /// <summary>A query string from name/value pairs (repeat a name for a repeatable parameter), every value escaped.</summary>
    public static string Query(params (string Name, string Value)[] parameters) =>
        string.Join("&", parameters.Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value)}"));

    public static Task<HttpResponseMessage> SearchServerRawAsync(this TestUser user, Snowflake serverId, string queryString) =>
        user.Client.GetAsync($"/api/v1/servers/{serverId}/messages/search?{queryString}");

    public static Task<HttpResponseMessage> SearchDmsRawAsync(this TestUser user, string queryString) =>
        user.Client.GetAsync($"/api/v1/users/@me/messages/search?{queryString}");

    public static async Task<MessageSearchResponse> SearchServerAsync(this TestUser user, Snowflake serverId, params (string Name, string Value)[] parameters) =>
        await (await user.SearchServerRawAsync(serverId, Query(parameters))).ReadAsync<MessageSearchResponse>();

    public static async Task<MessageSearchResponse> SearchDmsAsync(this TestUser user, params (string Name, string Value)[] parameters) =>
        await (await user.SearchDmsRawAsync(Query(parameters))).ReadAsync<MessageSearchResponse>();

    public static List<Snowflake> Ids(this MessageSearchResponse response) => response.Hits.Select(h => h.Message.Id).ToList();

    public static async Task<List<Snowflake>> SearchIdsAsync(this TestUser user, Snowflake serverId, string q) =>
        (await user.SearchServerAsync(serverId, ("q", q))).Ids();

    public static async Task<List<Snowflake>> SearchDmIdsAsync(this TestUser user, string q) => (await user.SearchDmsAsync(("q", q))).Ids();

    /// <summary>
    /// The same search through the service with the other plan (filters first, text checked in memory) over the channels
    /// the permission service says the user may read: the two plans must find the same messages in the same order.
    /// </summary>
    public static async Task AssertFilterPlanAgreesAsync(
        this KamaChatApp app, TestUser user, Snowflake serverId, string q, SearchSort sort, int offset, int limit, MessageSearchResponse byIndex)
    {
        var parsed = SearchQueryParser.Parse(q);
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<KamaDbContext>();
        var readable = (await scope.ServiceProvider.GetRequiredService<PermissionService>().VisibleChannelsAsync(user.Id, serverId, default))
            .Where(c => c.Has(Perms.ViewChannel | Perms.ReadMessageHistory)).Select(c => c.ChannelId).ToList();
        var indexIds = byIndex.Ids();
        // Filters first; and the text-driven search with each of its two plans pinned (walking the messages, or the text index).
        foreach (var (name, options) in new[]
        {
            ("filters", new SearchOptions { FilterDrivenLimit = 100_000 }),
            ("walk", new SearchOptions { FilterDrivenLimit = 0, TextPlan = SearchTextPlan.Walk }),
            ("index", new SearchOptions { FilterDrivenLimit = 0, TextPlan = SearchTextPlan.Index }),
        })
        {
            var search = new MessageSearch(db, scope.ServiceProvider.GetRequiredService<ILookupNormalizer>(), Options.Create(options), scope.ServiceProvider.GetRequiredService<TrigramSamples>());
            var other = await search.SearchAsync(parsed.Query, readable, sort, offset, limit, default);
            var otherIds = other.Hits.Select(h => h.MessageId).ToList();
            Assert.True(indexIds.SequenceEqual(otherIds) && (byIndex.TotalResults, byIndex.TotalIsCapped) == (other.Total, other.TotalIsCapped),
                $"The plans disagree on '{Printable(q)}': index {byIndex.TotalResults} [{string.Join(",", indexIds)}], " +
                $"{name} {other.Total} [{string.Join(",", otherIds)}]");
        }
    }

    /// <summary>Asserts a 400 validation_failed that names <paramref name="field"/>.</summary>
    public static async Task AssertInvalidAsync(this HttpResponseMessage response, string field)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotEmpty(problem.FieldErrors(field));
    }

    public static string Printable(string text) =>
        string.Concat(text.Take(60).Select(c => c < ' ' || c > '~' ? $"\\u{(int)c:X4}" : c.ToString()));
}

/// <summary>Search's migration tests: a database taken back to before a migration, then up again.</summary>
public static class SearchMigrations
{
    /// <summary>The id of the migration named <paramref name="name"/>, and of the one before it (to migrate down to).</summary>
    public static (string Previous, string Migration) Around(KamaDbContext db, string name)
    {
        var migrations = db.Database.GetMigrations().ToList();
        var index = migrations.FindIndex(m => m.EndsWith("_" + name, StringComparison.Ordinal));
        Assert.True(index > 0, $"{name} is among the {db.Database.ProviderName} migrations");
        return (migrations[index - 1], migrations[index]);
    }
}

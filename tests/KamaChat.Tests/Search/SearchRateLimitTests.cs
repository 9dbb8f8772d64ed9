using System.Net;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Search;

/// <summary>The app with a small per-account search budget, so the limit is reached in a test.</summary>
public sealed class ThrottledSearchApp : KamaChatApp
{
    public override string ProviderName => "sqlite";

    protected override Task<IReadOnlyDictionary<string, string?>> SettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>
        {
            ["RateLimits:Search:PerAccount"] = "3",
            ["RateLimits:Search:Window"] = "00:01:00",
        });

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
}

/// <summary>Rate limiting is memory, not SQL: one provider is enough here.</summary>
[Trait("Provider", "sqlite")]
public sealed class SearchRateLimitTests(ThrottledSearchApp app) : IClassFixture<ThrottledSearchApp>
{
    [Fact]
    public async Task Searches_past_the_account_budget_get_429_with_retry_after_on_both_endpoints()
    {
        var other = await app.UserAsync();
        var (serverId, _, owner) = await app.SeedServerWithChannelAsync(other);

        Assert.Equal(HttpStatusCode.OK, (await owner.SearchServerRawAsync(serverId, "q=one")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await owner.SearchDmsRawAsync("q=two")).StatusCode);
        // A refused request counts too: the budget is for requests, not for good ones.
        Assert.Equal(HttpStatusCode.BadRequest, (await owner.SearchServerRawAsync(serverId, "q=")).StatusCode);

        foreach (var limited in new[] { await owner.SearchServerRawAsync(serverId, "q=four"), await owner.SearchDmsRawAsync("q=five") })
        {
            var problem = await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
            Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After must say how long to wait.");
            Assert.True(problem.GetProperty("retryAfterSeconds").GetInt32() > 0);
        }
        // Per account: another member searching the same server is not held back.
        Assert.Equal(HttpStatusCode.OK, (await other.SearchServerRawAsync(serverId, "q=six")).StatusCode);
    }
}

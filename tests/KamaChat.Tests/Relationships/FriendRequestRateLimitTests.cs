using System.Net;
using KamaChat.Server.Features.Relationships;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Relationships;

/// <summary>The app with a small per-account friend-request budget, so the limit is reached in a test.</summary>
public sealed class ThrottledFriendsApp : KamaChatApp
{
    public override string ProviderName => "sqlite";

    protected override Task<IReadOnlyDictionary<string, string?>> SettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>
        {
            ["RateLimits:FriendRequest:PerAccount"] = "3",
            ["RateLimits:FriendRequest:Window"] = "00:10:00",
        });

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
}

/// <summary>Rate limiting is memory, not SQL: one provider is enough here.</summary>
[Trait("Provider", "sqlite")]
public sealed class FriendRequestRateLimitTests(ThrottledFriendsApp app) : IClassFixture<ThrottledFriendsApp>
{
    [Fact]
    public async Task Friend_requests_past_the_account_budget_get_429_and_ask_nobody()
    {
        var spammer = await app.UserAsync();
        var targets = new List<TestUser>();
        for (var i = 0; i < 5; i++)
            targets.Add(await app.UserAsync());

        await (await spammer.RequestFriendAsync(targets[0].Username)).ReadAsync<RelationshipResponse>();
        await (await spammer.SetRelationshipAsync(targets[1], "friend")).ReadAsync<RelationshipResponse>();
        await (await spammer.RequestFriendAsync(targets[2].Username)).ReadAsync<RelationshipResponse>();

        var limited = await spammer.RequestFriendAsync(targets[3].Username);
        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After must say how long to wait.");
        await (await spammer.SetRelationshipAsync(targets[4], "friend")).AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.Empty(await targets[3].RelationshipListAsync());
        Assert.Empty(await targets[4].RelationshipListAsync());
        // Per account: the people asked may still answer and ask others.
        await (await targets[0].SetRelationshipAsync(spammer, "friend")).ReadAsync<RelationshipResponse>();
    }
}

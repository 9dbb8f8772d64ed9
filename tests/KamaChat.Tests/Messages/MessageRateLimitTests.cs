using System.Net;
using KamaChat.Tests.Infrastructure;
using KamaChat.Server.Features.Channels;

namespace KamaChat.Tests.Messages;

/// <summary>The app with a small per-account message budget, so the limit is reached in a test.</summary>
public sealed class ThrottledSendApp : KamaChatApp
{
    public override string ProviderName => "sqlite";

    protected override Task<IReadOnlyDictionary<string, string?>> SettingsAsync() =>
        Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>
        {
            ["RateLimits:MessageSend:PerAccount"] = "3",
            ["RateLimits:MessageSend:Window"] = "00:01:00",
        });

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
}

public sealed class MessageRateLimitTests(ThrottledSendApp app) : IClassFixture<ThrottledSendApp>
{
    [Fact]
    public async Task A_flood_of_messages_from_one_account_gets_429_with_retry_after_and_writes_nothing()
    {
        var owner = await app.UserAsync();
        var other = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await other.JoinAsync(owner, server.Id);
        var channel = (await (await owner.Client.GetAsync($"/api/v1/servers/{server.Id}/channels")).ReadAsync<List<ChannelResponse>>()).Single().Id;

        for (var i = 0; i < 3; i++)
            await owner.Client.SendOkAsync(channel, $"message {i}");
        var limited = await owner.Client.SendMessageAsync(channel, "one too many");

        await limited.AssertProblemAsync(HttpStatusCode.TooManyRequests, "rate_limited");
        Assert.True(limited.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(3, await app.MessageCountAsync(channel));
        // The budget is per account: someone else in the same channel can still talk.
        await other.Client.SendOkAsync(channel, "my turn");
    }
}

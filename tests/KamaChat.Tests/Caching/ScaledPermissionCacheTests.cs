using System.Net;
using KamaChat.Tests.Infrastructure;
using KamaChat.Server.Features.Permissions;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Caching;

/// <summary>Two nodes, each with its own cache: a change committed on one is enforced on the other once its event arrives.</summary>
public sealed class ScaledPermissionCacheTests(ScaledPair nodes) : IClassFixture<ScaledPair>
{
    [Fact]
    public async Task A_permission_revoked_on_one_node_is_enforced_on_the_other_within_delivery_time()
    {
        var owner = await nodes.First.UserAsync();
        var member = await nodes.First.UserAsync();
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);
        var channel = await owner.CreateChannelAsync(server.Id, "cached");
        using var memberOnSecond = nodes.Second.CreateClient(member.Tokens.AccessToken);
        // The second node now holds the member's access to the channel in its cache.
        await memberOnSecond.SendOkAsync(channel.Id, "seen on the second node");
        Assert.Equal(HttpStatusCode.OK, (await memberOnSecond.GetAsync($"/api/v1/channels/{channel.Id}")).StatusCode);

        await (await owner.Client.SendJsonAsync(HttpMethod.Put, $"/api/v1/channels/{channel.Id}/permissions/member/{member.Id}",
            new { allow = "0", deny = P.ViewChannel.Text() })).ReadAsync<object>();

        // Enforced on the second node as soon as the event reaches it (Redis at once, the log poll otherwise).
        Assert.Equal(HttpStatusCode.NotFound, await StatusOnceAsync(memberOnSecond, $"/api/v1/channels/{channel.Id}", HttpStatusCode.NotFound));
        await (await memberOnSecond.SendMessageAsync(channel.Id, "refused")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");

        // And given back the same way.
        (await owner.Client.DeleteAsync($"/api/v1/channels/{channel.Id}/permissions/member/{member.Id}")).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.OK, await StatusOnceAsync(memberOnSecond, $"/api/v1/channels/{channel.Id}", HttpStatusCode.OK));
    }

    [Fact]
    public async Task A_session_signed_out_on_one_node_is_refused_on_the_other_within_delivery_time()
    {
        var user = await nodes.First.UserAsync();
        using var onSecond = nodes.Second.CreateClient(user.Tokens.AccessToken);
        // The second node now remembers the session as active.
        Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync("/api/v1/users/@me")).StatusCode);

        (await user.Client.PostAsync("/api/v1/auth/logout", null)).EnsureSuccessStatusCode();

        // Refused on the node that signed it out at once, and on the other as soon as the event reaches it.
        await (await user.Client.GetAsync("/api/v1/users/@me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "session_revoked");
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusOnceAsync(onSecond, "/api/v1/users/@me", HttpStatusCode.Unauthorized));
        await (await onSecond.GetAsync("/api/v1/users/@me")).AssertProblemAsync(HttpStatusCode.Unauthorized, "session_revoked");
    }

    /// <summary>Asks until the answer is <paramref name="expected"/> or the patience runs out; the last answer.</summary>
    private static async Task<HttpStatusCode> StatusOnceAsync(HttpClient client, string url, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow + GatewayClient.Patience;
        HttpStatusCode status;
        while ((status = (await client.GetAsync(url)).StatusCode) != expected && DateTime.UtcNow < deadline)
            await Task.Delay(20);
        return status;
    }
}

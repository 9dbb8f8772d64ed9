using System.Net;
using KamaChat.Tests.Audit;
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
    public async Task A_timeout_set_on_one_node_holds_on_the_other_at_once_and_ends_there_by_itself()
    {
        var owner = await nodes.First.UserAsync();
        var moderator = await nodes.First.UserAsync();
        var server = await owner.CreateServerAsync();
        await moderator.JoinAsync(owner, server.Id);
        var mods = await owner.CreateRoleAsync(server.Id, "mods", P.ViewAuditLog);
        await owner.AssignRoleAsync(server.Id, moderator, mods.Id);
        var channel = await owner.CreateChannelAsync(server.Id, "timed");
        using var onSecond = nodes.Second.CreateClient(moderator.Tokens.AccessToken);
        var auditLog = $"/api/v1/servers/{server.Id}/audit-log";
        // The second node now holds the moderator's standing in the server in its cache.
        await onSecond.SendOkAsync(channel.Id, "before");
        Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync(auditLog)).StatusCode);

        var until = DateTimeOffset.UtcNow.AddMinutes(2);
        Assert.Equal(HttpStatusCode.OK, (await owner.TimeOutAsync(server.Id, moderator, until)).StatusCode);

        // Held on the second node as soon as the event reaches it (asked by a read, so a late cache writes nothing):
        // what the timeout takes is refused as timed_out, reading goes on.
        Assert.Equal(HttpStatusCode.Forbidden, await StatusOnceAsync(onSecond, auditLog, HttpStatusCode.Forbidden));
        await (await onSecond.GetAsync(auditLog)).AssertProblemAsync(HttpStatusCode.Forbidden, "timed_out");
        await (await onSecond.SendMessageAsync(channel.Id, "refused")).AssertProblemAsync(HttpStatusCode.Forbidden, "timed_out");
        Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync($"/api/v1/channels/{channel.Id}/messages")).StatusCode);

        // Its end passes on the second node alone, and nothing is said of it: the node's cache holds the end, not a verdict.
        var passed = until - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1);
        nodes.Second.MoveClock(passed);
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await onSecond.GetAsync(auditLog)).StatusCode);
            await onSecond.SendOkAsync(channel.Id, "after, on the node whose clock passed its end");
            // The first node's clock has not passed it: there it holds still.
            await (await moderator.Client.SendMessageAsync(channel.Id, "refused")).AssertProblemAsync(HttpStatusCode.Forbidden, "timed_out");
        }
        finally
        {
            nodes.Second.MoveClock(-passed);
        }
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

using System.Net;
using KamaChat.Server.Features.Gateway;
using KamaChat.Tests.Audit;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Permissions;

/// <summary>
/// A timeout takes a moderator's powers (Discord's rule: a timed-out member keeps only View Channel and Read Message
/// History): kicks, bans, deleting others' messages and editing roles are refused with 403 timed_out while it lasts, what
/// they read and what the gateway lists for them do not change, and the powers come back by themselves when the app's
/// clock passes the timeout's end (no event, nothing dropped from the cache).
/// </summary>
public abstract class TimeoutMaskTests(ClockApp app)
{
    [Fact]
    public async Task A_timed_out_moderator_is_refused_moderation_reads_as_before_and_moderates_again_when_the_timeout_ends()
    {
        var owner = await app.UserAsync();
        var moderator = await app.UserAsync();
        var member = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await moderator.JoinAsync(owner, server.Id);
        await member.JoinAsync(owner, server.Id);
        var mods = await owner.CreateRoleAsync(server.Id, "mods", P.Kick | P.Ban | P.ManageMessages | P.ManageRoles);
        var low = await owner.CreateRoleAsync(server.Id, "low", P.None); // a new role goes in at the bottom
        await owner.AssignRoleAsync(server.Id, moderator, mods.Id);
        var channel = await ModerationApi.GeneralChannelAsync(owner, server.Id);
        var message = await member.Client.SendOkAsync(channel, "spam");
        var listedBefore = await ChannelsListedAsync(moderator, server.Id);

        var until = app.Clock.GetUtcNow().AddMinutes(1);
        Assert.Equal(HttpStatusCode.OK, (await owner.TimeOutAsync(server.Id, moderator, until)).StatusCode);

        var before = await app.SnapshotAsync();
        var deleteMessage = () => moderator.Client.DeleteAsync($"/api/v1/channels/{channel}/messages/{message.Id}");
        var editRole = () => moderator.Client.SendJsonAsync(HttpMethod.Patch, $"/api/v1/servers/{server.Id}/roles/{low.Id}", new { name = "renamed" });
        var kick = () => moderator.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/{member.Id}");
        var ban = () => moderator.Client.SendJsonAsync(HttpMethod.Put, $"/api/v1/servers/{server.Id}/bans/{member.Id}", new { reason = "spam" });
        foreach (var attempt in new[] { deleteMessage, editRole, kick, ban })
        {
            var refused = await (await attempt()).AssertProblemAsync(HttpStatusCode.Forbidden, "timed_out");
            Assert.Equal(until.ToUnixTimeMilliseconds(), refused.GetProperty("timedOutUntil").GetDateTimeOffset().ToUnixTimeMilliseconds());
        }
        // A timed-out member who would lack the permission anyway is told that, not the timeout.
        await (await moderator.TimeOutAsync(server.Id, member, until)).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        Assert.Equal(before, await app.SnapshotAsync());

        // Reading goes on, and the gateway lists the same channels with what the moderator holds apart from the timeout.
        Assert.Equal(HttpStatusCode.OK, (await moderator.Client.GetAsync($"/api/v1/channels/{channel}/messages")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await moderator.Client.GetAsync($"/api/v1/servers/{server.Id}/members")).StatusCode);
        Assert.Equal(listedBefore, await ChannelsListedAsync(moderator, server.Id));

        // The timeout's end passes on the app's clock: nothing is written or announced, yet every power is back.
        using (app.Clock.Advance(TimeSpan.FromMinutes(2)))
        {
            Assert.Equal(HttpStatusCode.NoContent, (await deleteMessage()).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await editRole()).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await kick()).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await ban()).StatusCode);
        }
    }

    [Fact]
    public async Task A_timed_out_member_who_is_made_an_administrator_is_not_held_by_the_timeout()
    {
        var owner = await app.UserAsync();
        var moderator = await app.UserAsync();
        var member = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await moderator.JoinAsync(owner, server.Id);
        await member.JoinAsync(owner, server.Id);
        Assert.Equal(HttpStatusCode.OK, (await owner.TimeOutAsync(server.Id, moderator, app.Clock.GetUtcNow().AddMinutes(10))).StatusCode);
        var channel = await ModerationApi.GeneralChannelAsync(owner, server.Id);
        await (await moderator.Client.SendMessageAsync(channel, "hello")).AssertProblemAsync(HttpStatusCode.Forbidden, "timed_out");

        var admins = await owner.CreateRoleAsync(server.Id, "admins", P.Administrator);
        await owner.AssignRoleAsync(server.Id, moderator, admins.Id);

        await moderator.Client.SendOkAsync(channel, "hello");
        Assert.Equal(HttpStatusCode.NoContent, (await moderator.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/{member.Id}")).StatusCode);
    }

    /// <summary>The channels Ready lists for the user in the server, with their permissions.</summary>
    private async Task<List<(Snowflake, string)>> ChannelsListedAsync(TestUser user, Snowflake serverId)
    {
        await using var client = await GatewayClient.ConnectAsync(app, user.Tokens.AccessToken);
        ReadyPayload ready = await client.ReadyAsync();
        return ready.Servers.Single(s => s.Id == serverId).Channels.Select(c => (c.Id, c.Permissions)).ToList();
    }
}

/// <summary>The app with a clock a test moves forward (real time plus what it was moved by).</summary>
public abstract class ClockApp : KamaChatApp
{
    public MovableClock Clock { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }
}

/// <summary>
/// The system clock, moved forward while an <see cref="Advance"/> lasts (timers still run on real time). Moved back
/// after it: the app signs tokens by this clock and checks them by the real one, so the next test's new users sign in.
/// </summary>
public sealed class MovableClock : TimeProvider
{
    private long _offsetTicks;

    public IDisposable Advance(TimeSpan by)
    {
        Interlocked.Add(ref _offsetTicks, by.Ticks);
        return new Back(() => Interlocked.Add(ref _offsetTicks, -by.Ticks));
    }

    private sealed class Back(Action back) : IDisposable
    {
        public void Dispose() => back();
    }

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
}

public sealed class SqliteClockApp : ClockApp
{
    public override string ProviderName => "sqlite";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
}

public sealed class PostgresClockApp : ClockApp
{
    public override string ProviderName => "postgres";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => PostgresServer.CreateDatabaseAsync();
}

[Trait("Provider", "sqlite")]
public sealed class SqliteTimeoutMaskTests(SqliteClockApp app) : TimeoutMaskTests(app), IClassFixture<SqliteClockApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresTimeoutMaskTests(PostgresClockApp app) : TimeoutMaskTests(app), IClassFixture<PostgresClockApp>;

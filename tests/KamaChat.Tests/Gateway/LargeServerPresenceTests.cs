using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Gateway;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;

namespace KamaChat.Tests.Gateway;

/// <summary>Servers of more than three members count as large, so a test reaches the limit with a few users.</summary>
public abstract class LargeServerApp : KamaChatApp
{
    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => [new("KAMACHAT_LARGE_SERVER_MEMBERS", "3")];
}

public sealed class SqliteLargeServerApp : LargeServerApp
{
    public override string ProviderName => "sqlite";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
}

public sealed class PostgresLargeServerApp : LargeServerApp
{
    public override string ProviderName => "postgres";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => PostgresServer.CreateDatabaseAsync();
}

/// <summary>
/// In a large server a member's presence reaches only the connections watching them in its member list; a DM partner's
/// presence (which arrives regardless) marks when anything sent before it would have arrived, since one connection's
/// messages arrive in the order they were sent.
/// </summary>
public abstract class LargeServerPresenceTests(KamaChatApp app)
{
    [Fact]
    public async Task Presence_in_a_large_server_reaches_only_those_who_watch_and_stops_when_they_stop_or_leave()
    {
        var (alice, bob, carol, dave) = (await app.UserAsync(), await app.UserAsync(), await app.UserAsync(), await app.UserAsync());
        var (serverId, _, owner) = await app.SeedServerWithChannelAsync(alice, bob, carol, dave);
        // dave and alice share a DM: dave's presence reaches alice whatever she watches.
        (await alice.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = dave.Id.ToString() })).EnsureSuccessStatusCode();
        await using var daveClient = await GatewayClient.ConnectAsync(app, dave.Tokens.AccessToken);
        await daveClient.ReadyAsync();
        await using var aliceClient = await GatewayClient.ConnectAsync(app, alice.Tokens.AccessToken);
        await aliceClient.ReadyAsync();

        var watched = await aliceClient.Connection.InvokeAsync<List<PresenceUpdated>>("WatchPresences", serverId.ToString(), new[] { bob.Id.ToString() });
        Assert.Equal([new PresenceUpdated(bob.Id, "offline")], watched);
        await using var bobClient = await GatewayClient.ConnectAsync(app, bob.Tokens.AccessToken);
        await bobClient.ReadyAsync();
        await aliceClient.WaitForPresenceAsync(bob.Id, "online");

        // carol does not watch bob: his change never reaches her, though it reached alice.
        await using var carolClient = await GatewayClient.ConnectAsync(app, carol.Tokens.AccessToken);
        await carolClient.ReadyAsync();
        await carolClient.Connection.InvokeAsync<List<PresenceUpdated>>("WatchPresences", serverId.ToString(), new[] { dave.Id.ToString() });
        await bobClient.Connection.InvokeAsync("SetPresence", "dnd");
        await aliceClient.WaitForPresenceAsync(bob.Id, "dnd");
        await daveClient.Connection.InvokeAsync("SetPresence", "idle");
        await carolClient.WaitForPresenceAsync(dave.Id, "idle");
        Assert.DoesNotContain(carolClient.Presence, p => p.UserId == bob.Id);

        // alice stops watching: bob's next change passes her by.
        await aliceClient.Connection.InvokeAsync<List<PresenceUpdated>>("WatchPresences", serverId.ToString(), Array.Empty<string>());
        await bobClient.Connection.InvokeAsync("SetPresence", "online");
        await daveClient.Connection.InvokeAsync("SetPresence", "dnd");
        await aliceClient.WaitForPresenceAsync(dave.Id, "dnd");
        Assert.Equal(["online", "dnd"], aliceClient.Presence.Where(p => p.UserId == bob.Id).Select(p => p.Status));

        // alice watches again, then is kicked: her watch ends with her membership.
        await aliceClient.Connection.InvokeAsync<List<PresenceUpdated>>("WatchPresences", serverId.ToString(), new[] { bob.Id.ToString() });
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/servers/{serverId}/members/{alice.Id}")).StatusCode);
        await aliceClient.WaitForEventAsync("ServerRemoved");
        await bobClient.Connection.InvokeAsync("SetPresence", "idle");
        await daveClient.Connection.InvokeAsync("SetPresence", "online");
        await aliceClient.WaitForPresenceAsync(dave.Id, "online");
        Assert.DoesNotContain(aliceClient.Presence, p => p.UserId == bob.Id && p.Status == "idle");
        var gone = await Assert.ThrowsAsync<HubException>(() =>
            aliceClient.Connection.InvokeAsync<List<PresenceUpdated>>("WatchPresences", serverId.ToString(), new[] { bob.Id.ToString() }));
        Assert.Contains("not_found", gone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Only_members_can_be_watched_and_only_so_many_at_once()
    {
        var (alice, bob, stranger) = (await app.UserAsync(), await app.UserAsync(), await app.UserAsync());
        var (serverId, _, _) = await app.SeedServerWithChannelAsync(alice, bob);
        await using var aliceClient = await GatewayClient.ConnectAsync(app, alice.Tokens.AccessToken);
        await aliceClient.ReadyAsync();

        // Someone outside the server is left out, not answered: their presence is none of alice's business.
        var watched = await aliceClient.Connection.InvokeAsync<List<PresenceUpdated>>("WatchPresences", serverId.ToString(), new[] { bob.Id.ToString(), stranger.Id.ToString() });
        Assert.Equal([bob.Id], watched.Select(p => p.UserId));
        var tooMany = await Assert.ThrowsAsync<HubException>(() => aliceClient.Connection.InvokeAsync<List<PresenceUpdated>>("WatchPresences", serverId.ToString(),
            Enumerable.Range(0, PresenceAudience.MaxWatched + 1).Select(_ => bob.Id.ToString()).ToArray()));
        Assert.Contains("validation_failed", tooMany.Message, StringComparison.Ordinal);

        await using var strangerClient = await GatewayClient.ConnectAsync(app, stranger.Tokens.AccessToken);
        await strangerClient.ReadyAsync();
        var refused = await Assert.ThrowsAsync<HubException>(() =>
            strangerClient.Connection.InvokeAsync<List<PresenceUpdated>>("WatchPresences", serverId.ToString(), new[] { bob.Id.ToString() }));
        Assert.Contains("not_found", refused.Message, StringComparison.Ordinal);
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteLargeServerPresenceTests(SqliteLargeServerApp app) : LargeServerPresenceTests(app), IClassFixture<SqliteLargeServerApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresLargeServerPresenceTests(PostgresLargeServerApp app) : LargeServerPresenceTests(app), IClassFixture<PostgresLargeServerApp>;

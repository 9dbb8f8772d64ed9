using KamaChat.Server.Features.Gateway;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Gateway;

/// <summary>
/// A node on a real socket whose socket sends never time out during a test: whatever closes a connection that does not
/// read is the gateway's own limit, not the transport's timer (10 s by default) racing the test.
/// </summary>
public class SlowClientApp : KamaChatApp
{
    public override string ProviderName => "sqlite";

    protected override bool UsesKestrel => true;

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => [new("KAMACHAT_GATEWAY_SEND_TIMEOUT_SECONDS", "600")];

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));

    public Uri Address => new(Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
}

/// <summary>The same node with a small outbox: 20 messages waiting for one connection close it.</summary>
public sealed class SmallOutboxApp : SlowClientApp
{
    public const int Limit = 20;

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings =>
        base.ExtraSettings.Append(new("KAMACHAT_GATEWAY_OUTBOX_LIMIT", Limit.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}

/// <summary>Two members of one channel over real sockets; one of them stops reading.</summary>
internal static class SlowClientRoom
{
    /// <summary>An event's data: large, so a few megabytes fill what the kernel and the pipes buffer for the stalled client.</summary>
    public static readonly object Data = new { content = new string('x', 60_000) };

    /// <summary>
    /// Enough events to fill twice over what a connection can buffer: the server socket's send buffer (at most the
    /// kernel's tcp_wmem maximum), the client's tiny receive buffer, and the 64 KiB pipes of Kestrel and SignalR.
    /// </summary>
    public static int EventsToFill()
    {
        var sendBufferMax = 4L * 1024 * 1024;
        try
        {
            sendBufferMax = long.Parse(File.ReadAllText("/proc/sys/net/ipv4/tcp_wmem").Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[2],
                System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            // Not Linux: its default maximum.
        }
        return (int)(2 * (sendBufferMax + 1024 * 1024) / 60_000) + 1;
    }

    public static async Task<Room> OpenAsync(SlowClientApp app)
    {
        var stalled = await app.UserAsync();
        var reader = await app.UserAsync();
        var (_, channelId) = await GatewaySeed.ServerWithChannelAsync(app, stalled.Id, reader.Id);
        var socket = await RawGatewaySocket.OpenAsync(app.Address, stalled.Tokens.AccessToken, receiveBufferSize: 1024)
            ?? throw new InvalidOperationException("The gateway refused the stalled client.");
        var client = await GatewayClient.ConnectAsync(app.Address, reader.Tokens.AccessToken);
        await client.ReadyAsync();
        return new Room(stalled.Id, socket, client, channelId, app.Services.GetRequiredService<ConnectionRegistry>(), stalled.Tokens.AccessToken);
    }

    public sealed record Room(
        Snowflake Stalled, RawGatewaySocket StalledSocket, GatewayClient Reader, Snowflake ChannelId, ConnectionRegistry Registry, string StalledToken) : IAsyncDisposable
    {
        /// <summary>Whether the stalled client's connection is still open on the node.</summary>
        public bool StalledIsOpen => Registry.OfUser(Stalled).Count > 0;

        public async ValueTask DisposeAsync()
        {
            StalledSocket.Dispose();
            await Reader.DisposeAsync();
        }
    }
}

[Trait("Provider", "sqlite")]
public sealed class SlowClientTests(SlowClientApp app) : IClassFixture<SlowClientApp>
{
    [Fact]
    public async Task A_client_that_stops_reading_does_not_hold_up_the_others_in_its_channel()
    {
        await using var room = await SlowClientRoom.OpenAsync(app);

        // Had the node waited for the stalled connection's writes, an event would reach the reader only once the node gave
        // up on that connection (its socket's send timed out) and closed it: seen here as the connection gone from the
        // registry, or as the stalled client's next ping refused.
        var count = SlowClientRoom.EventsToFill();
        for (var i = 0; i < count; i++)
        {
            // The stalled client still talks (pings), as a client whose receiving side is stuck does: only its reading stops.
            try
            {
                await room.StalledSocket.PingAsync();
            }
            catch (System.Net.WebSockets.WebSocketException e)
            {
                Assert.Fail($"The stalled client was closed before event {i + 1} of {count}, which the reader waited for: {e.Message}");
            }
            var entry = await GatewaySeed.AppendAsync(app, new TestEvent(room.ChannelId, SlowClientRoom.Data));
            await room.Reader.WaitForEventsAsync(events => events.Any(e => e.Id == entry.Id));
            Assert.True(room.StalledIsOpen, $"Event {i + 1} of {count} reached the reading client only after the stalled one was closed.");
        }
    }
}

[Trait("Provider", "sqlite")]
public sealed class SmallOutboxTests(SmallOutboxApp app) : IClassFixture<SmallOutboxApp>
{
    [Fact]
    public async Task A_client_that_stops_reading_is_closed_once_its_outbox_is_full_and_the_others_get_everything_in_order()
    {
        await using var room = await SlowClientRoom.OpenAsync(app);

        var sent = new List<Snowflake>();
        for (var i = 0; i < SlowClientRoom.EventsToFill() + SmallOutboxApp.Limit; i++)
        {
            try
            {
                await room.StalledSocket.PingAsync();
            }
            catch (System.Net.WebSockets.WebSocketException)
            {
                // Closed by the server (what this test waits for) while the events keep coming.
            }
            var id = (await GatewaySeed.AppendAsync(app, new TestEvent(room.ChannelId, SlowClientRoom.Data))).Id;
            sent.Add(id);
            // The reader is held to the same small outbox: appended faster than it reads (its receive loop shares a busy
            // test process), it fell 20 events behind and was closed too, as it should be, and the test waited for events
            // that would never come. It reads each event before the next is appended; the stalled client still fills up.
            await room.Reader.WaitForEventsAsync(events => events.Any(e => e.Id == id));
        }
        var received = room.Reader.Events.ToList();
        var deadline = DateTime.UtcNow + GatewayClient.Patience;
        while (room.StalledIsOpen && DateTime.UtcNow < deadline)
            await Task.Delay(20);

        Assert.Equal(sent, received.Where(e => e.ScopeId == room.ChannelId).Select(e => e.Id));
        // The transport's send timeout is 10 minutes here: only the outbox's limit closed it.
        Assert.False(room.StalledIsOpen);
    }
}

[Trait("Provider", "sqlite")]
public sealed class BackloggedSessionEndTests(SlowClientApp app) : IClassFixture<SlowClientApp>
{
    [Fact]
    public async Task A_backlogged_connection_whose_session_ends_gets_what_waited_and_then_the_reason_before_it_closes()
    {
        await using var room = await SlowClientRoom.OpenAsync(app);
        var sent = new List<Snowflake>();
        for (var i = 0; i < SlowClientRoom.EventsToFill(); i++)
        {
            await room.StalledSocket.PingAsync();
            sent.Add((await GatewaySeed.AppendAsync(app, new TestEvent(room.ChannelId, SlowClientRoom.Data))).Id);
        }
        // Dispatched (the reader has the last one): the stalled connection's outbox holds what its socket could not take.
        await room.Reader.WaitForEventsAsync(events => events.Any(e => e.Id == sent[^1]));

        using var http = app.CreateClient(room.StalledToken);
        Assert.Equal(System.Net.HttpStatusCode.NoContent, (await http.PostAsync("/api/v1/auth/logout", null)).StatusCode);
        // The reader's user stream is not the stalled user's: wait for the node to have the event by a message after it.
        var after = await GatewaySeed.AppendAsync(app, new TestEvent(room.ChannelId, new { content = "after" }));
        await room.Reader.WaitForEventsAsync(events => events.Any(e => e.Id == after.Id));

        // Now the stalled client reads: every event that waited, then why its session ended, then the close.
        using var timeout = new CancellationTokenSource(GatewayClient.Patience);
        var received = await room.StalledSocket.EventsUntilClosedAsync(timeout.Token);

        Assert.Equal(sent.Select(id => id.ToString()), received.Where(e => e.Type == TestEvent.Type).Select(e => e.Id).Take(sent.Count));
        Assert.Equal(KamaChat.Server.Features.Auth.SessionRevoked.Type, received[^1].Type);
        Assert.DoesNotContain(received, e => e.Id == after.Id.ToString());
    }
}

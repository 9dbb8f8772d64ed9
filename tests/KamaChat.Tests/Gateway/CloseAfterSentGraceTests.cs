using KamaChat.Server.Features.Gateway;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace KamaChat.Tests.Gateway;

/// <summary>
/// <see cref="GatewayLifetimeManager.CloseAfterSent"/> on a connection whose socket takes nothing: the connection keeps
/// its chance to read what waits for it for the send timeout, then is closed anyway. The clock is the test's, so the
/// grace is an hour that elapses when the test says.
/// </summary>
public sealed class CloseAfterSentGraceTests
{
    private static readonly TimeSpan Grace = TimeSpan.FromHours(1);

    [Fact]
    public async Task A_connection_that_takes_nothing_is_closed_when_the_grace_has_elapsed_and_not_before()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var manager = new GatewayLifetimeManager(
            NullLogger<DefaultHubLifetimeManager<GatewayHub>>.Instance, Options.Create(new GatewayOptions { SendTimeout = Grace }),
            new GatewayMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), new ConnectionRegistry(), clock),
            clock, NullLogger<GatewayLifetimeManager>.Instance);
        var connection = new StalledConnection();
        await manager.OnConnectedAsync(connection);

        // The event that says why, then the close: its write never completes.
        await manager.SendConnectionAsync(connection.ConnectionId, "SessionRevoked", []);
        Assert.Equal(1, connection.Writes);
        manager.CloseAfterSent(connection.ConnectionId);
        clock.Advance(Grace - TimeSpan.FromTicks(1));

        Assert.False(connection.Aborted.Task.IsCompleted, "closed before the grace elapsed");

        clock.Advance(TimeSpan.FromTicks(1));
        await connection.Aborted.Task;
        await manager.SendConnectionAsync(connection.ConnectionId, "Later", []);
        Assert.Equal(1, connection.Writes);
    }

    /// <summary>A connection whose socket takes nothing: every write stays pending; records its abort.</summary>
    private sealed class StalledConnection() : HubConnectionContext(
        new DefaultConnectionContext(Guid.NewGuid().ToString("N")), new HubConnectionContextOptions(), NullLoggerFactory.Instance)
    {
        private readonly TaskCompletionSource _neverWritten = new();

        public int Writes { get; private set; }

        public TaskCompletionSource Aborted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override ValueTask WriteAsync(SerializedHubMessage message, CancellationToken cancellationToken = default)
        {
            Writes++;
            return new ValueTask(_neverWritten.Task);
        }

        public override void Abort() => Aborted.TrySetResult();
    }
}

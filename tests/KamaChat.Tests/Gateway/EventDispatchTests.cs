using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Gateway;
using KamaChat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Gateway;

/// <summary>
/// How an event reaches the dispatcher: the thread that hands it over sends it while no dispatch is under way, without
/// waking a loop on another thread (a thread-pool hop that cost a send ~1 ms under load). A class of its own, so no
/// other test's events are being dispatched meanwhile.
/// </summary>
public sealed class EventDispatchTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public void A_commits_events_are_queued_under_the_write_gate_and_sent_by_the_committer_once_it_let_go()
    {
        using var sent = new SentEvents(app);
        var bus = app.Services.GetRequiredService<EventBus>();
        IReadOnlyList<EventLogEntry> events = [Entry(), Entry()];

        bus.Publish(events);
        var whilePublished = sent.Threads().Length;
        bus.Deliver(events);

        // Not sent while the committer held the gate (a long fan-out would keep other writers waiting), then both in
        // order on the committer's own thread before Deliver returned.
        Assert.Equal(0, whilePublished);
        Assert.Equal(new[] { Environment.CurrentManagedThreadId, Environment.CurrentManagedThreadId }, sent.Threads());
    }

    [Fact]
    public void An_event_from_another_node_is_sent_by_the_thread_that_hands_it_over()
    {
        using var sent = new SentEvents(app);

        app.Services.GetRequiredService<EventDispatcher>().Accept([Entry()], EventPath.Fanout);

        Assert.Equal(Environment.CurrentManagedThreadId, Assert.Single(sent.Threads()));
    }

    /// <summary>An event no feature sends (delivered without side effects) to a channel nobody is connected to.</summary>
    private static EventLogEntry Entry() => new()
    {
        Id = GatewaySeed.NewId(),
        Scope = EventScope.Channel,
        ScopeId = GatewaySeed.NewId(),
        Sequence = 1,
        Type = TestEvent.Type,
        Payload = "{}",
        CreatedAt = DateTimeOffset.UtcNow,
    };

    /// <summary>The threads on which this app's gateway counted an event sent, in order.</summary>
    private sealed class SentEvents : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<int> _threads = new();

        public SentEvents(KamaChatApp app)
        {
            var factory = app.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == GatewayMetrics.Name && instrument.Name == "kamachat.gateway.events" && ReferenceEquals(instrument.Meter.Scope, factory))
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<long>((_, _, _, _) => _threads.Enqueue(Environment.CurrentManagedThreadId));
            _listener.Start();
        }

        public int[] Threads() => [.. _threads];

        public void Dispose() => _listener.Dispose();
    }
}

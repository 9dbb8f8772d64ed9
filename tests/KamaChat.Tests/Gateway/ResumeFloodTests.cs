using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Gateway;
using KamaChat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KamaChat.Tests.Gateway;

/// <summary>Tests that measure time: run after the others, one at a time, so other tests' work is not in their numbers.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MeasuredAlone
{
    public const string Name = "Measured alone";
}

/// <summary>One account flooding Resume must not slow the gateway down for everyone else.</summary>
public abstract class ResumeFloodTests(KamaChatApp app, ITestOutputHelper output)
{
    private const int Rounds = 4;
    private const int MessagesPerRound = 5;

    private static string Text(Snowflake id) => id.ToString();

    private static string Text(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// The stated bound: while one account floods Resume from every connection it may open (with calls naming too many
    /// streams, and with costly ones), another account's message reaches its recipient with a median at most twice the
    /// unflooded median plus half a second, and never later than three seconds or three times the slowest unflooded
    /// one, whichever is more. Flooded and quiet rounds alternate, so both see the same (shared, busy) machine.
    /// </summary>
    [Fact]
    public async Task A_resume_flood_from_one_account_keeps_everyone_elses_messages_within_the_bound()
    {
        var flooder = await app.UserAsync();
        var floodServer = await app.SeedServerAsync(flooder);
        var floodChannels = new List<Snowflake>();
        for (var c = 0; c < 40; c++)
        {
            floodChannels.Add(await app.SeedTextChannelAsync(floodServer));
            for (var e = 0; e < 3; e++)
                await GatewaySeed.AppendAsync(app, EventScope.Channel, floodChannels[^1], "Test", new { e });
        }
        var alice = await app.UserAsync();
        var bob = await app.UserAsync();
        var (_, channelId, _) = await app.SeedServerWithChannelAsync(alice, bob);
        await using var bobClient = await GatewayClient.ConnectAsync(app, bob.Tokens.AccessToken);
        await bobClient.ReadyAsync();

        // Too many streams: ~40 KB of made-up ids. Costly: every real stream from its start, plus made-up ids. Sent as
        // ready-made frames over raw sockets, as an attacker would: the flooder's own work is not this node's.
        var tooMany = RawGatewaySocket.ResumeFrame(Enumerable.Range(0, 2600).Select(i => Text(9_000_000_000L + i)));
        var costly = RawGatewaySocket.ResumeFrame(floodChannels.Select(c => Text(c)).Concat(Enumerable.Range(0, 400).Select(i => Text(8_000_000_000L + i))));
        var sockets = new List<RawGatewaySocket>();
        for (var i = 0; i < 25; i++)
            if (await RawGatewaySocket.OpenAsync(app, flooder.Tokens.AccessToken) is { } socket)
                sockets.Add(socket);

        using var stop = new CancellationTokenSource();
        var flooding = new Switch();
        var inFlight = 0;
        var outcomes = new ConcurrentBag<string>();
        var flood = sockets.Select((socket, i) => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await flooding.On.WaitAsync(stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                Interlocked.Increment(ref inFlight);
                try
                {
                    outcomes.Add(await socket.InvokeAsync(i % 2 == 0 ? tooMany : costly, stop.Token));
                }
                catch (Exception e) when (e is OperationCanceledException or System.Net.WebSockets.WebSocketException or IOException)
                {
                    return;
                }
                finally
                {
                    Interlocked.Decrement(ref inFlight);
                }
            }
        })).ToList();

        var quiet = new List<TimeSpan>();
        var flooded = new List<TimeSpan>();
        var kept = 0;
        for (var round = 0; round < Rounds; round++)
        {
            quiet.AddRange(await LatenciesAsync(alice, bobClient, channelId, $"quiet {round}"));
            flooding.TurnOn();
            flooded.AddRange(await LatenciesAsync(alice, bobClient, channelId, $"flooded {round}"));
            kept = sockets.Count(s => s.IsOpen);
            flooding.TurnOff();
            // The quiet round starts when the last flooding call has been answered.
            while (Volatile.Read(ref inFlight) > 0)
                await Task.Delay(10);
        }
        await stop.CancelAsync();
        await Task.WhenAll(flood);
        foreach (var socket in sockets)
            socket.Dispose();

        var (median, max) = (Median(flooded), flooded.Max());
        var (quietMedian, quietMax) = (Median(quiet), quiet.Max());
        var report = $"send→receive: unflooded median {quietMedian.TotalMilliseconds:F0} ms, max {quietMax.TotalMilliseconds:F0} ms; " +
            $"flooded median {median.TotalMilliseconds:F0} ms, max {max.TotalMilliseconds:F0} ms; " +
            $"flood: {string.Join(", ", outcomes.GroupBy(o => o).Select(g => $"{g.Key} {g.Count()}"))}; flooding sockets open {kept} of 25";
        output.WriteLine(report);
        Assert.True(median <= (2 * quietMedian) + TimeSpan.FromMilliseconds(500), report);
        Assert.True(max <= TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(3).Ticks, 3 * quietMax.Ticks)), report);
        // The flood was held back, not small: calls naming too many streams were refused, costly ones ran into the
        // account's Resume budget, and only one session's worth of sockets got in.
        Assert.Contains("validation_failed", outcomes);
        Assert.Contains("rate_limited", outcomes);
        Assert.Contains("answered", outcomes);
        Assert.Equal(new GatewayOptions().ConnectionsPerSession, kept);
    }

    private static async Task<List<TimeSpan>> LatenciesAsync(TestUser sender, GatewayClient receiver, Snowflake channelId, string label)
    {
        var latencies = new List<TimeSpan>();
        for (var m = 0; m < MessagesPerRound; m++)
        {
            var content = $"{label} {m}";
            var clock = Stopwatch.StartNew();
            await sender.Client.SendOkAsync(channelId, content);
            await receiver.WaitForEventsAsync(events => events.Any(e => e.Type == "MessageCreated" && e.Data.Contains(content, StringComparison.Ordinal)),
                TimeSpan.FromSeconds(60));
            latencies.Add(clock.Elapsed);
            await Task.Delay(100);
        }
        return latencies;
    }

    private static TimeSpan Median(List<TimeSpan> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>Lets the flood run while on; flooding calls wait for it to be turned on again.</summary>
    private sealed class Switch
    {
        private volatile TaskCompletionSource _on = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task On => _on.Task;

        public void TurnOn() => _on.TrySetResult();

        public void TurnOff() => _on = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

[Trait("Provider", "sqlite")]
[Collection(MeasuredAlone.Name)]
public sealed class SqliteResumeFloodTests(SqliteApp app, ITestOutputHelper output) : ResumeFloodTests(app, output), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
[Collection(MeasuredAlone.Name)]
public sealed class PostgresResumeFloodTests(PostgresApp app, ITestOutputHelper output) : ResumeFloodTests(app, output), IClassFixture<PostgresApp>;

using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Gateway;
using KamaChat.Tests.Infrastructure;
using Xunit.Abstractions;

namespace KamaChat.Tests.Gateway;

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
                await GatewaySeed.AppendAsync(app, new TestEvent(floodChannels[^1], new { e }));
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
        using var stop = new CancellationTokenSource();
        var flooding = new Switch();
        var (inFlight, open, mostOpen) = (0, 0, 0);
        var outcomes = new ConcurrentBag<string>();
        // 25 attackers of one account, each keeping a socket open (reopening it when the server closes it, and trying
        // again a second after a refused connection) and calling Resume on it as fast as the answers come back.
        var flood = Enumerable.Range(0, 25).Select(i => Task.Run(async () =>
        {
            RawGatewaySocket? socket = null;
            try
            {
                while (true)
                {
                    await flooding.On.WaitAsync(stop.Token);
                    Interlocked.Increment(ref inFlight);
                    try
                    {
                        if (socket is null)
                        {
                            socket = await RawGatewaySocket.OpenAsync(app, flooder.Tokens.AccessToken);
                            if (socket is null)
                            {
                                outcomes.Add("connection refused");
                                await Task.Delay(1000, stop.Token);
                                continue;
                            }
                            var now = Interlocked.Increment(ref open);
                            InterlockedMax(ref mostOpen, now);
                        }
                        outcomes.Add(await socket.InvokeAsync(i % 2 == 0 ? tooMany : costly, stop.Token));
                    }
                    catch (Exception e) when (e is System.Net.WebSockets.WebSocketException or IOException or InvalidOperationException)
                    {
                        if (socket is null)
                        {
                            outcomes.Add("connection refused");
                            await Task.Delay(1000, stop.Token);
                            continue;
                        }
                        outcomes.Add("closed");
                        socket.Dispose();
                        socket = null;
                        Interlocked.Decrement(ref open);
                    }
                    finally
                    {
                        Interlocked.Decrement(ref inFlight);
                    }
                }
            }
            catch (OperationCanceledException)
            {
                socket?.Dispose();
            }
        })).ToList();

        var quiet = new List<TimeSpan>();
        var flooded = new List<TimeSpan>();
        for (var round = 0; round < Rounds; round++)
        {
            quiet.AddRange(await LatenciesAsync(alice, bobClient, channelId, $"quiet {round}"));
            flooding.TurnOn();
            flooded.AddRange(await LatenciesAsync(alice, bobClient, channelId, $"flooded {round}"));
            flooding.TurnOff();
            // The quiet round starts when the last flooding call has been answered.
            while (Volatile.Read(ref inFlight) > 0)
                await Task.Delay(10);
        }
        await stop.CancelAsync();
        await Task.WhenAll(flood);

        var (median, max) = (Median(flooded), flooded.Max());
        var (quietMedian, quietMax) = (Median(quiet), quiet.Max());
        var report = $"send→receive: unflooded median {quietMedian.TotalMilliseconds:F0} ms, max {quietMax.TotalMilliseconds:F0} ms; " +
            $"flooded median {median.TotalMilliseconds:F0} ms, max {max.TotalMilliseconds:F0} ms; " +
            $"flood: {string.Join(", ", outcomes.GroupBy(o => o).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"))}; at most {mostOpen} sockets open at once";
        output.WriteLine(report);
        Assert.True(median <= (2 * quietMedian) + TimeSpan.FromMilliseconds(500), report);
        Assert.True(max <= TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(3).Ticks, 3 * quietMax.Ticks)), report);
        // The flood was held back, not small: calls naming too many streams were refused, costly ones ran into the
        // limits, sockets that went on calling while refused were closed, reconnecting ran into the per-minute limit,
        // and no more than one session's worth of sockets was ever open.
        Assert.Contains("validation_failed", outcomes);
        Assert.Contains("rate_limited", outcomes);
        Assert.Contains("answered", outcomes);
        Assert.Contains("closed", outcomes);
        Assert.Contains("connection refused", outcomes);
        Assert.InRange(mostOpen, 1, new GatewayOptions().ConnectionsPerSession);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        for (var current = Volatile.Read(ref target); value > current; current = Volatile.Read(ref target))
            if (Interlocked.CompareExchange(ref target, value, current) == current)
                return;
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
[Collection(RunAlone.Name)]
public sealed class SqliteResumeFloodTests(SqliteApp app, ITestOutputHelper output) : ResumeFloodTests(app, output), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
[Collection(RunAlone.Name)]
public sealed class PostgresResumeFloodTests(PostgresApp app, ITestOutputHelper output) : ResumeFloodTests(app, output), IClassFixture<PostgresApp>;

using System.Globalization;
using Microsoft.AspNetCore.SignalR.Client;

namespace KamaChat.Bench;

/// <summary>How many idle gateway connections one node holds, and at what memory.</summary>
public static class IdleBench
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        Console.WriteLine($"idle bench: {options.Connections} idle gateway connections");
        await using var server = await ServerUnderTest.StartAsync();
        var users = new List<string>();
        for (var i = 0; i < 20; i++)
            users.Add((await server.RegisterAsync($"idle{i}_{Guid.NewGuid():N}"[..18])).AccessToken);

        var before = server.ResidentBytes();
        var heapBefore = await server.ManagedHeapAsync();
        var connections = new List<HubConnection>(options.Connections);
        var failures = 0;
        using var gate = new SemaphoreSlim(64);
        var tasks = Enumerable.Range(0, options.Connections).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var connection = await GatewayBench.ConnectGatewayAsync(server.BaseAddress, users[i % users.Count], null);
                lock (connections)
                    connections.Add(connection);
            }
            catch (Exception e) when (e is HttpRequestException or System.Net.WebSockets.WebSocketException or IOException or TimeoutException)
            {
                Interlocked.Increment(ref failures);
            }
            finally
            {
                gate.Release();
            }
        });
        await Task.WhenAll(tasks);
        // Time to settle before measuring (and, with KAMACHAT_BENCH_SETTLE_SECONDS, to take a heap dump of the server).
        var settle = int.TryParse(Environment.GetEnvironmentVariable("KAMACHAT_BENCH_SETTLE_SECONDS"), out var s) ? s : 3;
        await Task.Delay(TimeSpan.FromSeconds(settle));
        var after = server.ResidentBytes();
        var heapAfter = await server.ManagedHeapAsync();
        var count = (double)Math.Max(1, connections.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"idle       {connections.Count:N0} connected ({failures} failed); server memory {before / 1048576.0:N0} MiB -> {after / 1048576.0:N0} MiB, {(after - before) / count / 1024:N1} KiB per connection"));
        // The managed heap (after the last GC) and what the GC keeps committed: RSS growth beyond the committed growth is
        // native (socket buffers, Kestrel's pinned memory pool slabs, thread stacks).
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"idle       managed heap {heapBefore.Heap / 1048576.0:N0} MiB -> {heapAfter.Heap / 1048576.0:N0} MiB ({(heapAfter.Heap - heapBefore.Heap) / count / 1024:N1} KiB per connection); GC committed {heapBefore.Committed / 1048576.0:N0} MiB -> {heapAfter.Committed / 1048576.0:N0} MiB ({(heapAfter.Committed - heapBefore.Committed) / count / 1024:N1} KiB per connection)"));
        await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask()));
        return 0;
    }
}

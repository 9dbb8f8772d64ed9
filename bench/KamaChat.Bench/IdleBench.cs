using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using KamaChat.Server.Features.Auth;
using Microsoft.AspNetCore.SignalR.Client;

namespace KamaChat.Bench;

/// <summary>How many idle gateway connections one node holds, and at what memory.</summary>
public static class IdleBench
{
    public static async Task<int> RunAsync(BenchOptions options)
    {
        Console.WriteLine(options.Bare
            ? $"idle bench: {options.Connections} idle connections to a bare SignalR hub (the floor)"
            : $"idle bench: {options.Connections} idle gateway connections, accounts in {options.Servers} servers");
        await using var target = options.Bare ? await BareTarget.StartAsync() : await ServerTarget.StartAsync(options.Servers);

        var before = ServerUnderTest.ResidentBytesOf(target.ProcessId);
        var heapBefore = await target.ManagedHeapAsync();
        await ServerUnderTest.FullCollectionAsync(target.ProcessId);
        var liveBefore = await target.ManagedHeapAsync();
        var connections = new List<HubConnection>(options.Connections);
        var failures = 0;
        using var gate = new SemaphoreSlim(64);
        var tasks = Enumerable.Range(0, options.Connections).Select(async i =>
        {
            await gate.WaitAsync();
            try
            {
                var connection = await GatewayBench.ConnectGatewayAsync(target.BaseAddress, target.Tokens[i % target.Tokens.Count], null);
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
        var after = ServerUnderTest.ResidentBytesOf(target.ProcessId);
        var heapAfter = await target.ManagedHeapAsync();
        var count = (double)Math.Max(1, connections.Count);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"idle       {connections.Count:N0} connected ({failures} failed); server memory {before / 1048576.0:N0} MiB -> {after / 1048576.0:N0} MiB, {(after - before) / count / 1024:N1} KiB per connection"));
        // The managed heap (after the last GC) and what the GC keeps committed: RSS growth beyond the committed growth is
        // native (socket buffers, Kestrel's pinned memory pool slabs, thread stacks).
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"idle       managed heap {heapBefore.Size / 1048576.0:N0} MiB -> {heapAfter.Size / 1048576.0:N0} MiB ({(heapAfter.Size - heapBefore.Size) / count / 1024:N1} KiB per connection); GC committed {heapBefore.Committed / 1048576.0:N0} MiB -> {heapAfter.Committed / 1048576.0:N0} MiB ({(heapAfter.Committed - heapBefore.Committed) / count / 1024:N1} KiB per connection)"));
        // The same after a full blocking collection: the live objects (the heap less its free space) the connections keep,
        // which a breakdown by type (dotnet-gcdump) divides up, and the memory the process holds once gen2's garbage is gone.
        await ServerUnderTest.FullCollectionAsync(target.ProcessId);
        var liveAfter = await target.ManagedHeapAsync();
        var collected = ServerUnderTest.ResidentBytesOf(target.ProcessId);
        static double Live(Heap h) => h.Size - h.Fragmentation;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"idle       after a full collection: live objects {Live(liveBefore) / 1048576.0:N0} MiB -> {Live(liveAfter) / 1048576.0:N0} MiB ({(Live(liveAfter) - Live(liveBefore)) / count / 1024:N1} KiB per connection), free space in the heap {(liveAfter.Fragmentation - liveBefore.Fragmentation) / count / 1024:N1} KiB per connection, GC committed {(liveAfter.Committed - liveBefore.Committed) / count / 1024:N1} KiB per connection; server memory {collected / 1048576.0:N0} MiB ({(collected - before) / count / 1024:N1} KiB per connection)"));
        await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask()));
        return 0;
    }

    private readonly record struct Heap(double Size, double Committed, double Fragmentation);

    /// <summary>What the idle connections go to: the server, or the bare hub.</summary>
    private interface ITarget : IAsyncDisposable
    {
        Uri BaseAddress { get; }

        int ProcessId { get; }

        /// <summary>Access tokens the connections take turns with.</summary>
        IReadOnlyList<string> Tokens { get; }

        /// <summary>The managed heap as of the last collection, what the GC keeps committed, and the heap's free space.</summary>
        Task<Heap> ManagedHeapAsync();
    }

    /// <summary>The server, with 20 accounts in <paramref name="servers"/> seeded servers.</summary>
    private sealed class ServerTarget(ServerUnderTest server, IReadOnlyList<string> tokens) : ITarget
    {
        public static async Task<ITarget> StartAsync(int servers)
        {
            var server = await ServerUnderTest.StartAsync();
            var accounts = new List<AuthTokens>();
            for (var i = 0; i < 20; i++)
                accounts.Add(await server.RegisterAsync($"idle{i}_{Guid.NewGuid():N}"[..18]));
            for (var i = 0; i < servers; i++)
                await server.SeedChannelAsync(accounts.Select(a => a.User.Id));
            return new ServerTarget(server, accounts.Select(a => a.AccessToken).ToList());
        }

        public Uri BaseAddress => server.BaseAddress;

        public int ProcessId => server.ProcessId;

        public IReadOnlyList<string> Tokens => tokens;

        public async Task<Heap> ManagedHeapAsync()
        {
            var (heap, committed, fragmentation) = await server.ManagedHeapAsync();
            return new Heap(heap, committed, fragmentation);
        }

        public ValueTask DisposeAsync() => server.DisposeAsync();
    }

    /// <summary>The bench's own <see cref="BareHubServer"/>, as its own process.</summary>
    private sealed class BareTarget(Process process, Uri baseAddress) : ITarget
    {
        private readonly HttpClient _http = new() { BaseAddress = baseAddress };

        public static async Task<ITarget> StartAsync()
        {
            var port = ServerUnderTest.FreePort();
            var process = Process.Start(new ProcessStartInfo("dotnet", $"\"{typeof(IdleBench).Assembly.Location}\" bare-hub --port {port}"))!;
            var target = new BareTarget(process, new Uri($"http://127.0.0.1:{port}/"));
            for (var i = 0; i < 200; i++)
            {
                try
                {
                    if ((await target._http.GetAsync("readyz")).IsSuccessStatusCode)
                        return target;
                }
                catch (HttpRequestException)
                {
                }
                await Task.Delay(100);
            }
            await target.DisposeAsync();
            throw new TimeoutException("The bare hub did not start in 20 s.");
        }

        public Uri BaseAddress => baseAddress;

        public int ProcessId => process.Id;

        public IReadOnlyList<string> Tokens { get; } = ["none"];

        public async Task<Heap> ManagedHeapAsync()
        {
            var state = (await _http.GetFromJsonAsync<BareHubServer.GcState>("gc"))!;
            return new Heap(state.Heap, state.Committed, state.Fragmentation);
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }
}

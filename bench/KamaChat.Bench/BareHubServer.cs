using System.Runtime;
using Microsoft.AspNetCore.SignalR;

namespace KamaChat.Bench;

/// <summary>
/// The floor for <c>bench idle --bare</c>: a SignalR hub that does nothing, on the same Kestrel and runtime settings as
/// the server (Server GC), with no authentication, middleware, groups or database. What an idle connection costs here
/// is SignalR's and Kestrel's share of what it costs on the real gateway.
/// </summary>
public static class BareHubServer
{
    public static async Task<int> RunAsync(int port)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        builder.Services.AddSignalR();
        var app = builder.Build();
        app.MapHub<BareHub>("/hubs/gateway");
        app.MapGet("/readyz", () => "ok");
        // The managed heap as of the last collection, as the server's /metrics gives it (dotnet.gc.last_collection.*).
        app.MapGet("/gc", () =>
        {
            var info = GC.GetGCMemoryInfo(GCKind.Any);
            return new GcState(info.HeapSizeBytes, info.TotalCommittedBytes, info.FragmentedBytes, GCSettings.IsServerGC);
        });
        await app.RunAsync();
        return 0;
    }

    public sealed record GcState(long Heap, long Committed, long Fragmentation, bool ServerGc);

    private sealed class BareHub : Hub;
}

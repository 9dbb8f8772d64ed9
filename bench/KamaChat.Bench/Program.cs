using KamaChat.Bench;

// ./kamachat bench gateway [--clients N per channel] [--senders N] [--rate msgs/s per sender] [--seconds N]
//     [--db sqlite|postgres|both] [--channels N] [--protocol json|messagepack] [--sustained [--start-rate N] [--max-rate N] [--step-seconds N] [--target-p99 MS]]
// ./kamachat bench idle [--connections N] [--servers N] [--bare]
// ./kamachat bench search [--engine sqlite|postgres|both] [--messages N] [--queries N] [--baseline-queries N] [--sends N]
//     [--sends-only] [--warmup N] [--postgres-memory production|default]
// ./kamachat bench search-replay --sqlite FILE|--postgres CONNECTION_STRING --queries QUERY_LOG --out FILE
// ./kamachat bench connect [--db sqlite|postgres|both] [--messages N] [--connections N]
// ./kamachat bench bigserver [--db sqlite|postgres|both] [--members N]
// ./kamachat bench history [--db sqlite|postgres|both] [--messages N] [--readers N] [--requests N per reader per class]
// ./kamachat bench calls [--participants N] [--rounds N] [--seconds N]
// ./kamachat bench media [--images N] [--concurrency N] [--upload-mb N] (--images 0: uploads only; --upload-mb 0: thumbnails only) [--upload-clients N] [--upload-rounds N]
var options = BenchOptions.Parse(args);
return options.Mode switch
{
    "gateway" => await GatewayBench.RunAsync(options),
    "idle" => await IdleBench.RunAsync(options),
    "connect" => await ConnectBench.RunAsync(options),
    "bigserver" => await BigServerBench.RunAsync(options),
    "search" => await SearchBench.RunAsync(options),
    "search-replay" => await SearchReplay.RunAsync(args),
    "search-sql" => await SearchReplay.SqlAsync(args),
    "history" => await HistoryBench.RunAsync(args),
    "calls" => await CallBench.RunAsync(args),
    "media" => await MediaBench.RunAsync(args),
    "media-worker" => await MediaBench.WorkerAsync(args),
    "bare-hub" => await BareHubServer.RunAsync(int.Parse(args[Array.IndexOf(args, "--port") + 1], System.Globalization.CultureInfo.InvariantCulture)),
    "raw-server" => await RawBroadcastServer.RunAsync(int.Parse(args[Array.IndexOf(args, "--port") + 1], System.Globalization.CultureInfo.InvariantCulture)),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: ./kamachat bench gateway|idle|connect|bigserver|search|history|calls|media [--clients N] [--senders N] [--rate N] [--seconds N] [--connections N]");
    return 2;
}

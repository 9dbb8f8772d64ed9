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
// Parsed only for the modes that take BenchOptions: the others read their own arguments (search-replay's --queries is a file).
try
{
    return BenchOptions.ModeOf(args) switch
    {
        "gateway" => await GatewayBench.RunAsync(BenchOptions.Parse(args)),
        "idle" => await IdleBench.RunAsync(BenchOptions.Parse(args)),
        "connect" => await ConnectBench.RunAsync(BenchOptions.Parse(args)),
        "bigserver" => await BigServerBench.RunAsync(BenchOptions.Parse(args)),
        "search" => await SearchBench.RunAsync(BenchOptions.Parse(args)),
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
}
catch (BenchOptions.UsageException e)
{
    Console.Error.WriteLine(e.Message);
    return Usage();
}

static int Usage()
{
    Console.Error.WriteLine("usage: ./kamachat bench gateway|idle|connect|bigserver|search|history|calls|media [--clients N] [--senders N] [--rate N] [--seconds N] [--connections N]");
    return 2;
}

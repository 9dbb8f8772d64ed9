using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Channels;

namespace KamaChat.Bench;

/// <summary>
/// ./kamachat bench calls: N participants (headless Chromium pages with a fake camera and microphone, bench/calls/)
/// join one voice channel through the real server and a real Janus (the voice lab of the tests, in a network namespace
/// of its own), publishing audio and video and subscribing to each other. Per round they join one after another, and
/// for every pair the time from the hub's JoinVoice call to the first presented frame of the other's video is taken
/// (both ways: the newcomer seeing each one already in, and each of them seeing the newcomer). The server process's CPU
/// time (/proc/PID/stat utime+stime) is read over a window with the same N gateway connections idle (the baseline),
/// over the joins, and over a window with everyone in the call; and its I/O next to the media that flows through
/// Janus, which must not pass through the server.
/// </summary>
public static class CallBench
{

    public static async Task<int> RunAsync(string[] args)
    {
        var participants = Value(args, "participants", 4);
        var rounds = Value(args, "rounds", 3);
        var seconds = Value(args, "seconds", 15);
        if (participants < 2 || rounds < 1 || seconds < 1)
        {
            Console.Error.WriteLine("usage: ./kamachat bench calls [--participants N (>= 2)] [--rounds N] [--seconds N]");
            return 2;
        }
        var repo = Directory.GetCurrentDirectory();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"calls bench: {participants} participants (Chromium, fake camera and microphone) in one voice channel through Janus, {rounds} rounds, {seconds} s windows, {Environment.ProcessorCount} cores (participants, Janus and server on the same machine; load average {Machine.LoadAverage()})"));

        await using var lab = await VoiceLab.StartAsync(repo);
        await using var server = await ServerUnderTest.StartAsync(lab.ServerSettings);
        var users = new List<AuthTokens>();
        for (var i = 0; i < participants; i++)
            users.Add(await server.RegisterAsync($"caller{i}_{Guid.NewGuid():N}"[..20]));
        var channelId = await server.SeedChannelAsync(users.Select(u => u.User.Id), ChannelType.Voice);

        var configFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(configFile, JsonSerializer.Serialize(new
        {
            baseUrl = server.BaseAddress.ToString(),
            channelId = channelId.ToString(),
            tokens = users.Select(u => u.AccessToken),
            userIds = users.Select(u => u.User.Id.ToString()),
            frameTimeoutMs = 30_000,
        }));
        await using var pages = await Participants.StartAsync(repo, configFile);
        await pages.AnswerAsync(); // all connected to the gateway
        // A first round of joins, not counted: the server's code paths are compiled and its caches warm before measuring.
        await pages.AskAsync("join");
        await pages.AskAsync("leave");
        Console.WriteLine("warm-up round done (not counted)");

        var pairs = new List<(bool NewcomerViews, double? Ms)>();
        var joinCalls = new List<double>();
        var publishes = new List<double>();
        var baseline = new Usage();
        var joining = new Usage();
        var inCall = new Usage();
        long mediaBytes = 0;
        var undecoded = new List<string>();
        var gathers = new List<(double Ms, bool Complete)>();
        var udpSockets = 0;
        var rejoins = 0;
        for (var round = 1; round <= rounds; round++)
        {
            // Baseline: the same connections, idle in the call's server, nobody in the call.
            await Task.Delay(TimeSpan.FromSeconds(2));
            baseline.Add(await Usage.OverAsync(server.ProcessId, lab.JanusProcessId(), () => Task.Delay(TimeSpan.FromSeconds(seconds))));

            JsonNode joined = null!;
            joining.Add(await Usage.OverAsync(server.ProcessId, lab.JanusProcessId(), async () => joined = await pages.AskAsync("join")));
            foreach (var pair in joined["pairs"]!.AsArray())
                pairs.Add((pair!["newcomerViews"]!.GetValue<bool>(), pair["ms"]?.GetValue<double>()));
            joinCalls.AddRange(joined["joins"]!.AsArray().Select(j => j!["joinMs"]!.GetValue<double>()));
            publishes.AddRange(joined["joins"]!.AsArray().Select(j => j!["publishMs"]!.GetValue<double>()));
            undecoded.AddRange(joined["undecoded"]!.AsArray().Select(u => $"round {round}: {u}"));
            gathers.AddRange(joined["gathers"]!.AsArray().Select(g => (g!["ms"]!.GetValue<double>(), g["complete"]!.GetValue<bool>())));

            // Everyone in the call: heartbeats and lease renewals only, the media flowing through Janus.
            await Task.Delay(TimeSpan.FromSeconds(2));
            var mediaBefore = await pages.AskAsync("media");
            var window = await Usage.OverAsync(server.ProcessId, lab.JanusProcessId(), () => Task.Delay(TimeSpan.FromSeconds(seconds)));
            var mediaAfter = await pages.AskAsync("media");
            inCall.Add(window);
            udpSockets = Math.Max(udpSockets, Usage.UdpSockets(server.ProcessId));
            mediaBytes += Bytes(mediaAfter) - Bytes(mediaBefore);
            rejoins = (await pages.AskAsync("leave"))["rejoins"]!.GetValue<int>();
            var missing = pairs.Count(p => p.Ms is null);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"round {round}: {participants} joined, join-to-first-frame p50 so far {Machine.Percentile(Seen(pairs), 0.5):N0} ms{(missing > 0 ? $", {missing} pairs without a frame so far" : "")}; server CPU {window.ServerCpuMs / window.Seconds / participants:N2} ms/s per participant in the call, {baseline.ServerCpuMs / baseline.Seconds / participants:N2} idle"));
        }
        await pages.AskAsync("quit", expectAnswer: false);

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"== calls: {participants} participants x {rounds} rounds, {pairs.Count} pairs (each participant's video seen by each other one, timed from the later one's JoinVoice call)"));
        Console.WriteLine($"{"join-to-first-frame",-34} {"pairs",6} {"p50 ms",8} {"p95 ms",8} {"max ms",8}");
        void Row(string name, IEnumerable<(bool NewcomerViews, double? Ms)> rows)
        {
            var list = rows.ToList();
            var seen = Seen(list);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-34} {list.Count,6} {Machine.Percentile(seen, 0.5),8:N0} {Machine.Percentile(seen, 0.95),8:N0} {(seen.Count > 0 ? seen[^1] : double.NaN),8:N0}{(list.Count > seen.Count ? $"  ({list.Count - seen.Count} never got a frame in 30 s)" : "")}"));
        }
        Row("all pairs", pairs);
        Row("newcomer sees those already in", pairs.Where(p => p.NewcomerViews));
        Row("those already in see the newcomer", pairs.Where(p => !p.NewcomerViews));
        void Steps(string name, IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-34} {sorted.Count,6} {Machine.Percentile(sorted, 0.5),8:N0} {Machine.Percentile(sorted, 0.95),8:N0} {(sorted.Count > 0 ? sorted[^1] : double.NaN),8:N0}"));
        }
        Steps("JoinVoice call, to its answer", joinCalls);
        Steps("JoinVoice call, to publishing", publishes);
        Steps("ICE gathering before each SDP", gathers.Select(g => g.Ms));
        Console.WriteLine($"  ({gathers.Count(g => !g.Complete)} of {gathers.Count} gatherings stopped at the client's 3 s limit, as the web client's do, and sent the SDP with what they had)");
        Console.WriteLine();
        // The idle server's own timers (leases, the event log tailer, ...) are in every window: "above idle" is what
        // the calls add, per participant.
        var idleRate = baseline.ServerCpuMs / baseline.Seconds;
        Console.WriteLine($"{"server CPU (utime+stime)",-34} {"ms/s",7} {"x idle",7} {"ms/s per participant",21} {"above idle, per participant",28} {"Janus ms/s per participant",27}");
        void Cpu(string name, Usage usage) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{name,-34} {usage.ServerCpuMs / usage.Seconds,7:N1} {usage.ServerCpuMs / usage.Seconds / idleRate,6:N1}x {usage.ServerCpuMs / usage.Seconds / participants,21:N2} {(usage.ServerCpuMs / usage.Seconds - idleRate) / participants,28:N2} {usage.JanusCpuMs / usage.Seconds / participants,27:N1}"));
        Cpu("idle on the gateway (baseline)", baseline);
        Cpu($"in the call (steady, {seconds} s windows)", inCall);
        Cpu("joining (one after another)", joining);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"per join",-34} {(joining.ServerCpuMs - idleRate * joining.Seconds) / (participants * rounds),7:N0} ms server CPU above idle per participant joining ({joining.ServerCpuMs / (participants * rounds):N0} ms in all; {joining.Seconds / rounds:N1} s per round of joins)"));
        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"media stays out of the server: in the call the participants sent and received {mediaBytes / inCall.Seconds / 1024:N0} KiB/s of RTP through Janus; the server's TCP sockets (gateway and Janus API) carried {inCall.ServerTcpBytes / inCall.Seconds / 1024:N1} KiB/s ({baseline.ServerTcpBytes / baseline.Seconds / 1024:N1} KiB/s idle), and it held {udpSockets} UDP sockets"));
        if (rejoins > 0)
            Console.WriteLine($"{rejoins} calls expired (heartbeats late: the machine is starved) and were joined again, as the web client does (warm-up round included)");
        if (undecoded.Count > 0)
            Console.WriteLine($"NOT DECODED (no framesDecoded in the receiver's stats): {string.Join("; ", undecoded)}");
        Console.WriteLine($"load average at the end: {Machine.LoadAverage()} ({Environment.ProcessorCount} cores, shared)");
        File.Delete(configFile);
        return pairs.All(p => p.Ms is not null) && undecoded.Count == 0 ? 0 : 1;
    }

    private static long Bytes(JsonNode media) => media["sent"]!.GetValue<long>() + media["received"]!.GetValue<long>();

    private static List<double> Seen(IEnumerable<(bool NewcomerViews, double? Ms)> pairs) =>
        pairs.Where(p => p.Ms is not null).Select(p => p.Ms!.Value).Order().ToList();

    private static int Value(string[] args, string name, int fallback)
    {
        var index = Array.IndexOf(args, "--" + name);
        return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : fallback;
    }

    /// <summary>CPU time (ms) of the server and Janus, and the server's TCP traffic (bytes), over some stretch of wall time.</summary>
    private sealed class Usage
    {
        public double Seconds { get; private set; }
        public double ServerCpuMs { get; private set; }
        public double JanusCpuMs { get; private set; }
        public long ServerTcpBytes { get; private set; }

        public void Add(Usage other)
        {
            Seconds += other.Seconds;
            ServerCpuMs += other.ServerCpuMs;
            JanusCpuMs += other.JanusCpuMs;
            ServerTcpBytes += other.ServerTcpBytes;
        }

        public static async Task<Usage> OverAsync(int serverPid, int? janusPid, Func<Task> stretch)
        {
            var (server, janus, tcp) = (CpuMs(serverPid), janusPid is { } j ? CpuMs(j) : 0, TcpBytes(serverPid));
            var clock = Stopwatch.StartNew();
            await stretch();
            return new Usage
            {
                Seconds = clock.Elapsed.TotalSeconds,
                ServerCpuMs = CpuMs(serverPid) - server,
                JanusCpuMs = janusPid is { } p ? CpuMs(p) - janus : double.NaN,
                ServerTcpBytes = Carried(tcp, TcpBytes(serverPid)),
            };
        }

        private static double CpuMs(int pid) => ProcessCpu.Of(pid).TotalMilliseconds;

        /// <summary>
        /// Bytes sent and received on the process's established TCP sockets (the kernel's tcp_info, through ss), by
        /// socket (local and peer address): the gateway's WebSockets and the Janus API. /proc/PID/io would not do:
        /// sockets' send and receive calls are not in it.
        /// </summary>
        private static Dictionary<string, long> TcpBytes(int pid)
        {
            var sockets = new Dictionary<string, long>();
            string? mine = null;
            foreach (var line in Ss("-tinpH", "state", "established"))
            {
                if (!char.IsWhiteSpace(line, 0))
                {
                    var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    mine = line.Contains($"pid={pid},", StringComparison.Ordinal) && columns.Length >= 4 ? columns[2] + " " + columns[3] : null;
                }
                else if (mine is not null)
                    foreach (var field in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                        if (field.StartsWith("bytes_sent:", StringComparison.Ordinal) || field.StartsWith("bytes_received:", StringComparison.Ordinal))
                            sockets[mine] = sockets.GetValueOrDefault(mine) + long.Parse(field[(field.IndexOf(':') + 1)..], CultureInfo.InvariantCulture);
            }
            return sockets;
        }

        /// <summary>What the sockets open at the end carried since the start (a socket closed meanwhile is left out).</summary>
        private static long Carried(Dictionary<string, long> before, Dictionary<string, long> after) =>
            after.Sum(socket => socket.Value - before.GetValueOrDefault(socket.Key));

        /// <summary>How many UDP sockets the process holds (media is RTP over UDP: the server should hold none).</summary>
        public static int UdpSockets(int pid) => Ss("-uanpH").Count(l => l.Contains($"pid={pid},", StringComparison.Ordinal));

        private static List<string> Ss(params string[] arguments)
        {
            using var ss = Process.Start(new ProcessStartInfo("ss", arguments) { RedirectStandardOutput = true })!;
            var lines = ss.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
            ss.WaitForExit();
            return lines;
        }
    }

    /// <summary>bench/calls/participants.mjs: the Chromium pages, one command per line, one "@@ json" answer each.</summary>
    private sealed class Participants : IAsyncDisposable
    {
        private readonly Process _process;

        private Participants(Process process) => _process = process;

        public static Task<Participants> StartAsync(string repo, string configFile)
        {
            var start = new ProcessStartInfo("node")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add(Path.Combine(repo, "bench", "calls", "participants.mjs"));
            start.ArgumentList.Add(configFile);
            var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
            process.ErrorDataReceived += (_, e) => { if (e.Data is { } line) Console.Error.WriteLine(line); };
            process.BeginErrorReadLine();
            return Task.FromResult(new Participants(process));
        }

        public async Task<JsonNode> AskAsync(string command, bool expectAnswer = true)
        {
            await _process.StandardInput.WriteLineAsync(command);
            await _process.StandardInput.FlushAsync();
            return expectAnswer ? await AnswerAsync() : new JsonObject();
        }

        public async Task<JsonNode> AnswerAsync()
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            while (await _process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
                if (line.StartsWith("@@ ", StringComparison.Ordinal))
                    return JsonNode.Parse(line[3..]) is JsonObject answer && answer["error"] is null
                        ? answer
                        : throw new InvalidOperationException("The participants answered: " + line);
            throw new InvalidOperationException($"The participants exited ({(_process.HasExited ? _process.ExitCode : -1)}); see the lines above.");
        }

        public async ValueTask DisposeAsync()
        {
            _process.StandardInput.Close();
            using var grace = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _process.WaitForExitAsync(grace.Token);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
            _process.Dispose();
        }
    }

    /// <summary>
    /// tests/support/voice-lab.sh, as the voice tests start it, but as a lab of its own kind (kamachat-callbench on
    /// 10.214.N.0/24), so it never shares a name or an address range with a test's lab running meanwhile.
    /// </summary>
    private sealed class VoiceLab : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly JsonObject _info;

        private VoiceLab(Process process, JsonObject info) => (_process, _info) = (process, info);

        public IReadOnlyDictionary<string, string> ServerSettings => new Dictionary<string, string>
        {
            ["JANUS_URL"] = Text("janusUrl"),
            ["JANUS_API_SECRET"] = Text("janusApiSecret"),
            ["JANUS_ADMIN_KEY"] = Text("janusAdminKey"),
            ["TURN_URLS"] = Text("turnUrl"),
            ["TURN_SECRET"] = Text("turnSecret"),
            ["STUN_URLS"] = Text("stunUrl"),
        };

        private string Text(string name) => _info[name]!.GetValue<string>();

        /// <summary>The lab's Janus process (its CPU is the media's), found among the processes in its namespace.</summary>
        public int? JanusProcessId()
        {
            using var list = Process.Start(new ProcessStartInfo("ip", ["netns", "pids", Text("namespace")]) { RedirectStandardOutput = true })!;
            var pids = list.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            list.WaitForExit();
            foreach (var pid in pids)
                if (File.Exists($"/proc/{pid}/comm") && File.ReadAllText($"/proc/{pid}/comm").Trim() == "janus")
                    return int.Parse(pid, CultureInfo.InvariantCulture);
            return null;
        }

        public static async Task<VoiceLab> StartAsync(string repo)
        {
            var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[]
                     {
                         Path.Combine(repo, "tests", "support", "voice-lab.sh"),
                         "--parent", Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
                         "--prefix", "kamachat-callbench", "--subnet", "10.214",
                     })
                start.ArgumentList.Add(argument);
            var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start tests/support/voice-lab.sh.");
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("READY ", StringComparison.Ordinal))
                {
                    _ = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
                    return new VoiceLab(process, JsonNode.Parse(line["READY ".Length..])!.AsObject());
                }
                if (line.StartsWith("FAILED ", StringComparison.Ordinal))
                    throw new InvalidOperationException($"The voice lab did not start: {line["FAILED ".Length..]}");
            }
            throw new InvalidOperationException($"The voice lab exited without starting: {await errors}");
        }

        public async ValueTask DisposeAsync()
        {
            // SIGTERM: the script kills Janus and coturn and deletes the namespace, then exits (it also does so by
            // itself within a second once this process is gone, however it ended).
            using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            await _process.WaitForExitAsync();
            _process.Dispose();
        }
    }
}

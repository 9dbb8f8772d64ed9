using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using KamaChat.Server.Infrastructure.Janus;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Calls;

/// <summary>What tests/support/voice-lab.sh started: addresses on its veth pair, Janus and coturn with their secrets.</summary>
public sealed record VoiceLabInfo(
    string Namespace,
    string HostAddress,
    string LabAddress,
    string JanusUrl,
    IReadOnlyList<string> JanusUrls,
    string JanusApiSecret,
    string JanusAdminKey,
    string TurnUrl,
    string TurnSecret,
    string TurnRealm,
    string StunUrl,
    string LogDirectory)
{
    public JanusEndpoint Janus => new(new Uri(JanusUrl), JanusApiSecret, JanusAdminKey);

    /// <summary>Every Janus instance of the lab (<see cref="VoiceLab.JanusInstances"/>); the first is <see cref="Janus"/>.</summary>
    public IReadOnlyList<JanusEndpoint> JanusInstances => JanusUrls.Select(url => new JanusEndpoint(new Uri(url), JanusApiSecret, JanusAdminKey)).ToList();

    /// <summary>The app settings that point a KamaChat server at this lab's (first) Janus and coturn.</summary>
    public IEnumerable<KeyValuePair<string, string>> ServerSettings =>
    [
        new("JANUS_URL", JanusUrl),
        new("JANUS_API_SECRET", JanusApiSecret),
        new("JANUS_ADMIN_KEY", JanusAdminKey),
        new("TURN_URLS", TurnUrl),
        new("TURN_SECRET", TurnSecret),
        new("STUN_URLS", StunUrl),
    ];
}

/// <summary>
/// The voice lab for this test run: Janus (VideoRoom) and coturn in a network namespace of their own, reached from
/// the host over a veth pair on a private /24 (tests/support/voice-lab.sh says why and how). It starts on first use
/// and is shared by the run. The script is its own watchdog: it tears the namespace, the veth pair and both servers
/// down when told to (at process exit) or, within a second, when this test process is gone however it ended;
/// a lab left by a script that was itself killed is removed by the next run. Needs root, as CI has.
/// Janus's sessions here time out after 6 s, so the keep-alives are tested for real. It runs two Janus instances (for
/// JanusInstancesTests); the other tests use the first.
/// </summary>
public static class VoiceLab
{
    public const int JanusSessionTimeoutSeconds = 6;

    public const int JanusInstances = 2;

    private static readonly Lazy<Task<VoiceLabInfo>> Started = new(StartAsync);

    public static Task<VoiceLabInfo> StartedAsync() => Started.Value;

    /// <summary>
    /// Stops the lab's Janus (SIGSTOP) until the result is disposed: it then answers nothing, as a Janus that hangs.
    /// Only for tests that run alone (the lab is shared), and for less than <see cref="JanusSessionTimeoutSeconds"/>
    /// after the last request, or Janus drops the sessions of the nodes when it resumes.
    /// </summary>
    public static async Task<IAsyncDisposable> FreezeJanusAsync()
    {
        var lab = await StartedAsync();
        var pids = (await RunAsync("ip", "netns", "pids", lab.Namespace))
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(pid => File.Exists($"/proc/{pid}/comm") && File.ReadAllText($"/proc/{pid}/comm").Trim() == "janus")
            .ToList();
        Assert.NotEmpty(pids);
        await RunAsync("kill", ["-STOP", .. pids]);
        return new Frozen(pids);
    }

    private sealed class Frozen(List<string> pids) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await RunAsync("kill", ["-CONT", .. pids]);
    }

    private static async Task<string> RunAsync(string file, params string[] arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} failed: {errors}");
        return output;
    }

    private static async Task<VoiceLabInfo> StartAsync()
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
                 {
                     Path.Combine(Repository.Root, "tests", "support", "voice-lab.sh"),
                     "--parent", Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
                     "--session-timeout", JanusSessionTimeoutSeconds.ToString(CultureInfo.InvariantCulture),
                     "--janus", JanusInstances.ToString(CultureInfo.InvariantCulture),
                 })
            start.ArgumentList.Add(argument);
        var lab = Process.Start(start) ?? throw new InvalidOperationException("Could not start tests/support/voice-lab.sh.");
        var errors = lab.StandardError.ReadToEndAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                // SIGTERM: the script kills Janus and coturn and deletes the namespace, then exits.
                using var kill = Process.Start("kill", ["-TERM", lab.Id.ToString(CultureInfo.InvariantCulture)]);
                lab.WaitForExit(5000);
            }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception)
            {
                // Already gone; its own watch of this process ends it anyway.
            }
        };

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (await lab.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("READY ", StringComparison.Ordinal))
            {
                _ = lab.StandardOutput.ReadToEndAsync(CancellationToken.None);
                return JsonSerializer.Deserialize<VoiceLabInfo>(line["READY ".Length..], JsonSerializerOptions.Web)!;
            }
            if (line.StartsWith("FAILED ", StringComparison.Ordinal))
                throw new InvalidOperationException($"The voice lab did not start: {line["FAILED ".Length..]}");
        }
        throw new InvalidOperationException($"The voice lab exited without starting: {await errors}");
    }
}

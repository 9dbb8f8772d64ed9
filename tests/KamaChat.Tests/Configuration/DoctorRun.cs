using System.Diagnostics;
using System.Text.RegularExpressions;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Configuration;

/// <summary>One line of doctor's report.</summary>
public sealed record DoctorLine(string Status, string Summary, string? Fix);

/// <summary>What one run of <c>KamaChat.Server doctor</c> printed, by check, and its exit code.</summary>
public sealed record DoctorReport(int ExitCode, string Output, IReadOnlyDictionary<string, DoctorLine> Checks)
{
    public DoctorLine this[string check] =>
        Checks.TryGetValue(check, out var line) ? line : throw new Xunit.Sdk.XunitException($"No '{check}' line in the report:\n{Output}");

    /// <summary>Asserts the check's status, showing the whole report when it differs.</summary>
    public DoctorLine Assert(string check, string status)
    {
        var line = this[check];
        Xunit.Assert.True(line.Status == status, $"Expected {check} to be {status}, got {line.Status}:\n{Output}");
        return line;
    }
}

/// <summary>Runs the real server executable's doctor mode with a given environment, as an operator would.</summary>
public static partial class DoctorRun
{
    /// <summary>What the machine's own environment might set and doctor reads: each test says what it wants instead.</summary>
    private static readonly string[] Cleared =
    [
        "NODE_ENV", "ASPNETCORE_ENVIRONMENT", "DOTNET_ENVIRONMENT", "JWT_SECRET", "NODE_ID", "DATABASE_URL", "DB_HOST", "URLS",
        "ASPNETCORE_URLS", "SMTP_URL", "PUBLIC_URL", "HOST_RABBITMQ", "PORT_RABBITMQ", "USER_RABBITMQ", "PASSWORD_RABBITMQ",
        "REDIS_URL", "KAMACHAT_MIGRATE", "KAMACHAT_DATA_DIR", "JANUS_URL", "JANUS_API_SECRET", "JANUS_ADMIN_KEY",
    ];

    public const string ProductionSecret = "a-production-secret-that-is-certainly-long-enough";

    public static async Task<DoctorReport> RunAsync(Dictionary<string, string> environment)
    {
        var directory = Directory.CreateTempSubdirectory("kamachat-doctor-").FullName;
        try
        {
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = directory,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "KamaChat.Server.dll"));
            start.ArgumentList.Add("doctor");
            foreach (var name in Cleared)
                start.Environment.Remove(name);
            start.Environment["KAMACHAT_DATA_DIR"] = Path.Combine(directory, "data");
            start.Environment["HOST"] = "127.0.0.1";
            start.Environment["PORT"] = ServiceProcess.FreeLoopbackPort().ToString(System.Globalization.CultureInfo.InvariantCulture);
            foreach (var (name, value) in environment)
                start.Environment[name] = value;

            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
            await process.WaitForExitAsync(timeout.Token);
            var text = await output + await error;
            return new DoctorReport(process.ExitCode, text, Parse(await output));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Dictionary<string, DoctorLine> Parse(string output)
    {
        var checks = new Dictionary<string, DoctorLine>();
        string? last = null;
        foreach (var line in output.Split('\n'))
        {
            if (CheckLine().Match(line) is { Success: true } check)
            {
                last = check.Groups["name"].Value;
                checks[last] = new DoctorLine(check.Groups["status"].Value, check.Groups["summary"].Value.Trim(), null);
            }
            else if (FixLine().Match(line) is { Success: true } fix && last is not null)
            {
                checks[last] = checks[last] with { Fix = fix.Groups["fix"].Value.Trim() };
            }
        }
        return checks;
    }

    [GeneratedRegex(@"^  (?<status>ok|warn|fail|skip) +(?<name>[a-z-]+) +(?<summary>.*)$")]
    private static partial Regex CheckLine();

    [GeneratedRegex(@"^ +fix: (?<fix>.*)$")]
    private static partial Regex FixLine();
}

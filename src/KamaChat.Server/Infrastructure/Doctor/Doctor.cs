using System.Globalization;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Doctor;

public enum CheckStatus
{
    Ok,
    Warn,
    Fail,

    /// <summary>Not configured, or not checkable because something it needs failed (that failure is reported itself).</summary>
    Skip,
}

/// <summary>What one check found, and for a problem the command or variable that fixes it.</summary>
public sealed record CheckResult(CheckStatus Status, string Summary, string? Fix = null)
{
    public static CheckResult Ok(string summary) => new(CheckStatus.Ok, summary);

    public static CheckResult Warn(string summary, string? fix = null) => new(CheckStatus.Warn, summary, fix);

    public static CheckResult Fail(string summary, string fix) => new(CheckStatus.Fail, summary, fix);

    public static CheckResult Skip(string summary) => new(CheckStatus.Skip, summary);
}

/// <summary>One thing <c>doctor</c> looks at, using the node's own options as the server would read them.</summary>
internal interface IDoctorCheck
{
    string Name { get; }

    Task<CheckResult> RunAsync(CancellationToken cancellationToken);
}

/// <summary>
/// <c>KamaChat.Server doctor</c> (<c>./kamachat doctor</c>): the server's own composition, built but not started, checks
/// its configuration and every dependency it names, prints one line per check, and exits 1 when something is broken.
/// </summary>
public static class Doctor
{
    /// <summary>
    /// A check that has not answered by then is reported failed, so doctor never hangs. The network checks give up sooner
    /// on their own (5-10 s, with a clearer message); this is for the rest, e.g. building the EF Core model for the migration
    /// check, which is local CPU work that takes seconds on a busy machine.
    /// </summary>
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(60);

    public static bool IsRequested(string[] args) => args is ["doctor", ..];

    /// <summary>The checks, and no log output: the report is the output.</summary>
    public static IHostApplicationBuilder AddDoctor(this IHostApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        var services = builder.Services;
        // Registration order is report order.
        services.AddSingleton<IDoctorCheck, ConfigurationCheck>();
        services.AddSingleton<IDoctorCheck, DatabaseCheck>();
        services.AddSingleton<IDoctorCheck, MigrationsCheck>();
        services.AddSingleton<IDoctorCheck, TextFoldingCheck>();
        services.AddSingleton<IDoctorCheck, ClockCheck>();
        services.AddSingleton<IDoctorCheck, RedisCheck>();
        services.AddSingleton<IDoctorCheck, RabbitMqCheck>();
        services.AddSingleton<IDoctorCheck, SmtpCheck>();
        services.AddSingleton<IDoctorCheck, JanusCheck>();
        services.AddSingleton<IDoctorCheck, StorageCheck>();
        services.AddSingleton<IDoctorCheck, DiskSpaceCheck>();
        services.AddSingleton<IDoctorCheck, ListenPortCheck>();
        services.AddSingleton<IDoctorCheck, PublicUrlCheck>();
        return builder;
    }

    /// <summary>Runs every check at once and prints them in order; returns the process exit code (1 when any failed).</summary>
    public static async Task<int> RunAsync(IServiceProvider services, TextWriter output)
    {
        var checks = services.GetServices<IDoctorCheck>().ToList();
        var results = await Task.WhenAll(checks.Select(check => Task.Run(() => RunOneAsync(check))));
        var width = checks.Max(c => c.Name.Length);
        await output.WriteLineAsync($"KamaChat doctor ({services.GetRequiredService<IHostEnvironment>().EnvironmentName})");
        foreach (var (check, result) in checks.Zip(results))
        {
            await output.WriteLineAsync($"  {Label(result.Status),-4}  {check.Name.PadRight(width)}  {result.Summary}");
            if (result.Fix is not null)
                await output.WriteLineAsync($"  {"",-4}  {"".PadRight(width)}  fix: {result.Fix}");
        }
        var failed = results.Count(r => r.Status == CheckStatus.Fail);
        var warned = results.Count(r => r.Status == CheckStatus.Warn);
        await output.WriteLineAsync(failed > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{failed} failed, {warned} warned: KamaChat will not work as configured until the failures are fixed.")
            : string.Create(CultureInfo.InvariantCulture, $"No failures, {warned} warned."));
        return failed > 0 ? 1 : 0;
    }

    private static string Label(CheckStatus status) => status.ToString().ToLowerInvariant();

    private static async Task<CheckResult> RunOneAsync(IDoctorCheck check)
    {
        using var timeout = new CancellationTokenSource(CheckTimeout);
        try
        {
            return await check.RunAsync(timeout.Token).WaitAsync(timeout.Token);
        }
        catch (OptionsValidationException)
        {
            return CheckResult.Skip("not checked: its settings are invalid (see configuration)");
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return CheckResult.Fail($"no answer within {CheckTimeout.TotalSeconds:0} s", "check that the host named in its settings is reachable from this machine");
        }
        catch (Exception e)
        {
            // A report with one odd line beats a stack trace instead of the report.
            return CheckResult.Fail($"the check could not run ({e.GetType().Name}: {Brief(e)})", "check the settings this check reads");
        }
    }

    /// <summary>The first line of an exception's message: enough to tell refused from timed out from denied.</summary>
    internal static string Brief(Exception exception)
    {
        var message = exception.Message.Split('\n', 2)[0].Trim();
        return message.Length <= 200 ? message : message[..200] + "…";
    }
}

using System.Globalization;
using KamaChat.Server.Infrastructure.Configuration;

namespace KamaChat.Server.Infrastructure.Jobs;

/// <summary>Where jobs go (in-process or RabbitMQ) and how failures are retried.</summary>
public sealed class JobOptions : ISettingErrors
{
    /// <summary>Set from HOST_RABBITMQ; null means the in-process queue.</summary>
    public string? RabbitMqHost { get; set; }

    public int RabbitMqPort { get; set; } = 5672;

    public string RabbitMqUser { get; set; } = "guest";

    public string RabbitMqPassword { get; set; } = "guest";

    /// <summary>The main queue; its retry and dead-letter queues are named after it.</summary>
    public string QueueName { get; set; } = "kamachat.jobs";

    /// <summary>Whether this node consumes jobs (KAMACHAT_ROLES without "worker" turns it off, e.g. on API-only nodes).</summary>
    public bool RunWorker { get; set; } = true;

    /// <summary>How many jobs one node runs at the same time.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>Wait before each retry; a job runs once plus once per entry, then goes to the dead-letter queue.</summary>
    public IReadOnlyList<TimeSpan> RetryDelays { get; set; } =
        [TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10)];

    public List<string> Errors { get; } = [];

    /// <summary>The longest wait before a retry: one day.</summary>
    public const int MaxRetryDelaySeconds = 86_400;

    public bool UsesRabbitMq => !string.IsNullOrEmpty(RabbitMqHost);

    public int MaxAttempts => RetryDelays.Count + 1;

    public static void Bind(JobOptions options, IConfiguration configuration)
    {
        options.RabbitMqHost = configuration["HOST_RABBITMQ"] is { Length: > 0 } host ? host : null;
        if (configuration["PORT_RABBITMQ"] is { Length: > 0 } portText)
        {
            if (int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536)
                options.RabbitMqPort = port;
            else
                options.Errors.Add($"PORT_RABBITMQ must be a port number (got '{portText}').");
        }
        if (configuration["USER_RABBITMQ"] is { Length: > 0 } user)
            options.RabbitMqUser = user;
        if (configuration["PASSWORD_RABBITMQ"] is { Length: > 0 } password)
            options.RabbitMqPassword = password;
        if (configuration["KAMACHAT_JOB_QUEUE"] is { Length: > 0 } queue)
            options.QueueName = queue;
        if (configuration["KAMACHAT_ROLES"] is { Length: > 0 } roles)
            options.RunWorker = roles.Split(',', StringSplitOptions.TrimEntries).Contains("worker", StringComparer.OrdinalIgnoreCase);
        options.Concurrency = WholeNumberSetting.Read(configuration, "KAMACHAT_JOB_CONCURRENCY", options.Concurrency, 1, 256, options.Errors);
        // Seconds, comma-separated: "5,30,120,600". Digits and a decimal point only: NumberStyles.Float would also take
        // "Infinity" and "1e300", which TimeSpan.FromSeconds throws on while the host is being built (a stack trace, not
        // a line naming the setting); a day at most keeps a retry within a RabbitMQ message TTL and within sight. Empty
        // is unset, as with every other setting (an empty line in an env file must not turn retries off); commas alone
        // name no delay, and no retries at all would send a job's first failure (a mail server's brief outage) to the
        // dead-letter queue, so that is refused rather than taken.
        if (configuration["KAMACHAT_JOB_RETRY_DELAYS"] is { Length: > 0 } delays)
        {
            var parsed = new List<TimeSpan>();
            foreach (var part in delays.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                if (!double.TryParse(part, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) || seconds is not (> 0 and <= MaxRetryDelaySeconds))
                {
                    parsed.Clear();
                    break;
                }
                parsed.Add(TimeSpan.FromSeconds(seconds));
            }
            if (parsed.Count > 0)
                options.RetryDelays = parsed;
            else
                options.Errors.Add(string.Create(CultureInfo.InvariantCulture,
                    $"KAMACHAT_JOB_RETRY_DELAYS must be seconds above 0 and at most {MaxRetryDelaySeconds}, separated by commas (got '{delays}')."));
        }
    }
}

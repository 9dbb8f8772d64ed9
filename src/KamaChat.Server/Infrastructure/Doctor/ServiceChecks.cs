using System.Net;
using System.Net.Sockets;
using System.Text;
using KamaChat.Server.Features.Gateway;
using KamaChat.Server.Infrastructure.Email;
using KamaChat.Server.Infrastructure.Jobs;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using RabbitMQ.Client.Exceptions;
using StackExchange.Redis;

namespace KamaChat.Server.Infrastructure.Doctor;

/// <summary>Redis (REDIS_URL) connects and answers PING.</summary>
internal sealed class RedisCheck(IConfiguration configuration) : IDoctorCheck
{
    public string Name => "redis";

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var url = configuration["REDIS_URL"];
        if (string.IsNullOrWhiteSpace(url))
            return CheckResult.Skip("not configured: presence, gateway fan-out and rate limits stay on this node (REDIS_URL shares them between nodes)");
        ConfigurationOptions options;
        try
        {
            options = RedisConfiguration.Parse(url);
        }
        catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
        {
            return CheckResult.Fail($"REDIS_URL cannot be read ({Doctor.Brief(e)})", "set REDIS_URL to redis://[:password@]host:6379[/db]");
        }
        // Fail at once instead of retrying in the background as a node does.
        options.AbortOnConnectFail = true;
        options.ConnectRetry = 0;
        options.ConnectTimeout = 5000;
        var at = string.Join(", ", options.EndPoints.Select(Describe));
        try
        {
            await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
            var latency = await redis.GetDatabase().PingAsync();
            return CheckResult.Ok($"Redis at {at} answers PING in {latency.TotalMilliseconds:0.#} ms");
        }
        catch (RedisConnectionException e) when (e.FailureType == ConnectionFailureType.AuthenticationFailure)
        {
            return CheckResult.Fail($"Redis at {at} refused the password ({Doctor.Brief(e)})", "correct the password in REDIS_URL (redis://:password@host:6379)");
        }
        catch (RedisException e)
        {
            // The client's own message is a paragraph of advice meant for code; its failure type says what happened.
            var reason = e is RedisConnectionException connection ? connection.FailureType.ToString() : Doctor.Brief(e);
            return CheckResult.Fail($"cannot reach Redis at {at} ({reason})",
                $"start redis-server or correct REDIS_URL; test with: redis-cli -h {Host(options)} -p {Port(options)} ping");
        }
    }

    private static string Describe(EndPoint endpoint) => endpoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        _ => endpoint.ToString() ?? "?",
    };

    private static string Host(ConfigurationOptions options) => options.EndPoints.FirstOrDefault() switch
    {
        DnsEndPoint dns => dns.Host,
        IPEndPoint ip => ip.Address.ToString(),
        _ => "HOST",
    };

    private static string Port(ConfigurationOptions options) => options.EndPoints.FirstOrDefault() switch
    {
        DnsEndPoint dns => dns.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        IPEndPoint ip => ip.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        _ => "6379",
    };
}

/// <summary>RabbitMQ (HOST_RABBITMQ and friends) accepts a connection with the configured user.</summary>
internal sealed class RabbitMqCheck(IOptions<JobOptions> jobs) : IDoctorCheck
{
    public string Name => "rabbitmq";

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var options = jobs.Value;
        if (!options.UsesRabbitMq)
            return CheckResult.Skip("not configured: jobs run inside this process (HOST_RABBITMQ moves them to RabbitMQ)");
        var factory = RabbitMqTopology.ConnectionFactory(options, "kamachat-doctor");
        factory.AutomaticRecoveryEnabled = false;
        factory.RequestedConnectionTimeout = TimeSpan.FromSeconds(5);
        var at = $"{options.RabbitMqHost}:{options.RabbitMqPort}";
        try
        {
            await using var connection = await factory.CreateConnectionAsync(cancellationToken);
            var version = connection.ServerProperties?.TryGetValue("version", out var value) == true && value is byte[] bytes
                ? Encoding.UTF8.GetString(bytes)
                : "(version unknown)";
            return CheckResult.Ok($"RabbitMQ {version} at {at} accepts user '{options.RabbitMqUser}'");
        }
        catch (BrokerUnreachableException e) when (e.InnerException is AuthenticationFailureException)
        {
            return CheckResult.Fail($"RabbitMQ at {at} refused user '{options.RabbitMqUser}'",
                "set USER_RABBITMQ and PASSWORD_RABBITMQ to a user of the broker (rabbitmqctl add_user NAME PASSWORD; rabbitmqctl set_permissions NAME '.*' '.*' '.*')");
        }
        catch (BrokerUnreachableException e)
        {
            return CheckResult.Fail($"cannot reach RabbitMQ at {at} ({Doctor.Brief(e.InnerException ?? e)})",
                "start the broker (sudo systemctl start rabbitmq-server) or correct HOST_RABBITMQ and PORT_RABBITMQ");
        }
    }
}

/// <summary>The SMTP server (SMTP_URL) greets, answers EHLO and, when a user is given, accepts the login. No mail is sent.</summary>
internal sealed class SmtpCheck(IOptions<EmailOptions> email) : IDoctorCheck
{
    public string Name => "smtp";

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var options = email.Value;
        if (!options.UsesSmtp)
            return CheckResult.Skip($"not configured: mail is written to {Path.GetFullPath(options.MailDirectory)} as .eml files (SMTP_URL sends it)");
        var at = $"{options.SmtpHost}:{options.SmtpPort}";
        using var client = new SmtpClient { Timeout = 5000 };
        try
        {
            // Connecting reads the greeting and sends EHLO (and STARTTLS when offered).
            await client.ConnectAsync(options.SmtpHost!, options.SmtpPort, options.SmtpSecurity, cancellationToken);
            var secure = client.IsSecure ? "TLS" : "no TLS";
            if (options.SmtpUser is not null)
                await client.AuthenticateAsync(options.SmtpUser, options.SmtpPassword ?? "", cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
            var login = options.SmtpUser is null ? "" : $", login as '{options.SmtpUser}' accepted";
            return CheckResult.Ok($"SMTP at {at} answers EHLO ({secure}{login}); no mail was sent");
        }
        catch (AuthenticationException e)
        {
            return CheckResult.Fail($"SMTP at {at} refused the login ({Doctor.Brief(e)})", "correct the user and password in SMTP_URL (smtp://user:password@host:587)");
        }
        catch (Exception e) when (e is SocketException or IOException or MailKit.ProtocolException or CommandException or SslHandshakeException or NotSupportedException)
        {
            return CheckResult.Fail($"cannot reach SMTP at {at} ({Doctor.Brief(e)})",
                "start the mail server or correct SMTP_URL (smtp://host:587 with STARTTLS, smtps://host:465 with TLS)");
        }
    }
}

/// <summary>
/// Each Janus JANUS_URL lists, by name: it answers, accepts JANUS_API_SECRET and has the VideoRoom plugin. Nothing is
/// made there but a session that is destroyed at once.
/// </summary>
internal sealed class JanusCheck(IOptions<Janus.JanusOptions> janus) : IDoctorCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public string Name => "janus";

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var options = janus.Value;
        if (options.Urls.Count == 0)
            return CheckResult.Skip(options.StartLocal
                ? "not configured: the server runs a local Janus when the janus binary is installed, else calls run peer to peer (JANUS_URL names external ones)"
                : "not configured: calls run peer to peer (JANUS_URL names external Janus instances)");
        using var http = new HttpClient { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        var results = await Task.WhenAll(options.Urls.Select(url => CheckAsync(http, new Janus.JanusEndpoint(url, options.ApiSecret, options.AdminKey), cancellationToken)));
        var failed = results.Where(r => !r.Ok).Select(r => r.Text).ToList();
        var all = options.Urls.Count == 1 ? "Janus" : $"{options.Urls.Count} Janus instances";
        return failed.Count == 0
            ? CheckResult.Ok($"{all}: {string.Join("; ", results.Select(r => r.Text))}")
            : CheckResult.Fail($"{string.Join("; ", results.Select(r => r.Text))} ({failed.Count} of {options.Urls.Count} failing: voice channels and group calls placed there fail)",
                "start Janus there or correct JANUS_URL (the same comma-separated list on every node) and JANUS_API_SECRET");
    }

    private static async Task<(bool Ok, string Text)> CheckAsync(HttpClient http, Janus.JanusEndpoint endpoint, CancellationToken cancellationToken)
    {
        var at = endpoint.ApiUrl.AbsoluteUri.TrimEnd('/');
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            var info = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.Nodes.JsonObject>(http, at + "/info", timeout.Token);
            var version = info?["version_string"]?.GetValue<string>() ?? "version unknown";
            await using var session = await Janus.JanusSession.CreateAsync(http, endpoint, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, timeout.Token);
            await using var handle = await session.AttachAsync(Janus.JanusConnection.VideoRoomPlugin, timeout.Token);
            return (true, $"{at} answers (Janus {version}, VideoRoom plugin)");
        }
        catch (Janus.JanusException e) when (e.Code == Janus.JanusException.Unauthorized)
        {
            return (false, $"{at} refused JANUS_API_SECRET");
        }
        catch (Janus.JanusException e)
        {
            return (false, $"{at} answered {Doctor.Brief(e)}");
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or System.Text.Json.JsonException or InvalidOperationException)
        {
            return (false, $"{at} does not answer ({(e is OperationCanceledException ? $"no answer within {Timeout.TotalSeconds:0} s" : Doctor.Brief(e))})");
        }
    }
}

using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using RabbitMQ.Client;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// A throwaway RabbitMQ node from Debian's rabbitmq-server, started in a temp directory on free loopback ports
/// (AMQP and Erlang distribution), shared by the whole test run and killed when the process exits. Tests keep
/// apart by using their own queue names. KAMACHAT_TEST_RABBITMQ=host:port points the tests at a broker of your own
/// (guest/guest).
/// </summary>
public static class RabbitMqServer
{
    private static readonly Lazy<Task<(string Host, int Port)>> Started = new(StartAsync);
    private static readonly string[] ServerPaths = ["/usr/lib/rabbitmq/bin/rabbitmq-server", "/usr/sbin/rabbitmq-server"];

    public static Task<(string Host, int Port)> EndpointAsync() => Started.Value;

    public static async Task<IConnection> ConnectAsync()
    {
        var (host, port) = await EndpointAsync();
        return await new ConnectionFactory { HostName = host, Port = port, UserName = "guest", Password = "guest" }.CreateConnectionAsync();
    }

    private static async Task<(string, int)> StartAsync()
    {
        if (Environment.GetEnvironmentVariable("KAMACHAT_TEST_RABBITMQ") is { Length: > 0 } external)
        {
            var parts = external.Split(':');
            return (parts[0], parts.Length > 1 ? int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 5672);
        }
        var broker = await StartOwnAsync();
        return ("127.0.0.1", broker.Port);
    }

    /// <summary>A broker of the caller's own, for a test that stops and restarts it (its queues and messages survive).</summary>
    public static async Task<RabbitMqInstance> StartOwnAsync()
    {
        // The Debian wrapper in /usr/sbin switches to the 'rabbitmq' user, which cannot write our temp directory.
        var server = ServerPaths.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("rabbitmq-server was not found. Install Debian's 'rabbitmq-server' package, or set KAMACHAT_TEST_RABBITMQ.");
        var root = Directory.CreateTempSubdirectory("kamachat-rabbitmq-").FullName;
        File.WriteAllText(Path.Combine(root, "rabbitmq.conf"), "loopback_users = none\n");
        // No plugins: the management plugin would open another port and slow start-up.
        File.WriteAllText(Path.Combine(root, "enabled_plugins"), "[].\n");
        var broker = new RabbitMqInstance(server, root, FreeLoopbackPort(), FreeLoopbackPort(), FreeLoopbackPort());
        await broker.StartAsync();
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                broker.WaitForExit(TimeSpan.FromSeconds(3));
                Directory.Delete(root, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: the temp directory is all that is left behind.
            }
        };
        return broker;
    }

    internal static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// One rabbitmq-server over a directory made by <see cref="RabbitMqServer.StartOwnAsync"/>, on loopback ports of its
/// own (AMQP, Erlang distribution, a private Erlang port mapper). Stopping ends it at once; starting it again brings
/// back its durable queues and persistent messages on the same port.
/// </summary>
public sealed class RabbitMqInstance(string server, string root, int port, int distPort, int epmdPort)
{
    private Process? _process;
    private readonly System.Text.StringBuilder _output = new();

    public int Port => port;

    public async Task StartAsync()
    {
        var start = new ProcessStartInfo(server)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        var env = start.Environment;
        env["HOME"] = root; // the Erlang cookie lives in $HOME/.erlang.cookie
        env["RABBITMQ_NODENAME"] = $"kamachat-test-{port}@localhost";
        env["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
        env["RABBITMQ_NODE_PORT"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["RABBITMQ_DIST_PORT"] = distPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}";
        env["ERL_EPMD_ADDRESS"] = "127.0.0.1";
        env["ERL_EPMD_PORT"] = epmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        env["KAMACHAT_TEST_EPMD_PORT"] = env["ERL_EPMD_PORT"];
        env["RABBITMQ_MNESIA_BASE"] = Path.Combine(root, "mnesia");
        env["RABBITMQ_LOG_BASE"] = Path.Combine(root, "log");
        env["RABBITMQ_CONFIG_FILE"] = Path.Combine(root, "rabbitmq.conf");
        env["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(root, "advanced.config");
        env["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(root, "rabbitmq-env.conf");
        env["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(root, "enabled_plugins");
        env["RABBITMQ_PLUGINS_EXPAND_DIR"] = Path.Combine(root, "plugins-expand");
        env["RABBITMQ_FEATURE_FLAGS_FILE"] = Path.Combine(root, "feature_flags");
        env["RABBITMQ_PID_FILE"] = Path.Combine(root, "rabbitmq.pid");

        var process = TiedProcess.Start(start);
        process.OutputDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (_output) _output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;

        // Start-up takes 5-15 s; ready means an AMQP connection succeeds.
        var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = port, UserName = "guest", Password = "guest" };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException($"rabbitmq-server exited ({process.ExitCode}): {_output}");
            try
            {
                await using var connection = await factory.CreateConnectionAsync();
                return;
            }
            catch (RabbitMQ.Client.Exceptions.BrokerUnreachableException) when (deadline.Elapsed < TimeSpan.FromSeconds(90))
            {
                await Task.Delay(500);
            }
        }
    }

    /// <summary>Stops the broker (its watchdog ends the process group and the private port mapper) and waits until it is gone.</summary>
    public async Task StopAsync()
    {
        if (_process is { } process)
            await TiedProcess.StopAsync(process);
        _process = null;
    }

    internal void WaitForExit(TimeSpan timeout) => _process?.WaitForExit(timeout);
}

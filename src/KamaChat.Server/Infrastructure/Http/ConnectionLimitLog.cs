using System.Diagnostics.Metrics;
using System.Globalization;
using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Http;

/// <summary>
/// Tells the operator what the connection limits are and when clients meet them: the limits once at start-up, and the
/// refused connections, WebSockets and plain ones apart, at most once a minute each with how many since the last line.
/// </summary>
public sealed partial class ConnectionLimitLog : IHostedService, IDisposable
{
    /// <summary>Kestrel's category for connection events; its only event above Information is ConnectionRejected (24).</summary>
    public const string KestrelConnectionsCategory = "Microsoft.AspNetCore.Server.Kestrel.Connections";

    // Kestrel counts each plain connection its MaxConcurrentConnections refuses here (ConnectionLimitMiddleware), before
    // any connection middleware of ours would see it.
    private const string KestrelMeter = "Microsoft.AspNetCore.Server.Kestrel";
    private const string RejectedConnections = "kestrel.rejected_connections";

    private readonly IOptions<ConnectionLimitOptions> _limits;
    private readonly IMeterFactory _meters;
    private readonly ILogger<ConnectionLimitLog> _logger;
    private readonly RefusalLog _upgrades;
    private readonly RefusalLog _connections;
    private MeterListener? _listener;

    public ConnectionLimitLog(IOptions<ConnectionLimitOptions> limits, IMeterFactory meters, TimeProvider time, ILogger<ConnectionLimitLog> logger)
    {
        _limits = limits;
        _meters = meters;
        _logger = logger;
        _upgrades = new RefusalLog(time, LogUpgradesRefused);
        _connections = new RefusalLog(time, LogConnectionsRefused);
    }

    /// <summary>
    /// Kestrel logs a warning for every plain connection it refuses, so a flood past the limit floods the log. Logging
    /// filters go by category and level, not event id: the category goes up to Error (its other events are Debug and
    /// Information, below the Warning that "Microsoft.AspNetCore" already has) and this class logs the count instead.
    /// An operator who sets the category's level (Logging__LogLevel__Microsoft.AspNetCore.Server.Kestrel.Connections)
    /// gets Kestrel's own lines back.
    /// </summary>
    public static void SilenceKestrelRefusals(IHostApplicationBuilder builder) =>
        builder.DefaultLogLevel(KestrelConnectionsCategory, LogLevel.Error);

    public void UpgradeRefused() => _upgrades.Refused();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        LogLimits(_limits.Value);
        _listener = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                // This host's Kestrel only: the meter factory is the host's own.
                if (instrument.Meter.Scope == _meters && instrument.Meter.Name == KestrelMeter && instrument.Name == RejectedConnections)
                    listener.EnableMeasurementEvents(instrument);
            },
        };
        _listener.SetMeasurementEventCallback<long>((_, count, _, _) => _connections.Refused(count));
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        // Refusals the minute had not yet let out are told before the node goes.
        _upgrades.Flush();
        _connections.Flush();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        _listener?.Dispose();
        _listener = null;
        _upgrades.Dispose();
        _connections.Dispose();
    }

    private void LogLimits(ConnectionLimitOptions limits)
    {
        var upgraded = Describe(limits.UpgradedConnections, limits.UpgradedConnectionsFromOperator, ConnectionLimitOptions.UpgradedConnectionsVariable);
        var connections = Describe(limits.Connections, limits.ConnectionsFromOperator, ConnectionLimitOptions.ConnectionsVariable);
        if (limits.OpenFileLimit is { } openFiles)
            LogLimitsFromFiles(upgraded, connections, openFiles, limits.Reserve);
        else
            LogLimitsWithoutFiles(upgraded, connections);
    }

    private static string Describe(long? limit, bool fromOperator, string variable) =>
        (limit?.ToString(CultureInfo.InvariantCulture) ?? "unbounded") + (fromOperator ? $" (set by {variable})" : " (computed)");

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Connection limits: WebSockets {UpgradedConnections}, plain HTTP connections {Connections}; open-file limit {OpenFileLimit} (/proc/self/limits), {Reserve} of it kept back for the node's own files")]
    private partial void LogLimitsFromFiles(string upgradedConnections, string connections, long openFileLimit, long reserve);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Connection limits: WebSockets {UpgradedConnections}, plain HTTP connections {Connections}; no open-file limit in /proc/self/limits (unlimited, or not Linux), so none was assumed")]
    private partial void LogLimitsWithoutFiles(string upgradedConnections, string connections);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Refused {Count} WebSocket connections: the node holds its maximum of upgraded connections (Kestrel__Limits__MaxConcurrentUpgradedConnections)")]
    private partial void LogUpgradesRefused(long count);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Refused {Count} plain HTTP connections: the node holds its maximum of connections (Kestrel__Limits__MaxConcurrentConnections)")]
    private partial void LogConnectionsRefused(long count);
}

/// <summary>
/// Counts refusals of one kind and reports them at most once a minute, with how many since the last report: a full node
/// refuses many clients at once. The first after a quiet minute is reported at once; those within the minute when it is up.
/// </summary>
public sealed class RefusalLog(TimeProvider time, Action<long> report) : IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private long _unreported;
    private DateTimeOffset _nextReport = DateTimeOffset.MinValue;
    private ITimer? _timer;

    public void Refused(long count = 1)
    {
        lock (_lock)
        {
            _unreported += count;
            var now = time.GetUtcNow();
            if (now < _nextReport)
            {
                _timer ??= time.CreateTimer(_ => Flush(), null, _nextReport - now, Timeout.InfiniteTimeSpan);
                return;
            }
            count = Take(now);
        }
        report(count);
    }

    /// <summary>Reports what is counted and not yet reported, if anything.</summary>
    public void Flush()
    {
        long count;
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
            if (_unreported == 0)
                return;
            count = Take(time.GetUtcNow());
        }
        report(count);
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private long Take(DateTimeOffset now)
    {
        _nextReport = now + Interval;
        var count = _unreported;
        _unreported = 0;
        return count;
    }
}

using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Http;

/// <summary>
/// Keeps Kestrel's connections below the process's open-file limit. Every client socket is a file descriptor, and
/// Kestrel accepts without bound by default: once clients hold them all, the node's next file (a log line, a database
/// connection, the runtime's own) fails with EMFILE, and the process died of it (an internal CLR error, or "Out of
/// memory") instead of refusing the extra clients. Bounded here, a client beyond the budget is refused (a plain
/// connection closed at once by Kestrel, a WebSocket answered 503 with Retry-After) and everyone else is served on.
/// </summary>
public static class ConnectionLimits
{
    public const string ConnectionsKey = "Kestrel:Limits:MaxConcurrentConnections";
    public const string UpgradedConnectionsKey = "Kestrel:Limits:MaxConcurrentUpgradedConnections";

    /// <summary>How long a refused WebSocket client is asked to wait: long enough for others to leave.</summary>
    public const int RetryAfterSeconds = 10;

    /// <summary>What the node itself holds open beside its clients, at least.</summary>
    /// <remarks>
    /// An idle node on SQLite has ~390 descriptors open (the runtime keeps about two per loaded assembly); PostgreSQL's
    /// pool (100 by default), Redis, RabbitMQ, uploads in flight and log files come on top.
    /// </remarks>
    public const int MinimumReserve = 1024;

    /// <summary>What of <paramref name="openFileLimit"/> is kept back from the clients for the node's own files.</summary>
    /// <remarks>
    /// A tenth of a large limit, never under MinimumReserve, never over half (a node under a small limit still gets half
    /// for clients rather than nothing).
    /// </remarks>
    public static long Reserve(long openFileLimit) => Math.Min(Math.Max(MinimumReserve, openFileLimit / 10), openFileLimit / 2);

    /// <summary>Plain HTTP connections (requests, negotiate, SSE and long polling) and WebSockets within <paramref name="openFileLimit"/>.</summary>
    public static (int Connections, int UpgradedConnections) Budget(long openFileLimit)
    {
        var clients = (int)Math.Min(openFileLimit - Reserve(openFileLimit), int.MaxValue);
        // An upgraded connection leaves the plain count for the upgraded one, so the two add up to what is held. A chat
        // node's clients mostly hold a WebSocket: three quarters for those.
        var connections = Math.Max(1, clients / 4);
        return (connections, Math.Max(1, clients - connections));
    }

    /// <summary>The soft "Max open files" of <c>/proc/self/limits</c>; null where there is none or it is unlimited.</summary>
    /// <remarks>
    /// Read after start-up, it is the hard limit: the .NET runtime raises its soft limit to the hard one as it starts
    /// (a node under <c>ulimit -Sn 1000</c> with a hard limit of 20,000 reads 20,000 here).
    /// </remarks>
    public static long? OpenFileLimit(string limitsFile = "/proc/self/limits")
    {
        if (!File.Exists(limitsFile))
            return null;
        foreach (var line in File.ReadLines(limitsFile))
        {
            if (!line.StartsWith("Max open files", StringComparison.Ordinal))
                continue;
            var fields = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 0 && long.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var soft) ? soft : null;
        }
        return null;
    }

    public static IHostApplicationBuilder AddConnectionLimits(this IHostApplicationBuilder builder)
    {
        var openFileLimit = OpenFileLimit();
        builder.Services.AddOptions<ConnectionLimitOptions>()
            .Configure<IConfiguration>((o, c) => ConnectionLimitOptions.Bind(o, c, openFileLimit))
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<ConnectionLimitOptions>, ConnectionLimitOptionsValidator>();
        // Kestrel reads its endpoints and certificates from its section but not its limits (a Kestrel__Limits__
        // variable alone changed nothing), so they are set here, from the operator's values or the budget. Bound again,
        // unvalidated: Kestrel's options are read as the app is built, before start-up validation explains a bad value.
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IConfiguration>((kestrel, configuration) =>
        {
            var limits = new ConnectionLimitOptions();
            ConnectionLimitOptions.Bind(limits, configuration, openFileLimit);
            kestrel.Limits.MaxConcurrentConnections = limits.Connections;
            kestrel.Limits.MaxConcurrentUpgradedConnections = limits.UpgradedConnections;
        });
        ConnectionLimitLog.SilenceKestrelRefusals(builder);
        builder.Services.AddSingleton<ConnectionLimitLog>();
        builder.Services.AddHostedService(services => services.GetRequiredService<ConnectionLimitLog>());
        return builder;
    }

    /// <summary>
    /// Answers a WebSocket that Kestrel refused for its upgraded-connection limit with 503 and Retry-After. Kestrel only
    /// throws from the upgrade, and SignalR's dispatcher does not pass that on: without this the client got a bodyless
    /// 200 where it expected 101.
    /// </summary>
    public static WebApplication UseConnectionLimits(this WebApplication app)
    {
        var log = app.Services.GetRequiredService<ConnectionLimitLog>();
        app.Use(async (context, next) =>
        {
            if (context.Features.Get<IHttpUpgradeFeature>() is not { IsUpgradableRequest: true } upgrade)
            {
                await next(context);
                return;
            }
            var refusable = new RefusableUpgrade(upgrade);
            context.Features.Set<IHttpUpgradeFeature>(refusable);
            try
            {
                await next(context);
            }
            catch (InvalidOperationException) when (refusable.Refused && !context.Response.HasStarted)
            {
                // Answered below.
            }
            if (refusable.Refused && !context.Response.HasStarted)
            {
                log.UpgradeRefused();
                context.Response.Clear();
                context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await Problems.Of(StatusCodes.Status503ServiceUnavailable, "connection_limit",
                    "This server holds as many connections as it can. Try again shortly.",
                    new Dictionary<string, object?> { ["retryAfterSeconds"] = RetryAfterSeconds }).ExecuteAsync(context);
            }
        });
        return app;
    }

    /// <summary>Notes when Kestrel refuses the upgrade.</summary>
    private sealed class RefusableUpgrade(IHttpUpgradeFeature inner) : IHttpUpgradeFeature
    {
        public bool Refused { get; private set; }

        public bool IsUpgradableRequest => inner.IsUpgradableRequest;

        public async Task<Stream> UpgradeAsync()
        {
            try
            {
                return await inner.UpgradeAsync();
            }
            catch (InvalidOperationException)
            {
                // Kestrel's UpgradeAsync throws this for a request that cannot be upgraded, for a second upgrade, and
                // when MaxConcurrentUpgradedConnections are open; this wrapper is set only on upgradable requests and
                // WebSocketMiddleware upgrades once, so here it is the limit.
                Refused = true;
                throw;
            }
        }
    }
}

using KamaChat.Server.Features.Gateway;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Jobs;
using Microsoft.Extensions.Options;
using Npgsql;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace KamaChat.Server.Infrastructure.Telemetry;

/// <summary>
/// Metrics, traces and logs through OpenTelemetry. Metrics are always collected and served at <c>/metrics</c> in
/// Prometheus's text format (to allowed scrapers only); with <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, metrics, traces
/// and logs also go to that collector (the exporter reads the standard <c>OTEL_*</c> variables itself).
/// </summary>
public static class TelemetryExtensions
{
    /// <summary>The framework's own meters we export besides ours (ASP.NET Core's come with its instrumentation).</summary>
    private static readonly string[] FrameworkMeters =
    [
        "System.Runtime", // GC, thread pool, exceptions (.NET 9+)
        "System.Net.Http",
        "Npgsql",
        "Microsoft.EntityFrameworkCore",
    ];

    /// <summary>
    /// Kestrel's buffer pool counts every block rented and returned, and the ASP.NET Core instrumentation listens to it:
    /// every frame the gateway writes to a connection rents one, so at 200 listeners a send updated these counters
    /// hundreds of times (1.3% of the node's CPU in the gateway bench's profile) for a figure no dashboard reads. Dropped,
    /// nothing listens and Kestrel skips the updates.
    /// </summary>
    internal const string KestrelMemoryPoolMeter = "Microsoft.AspNetCore.MemoryPool";

    /// <summary>
    /// Request durations, in seconds. ASP.NET Core's own buckets start at 5 ms, where most of our requests end: these
    /// split the first 10 ms finely, so a p99 of a few milliseconds (history reads, sends) can be read off them.
    /// </summary>
    public static readonly double[] RequestDurationBuckets =
        [0.0005, 0.001, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10];

    public static IHostApplicationBuilder AddTelemetry(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<MetricsOptions>()
            .Configure<IConfiguration>((o, c) => MetricsOptions.Bind(o, c))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidator>();
        services.AddSingleton<MetricsAccess>();

        var otlp = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"] is { Length: > 0 };
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("kamachat", serviceInstanceId: NodeName(builder.Configuration)))
            .WithMetrics(metrics =>
            {
                metrics.AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddMeter(FrameworkMeters)
                    .AddMeter(GatewayMetrics.Name, Features.Messages.SendMetrics.Name, JobMetrics.Name, Data.DatabaseMetrics.Name)
                    .AddView("http.server.request.duration", new ExplicitBucketHistogramConfiguration { Boundaries = RequestDurationBuckets })
                    .AddView(instrument => instrument.Meter.Name == KestrelMemoryPoolMeter ? MetricStreamConfiguration.Drop : null)
                    .AddPrometheusExporter(o => o.ScrapeEndpointPath = MetricsOptions.Path);
                if (otlp)
                    metrics.AddOtlpExporter();
            });
        // Traces cost a little on every request: collected only when there is somewhere to send them.
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments(MetricsOptions.Path))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddSource("Microsoft.AspNetCore.SignalR.Server", JobMetrics.Name)
                .AddOtlpExporter());
            telemetry.WithLogging(logging => logging.AddOtlpExporter());
        }

        UseLogFormat(builder);
        return builder;
    }

    /// <summary>The scrape endpoint, behind <see cref="MetricsAccess"/>; never in the API docs.</summary>
    public static WebApplication MapMetrics(this WebApplication app)
    {
        var access = app.Services.GetRequiredService<MetricsAccess>();
        app.MapPrometheusScrapingEndpoint(MetricsOptions.Path, meterProvider: null, configureBranchedPipeline: branch => branch.Use((context, next) =>
        {
            if (access.Allows(context))
                return next(context);
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return Task.CompletedTask;
        }), optionsName: null).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// LOG_FORMAT=json writes one JSON object per line with its scopes (request id, trace and span id), which is what a
    /// log shipper wants; the default stays the readable console format for a person at a terminal.
    /// </summary>
    private static void UseLogFormat(IHostApplicationBuilder builder)
    {
        var format = builder.Configuration["LOG_FORMAT"];
        if (!string.Equals(format, "json", StringComparison.OrdinalIgnoreCase))
            return;
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ";
        });
        builder.Logging.Configure(o => o.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
    }

    private static string NodeName(IConfiguration configuration)
    {
        var options = new ServerOptions();
        ServerOptions.Bind(options, configuration);
        return $"{Environment.MachineName}-node-{options.NodeId}";
    }
}

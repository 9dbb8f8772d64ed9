using Microsoft.AspNetCore.Http.Connections;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace KamaChat.Server.Features.Gateway;

public static class GatewayExtensions
{
    /// <summary>Frames above this size are refused: no client message needs more than a resume request.</summary>
    public const long MaximumReceiveMessageSize = 64 * 1024;

    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddSignalR(options =>
            {
                options.MaximumReceiveMessageSize = MaximumReceiveMessageSize;
                options.EnableDetailedErrors = false;
                // Outermost, so a refusal by the rate limit is not logged either.
                options.AddFilter<GatewayErrorLogging>();
                options.AddFilter<GatewayRateLimitFilter>();
            })
            .AddJsonProtocol(options => options.PayloadSerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase)
            .AddMessagePackProtocol(options => options.SerializerOptions = MessagePack.MessagePackSerializerOptions.Standard
                .WithResolver(SnowflakeMessagePackFormatter.Resolver)
                .WithSecurity(MessagePack.MessagePackSecurity.UntrustedData));
        services.AddSingleton<GatewayRateLimitFilter>();
        services.AddSingleton<GatewayErrorLogging>();
        builder.Logging.AddFilter(GatewayErrorLogging.DispatcherCategory, LogLevel.Critical);
        builder.Logging.AddFilter(GatewayErrorLogging.ConnectionHandlerCategory, LogLevel.Critical);
        // After AddSignalR: replaces its default (registered for any hub) for this hub.
        services.AddSingleton<GatewayLifetimeManager>();
        services.AddSingleton<HubLifetimeManager<GatewayHub>>(sp => sp.GetRequiredService<GatewayLifetimeManager>());
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<GatewayMetrics>();
        var redisUrl = builder.Configuration["REDIS_URL"];
        if (string.IsNullOrWhiteSpace(redisUrl))
        {
            services.AddSingleton<IGatewayFanout, LocalFanout>();
            services.AddSingleton(sp => new PresenceTracker(sp.GetRequiredService<TimeProvider>(), "local", null));
        }
        else
        {
            RedisConfiguration.AddConnection(services, redisUrl);
            services.AddSingleton<RedisFanout>();
            services.AddSingleton<IGatewayFanout>(sp => sp.GetRequiredService<RedisFanout>());
            services.AddHostedService(sp => sp.GetRequiredService<RedisFanout>());
            services.AddSingleton<Events.IEventSubscriber, FanoutSubscriber>();
            services.AddSingleton(sp => new PresenceTracker(
                sp.GetRequiredService<TimeProvider>(),
                $"{sp.GetRequiredService<IOptions<ServerOptions>>().Value.NodeId}:{Environment.MachineName}:{Environment.ProcessId}",
                sp.GetRequiredService<IConnectionMultiplexer>().GetDatabase()));
            services.AddHostedService<PresenceLeaseRenewer>();
            services.AddHealthChecks().Add(new HealthCheckRegistration("redis",
                sp => new RedisHealthCheck(sp.GetRequiredService<IConnectionMultiplexer>()), HealthStatus.Unhealthy, ["ready"]));
        }
        services.AddSingleton<TypingThrottle>();
        services.AddScoped<GatewayGroups>();
        services.AddScoped<PresenceAudience>();
        services.AddScoped<ReadyBuilder>();
        services.AddScoped<ResumeService>();
        services.AddSingleton<ResumeBudget>();
        services.AddSingleton<ConnectLimit>();
        services.AddSingleton<EventDispatcher>();
        services.AddSingleton<Events.IEventSubscriber>(sp => sp.GetRequiredService<EventDispatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<EventDispatcher>());
        services.AddOptions<GatewayOptions>()
            .Configure<IConfiguration, IOptions<DatabaseOptions>>(
                (o, c, db) => GatewayOptions.Bind(o, c, db.Value))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<GatewayOptions>, SettingErrorsValidator<GatewayOptions>>();
        services.AddHostedService<EventLogTailer>();
        services.Configure<OpenApiOptions>(ApiDocs.DocumentName, options => options.AddDocumentTransformer<GatewayContract>());
        return builder;
    }

    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder app)
    {
        app.MapHub<GatewayHub>("/hubs/gateway", options =>
        {
            // A connection lives no longer than its access token; the client reconnects with a fresh one.
            options.CloseOnAuthenticationExpiration = true;
            options.Transports = HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling;
            // A socket that takes nothing for this long closes its connection (what is queued behind it is bounded by
            // GatewayOptions.OutboxLimit meanwhile, and nobody else waits for it).
            var sendTimeout = app.ServiceProvider.GetRequiredService<IOptions<GatewayOptions>>().Value.SendTimeout;
            options.TransportSendTimeout = sendTimeout;
            // A connection the server closes (a session ended: GatewayLifetimeManager.CloseAfterSent) is given as long to
            // take what is still in its socket, the event that says why last, before the socket is cut: SignalR's 5 s
            // default cut a client catching up on a backlog off before it read to the end.
            options.WebSockets.CloseTimeout = sendTimeout;
        })
            // AddValidation's endpoint filter has nothing to check here (the hub checks its methods' arguments itself),
            // yet its async frames stayed on every gateway connection's request for the connection's whole life.
            .DisableValidation();
        return app;
    }
}

/// <summary>Readiness includes Redis when the node is configured to use it.</summary>
internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await redis.GetDatabase().PingAsync();
            return HealthCheckResult.Healthy();
        }
        catch (RedisException e)
        {
            return HealthCheckResult.Unhealthy("Redis is unreachable.", e);
        }
    }
}

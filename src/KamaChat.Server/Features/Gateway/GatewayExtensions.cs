using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR;

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
                options.AddFilter<GatewayRateLimitFilter>();
            })
            .AddJsonProtocol(options => options.PayloadSerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase)
            .AddMessagePackProtocol();
        services.AddSingleton<GatewayRateLimitFilter>();
        services.AddSingleton<ConnectionRegistry>();
        services.AddSingleton<PresenceTracker>();
        services.AddSingleton<TypingThrottle>();
        services.AddScoped<GatewayGroups>();
        services.AddScoped<ReadyBuilder>();
        services.AddScoped<ResumeService>();
        services.AddSingleton<EventDispatcher>();
        services.AddSingleton<Events.IEventSubscriber>(sp => sp.GetRequiredService<EventDispatcher>());
        services.AddHostedService(sp => sp.GetRequiredService<EventDispatcher>());
        return builder;
    }

    public static IEndpointRouteBuilder MapGateway(this IEndpointRouteBuilder app)
    {
        app.MapHub<GatewayHub>("/hubs/gateway", options =>
        {
            // A connection lives no longer than its access token; the client reconnects with a fresh one.
            options.CloseOnAuthenticationExpiration = true;
            options.Transports = HttpTransportType.WebSockets | HttpTransportType.ServerSentEvents | HttpTransportType.LongPolling;
        });
        return app;
    }
}

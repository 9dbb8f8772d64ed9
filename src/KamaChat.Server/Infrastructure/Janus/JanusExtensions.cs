using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Janus;

public static class JanusExtensions
{
    /// <summary>Janus as the media server (JANUS_URL, or a local Janus this server runs), and its VideoRoom rooms.</summary>
    public static IHostApplicationBuilder AddJanus(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<JanusOptions>()
            .Configure<IConfiguration, IOptions<ServerOptions>>((o, c, s) => JanusOptions.Bind(o, c, s.Value.DataDirectory))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<JanusOptions>, JanusOptionsValidator>();
        services.AddSingleton<MediaServer>();
        services.AddSingleton<MediaServerHost>();
        services.AddHostedService(sp => sp.GetRequiredService<MediaServerHost>());
        services.AddSingleton<JanusConnections>();
        services.AddSingleton(sp => new VideoRoomSecrets(sp.GetRequiredService<IOptions<JwtOptions>>().Value.SigningKey));
        services.AddSingleton<VideoRooms>();
        services.AddHealthChecks().Add(new HealthCheckRegistration("janus",
            sp => ActivatorUtilities.CreateInstance<JanusHealthCheck>(sp), HealthStatus.Degraded, ["ready"]));
        return builder;
    }
}

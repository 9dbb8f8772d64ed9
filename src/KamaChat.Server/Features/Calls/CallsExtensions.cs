using KamaChat.Server.Infrastructure.Janus;
using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace KamaChat.Server.Features.Calls;

public static class CallsExtensions
{
    /// <summary>Voice and video: the media server (Janus or peer to peer), DM calls and the ICE servers clients get.</summary>
    public static IHostApplicationBuilder AddCalls(this IHostApplicationBuilder builder)
    {
        builder.AddJanus();
        var services = builder.Services;
        services.AddOptions<TurnOptions>()
            .Configure<IConfiguration>(TurnOptions.Bind)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<TurnOptions>, TurnOptionsValidator>();
        services.AddSingleton<IceServers>();
        services.AddOptions<VoiceOptions>()
            .Configure<IConfiguration>(VoiceOptions.Bind)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<VoiceOptions>, VoiceOptionsValidator>();
        if (builder.Configuration["REDIS_URL"] is { Length: > 0 } redisUrl && !string.IsNullOrWhiteSpace(redisUrl))
        {
            // Several nodes: every node sees every call; a node's calls end when it stops renewing their leases.
            Gateway.RedisConfiguration.AddConnection(services, redisUrl);
            services.AddSingleton<IVoiceStates>(sp => new RedisVoiceStates(
                sp.GetRequiredService<IConnectionMultiplexer>(),
                sp.GetRequiredService<TimeProvider>(),
                $"{sp.GetRequiredService<IOptions<ServerOptions>>().Value.NodeId}:{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}",
                sp.GetRequiredService<ILogger<RedisVoiceStates>>()));
            services.AddSingleton<IDmCallStore, RedisDmCallStore>();
        }
        else
        {
            services.AddSingleton<IVoiceStates, LocalVoiceStates>();
            services.AddSingleton<IDmCallStore, LocalDmCallStore>();
        }
        services.AddSingleton<VoiceChannels>();
        services.AddHostedService<VoiceLeaseKeeper>();
        services.AddSingleton<VoiceMesh>();
        services.AddHostedService<VoiceMeshKeeper>();
        services.AddOptions<DmCallOptions>()
            .Configure<IConfiguration>(DmCallOptions.Bind)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DmCallOptions>, DmCallOptionsValidator>();
        services.AddSingleton<DmCalls>();
        services.AddHostedService<DmCallKeeper>();
        return builder;
    }
}

using KamaChat.Server.Infrastructure.Janus;
using Microsoft.Extensions.Options;

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
        services.AddSingleton<VoiceChannels>();
        services.AddSingleton<VoiceMesh>();
        services.AddOptions<DmCallOptions>()
            .Configure<IConfiguration>(DmCallOptions.Bind)
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DmCallOptions>, DmCallOptionsValidator>();
        services.AddSingleton<DmCalls>();
        return builder;
    }
}

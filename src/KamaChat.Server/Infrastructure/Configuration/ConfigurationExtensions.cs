using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Configuration;

public static class ConfigurationExtensions
{
    /// <summary>Binds the seed's variable names onto typed options, validated when the host starts.</summary>
    public static IHostApplicationBuilder AddKamaChatConfiguration(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        // Every request and query at Information drowns what matters.
        builder.DefaultLogLevel("Microsoft.AspNetCore", LogLevel.Warning);
        builder.DefaultLogLevel("Microsoft.EntityFrameworkCore", LogLevel.Warning);

        services.AddOptions<ServerOptions>()
            .Configure<IConfiguration>((o, c) => ServerOptions.Bind(o, c))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<ServerOptions>, ServerOptionsValidator>();

        services.AddOptions<DatabaseOptions>()
            .Configure<IConfiguration, IOptions<ServerOptions>>((o, c, s) => DatabaseOptions.Bind(o, c, s.Value))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<DatabaseOptions>, DatabaseOptionsValidator>();

        services.AddOptions<JwtOptions>()
            .Configure<IConfiguration, IHostEnvironment, IOptions<ServerOptions>>((o, c, e, s) => JwtOptions.Bind(o, c, e, s.Value))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>();

        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new SnowflakeGenerator(
            sp.GetRequiredService<IOptions<ServerOptions>>().Value.NodeId,
            sp.GetRequiredService<TimeProvider>()));

        return builder;
    }

    /// <summary>
    /// A category's log level unless the operator set one (<c>Logging__LogLevel__{category}</c>). Needed because a filter
    /// added in code is added after those read from configuration, and of two rules for the same category the later wins:
    /// a plain <c>AddFilter</c> would silently override the operator's setting.
    /// </summary>
    public static void DefaultLogLevel(this IHostApplicationBuilder builder, string category, LogLevel level)
    {
        if (builder.Configuration[$"Logging:LogLevel:{category}"] is null)
            builder.Logging.AddFilter(category, level);
    }

    /// <summary>Listen address from the seed's HOST and PORT (default localhost:3000), unless ASP.NET Core's own URLS is set.</summary>
    public static WebApplicationBuilder UseSeedListenAddress(this WebApplicationBuilder builder)
    {
        if (ListenAddress.AspNetCoreUrls(builder.Configuration) is null)
            builder.WebHost.UseUrls(ListenAddress.FromHostAndPort(builder.Configuration));
        return builder;
    }
}

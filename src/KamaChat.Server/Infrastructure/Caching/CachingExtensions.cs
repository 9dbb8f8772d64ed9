using KamaChat.Server.Features.Gateway;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace KamaChat.Server.Infrastructure.Caching;

public static class CachingExtensions
{
    /// <summary>HybridCache in memory, with Redis under it when REDIS_URL is set (the node's one Redis connection).</summary>
    public static IHostApplicationBuilder AddCaching(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<CacheOptions>().Configure<IConfiguration>((o, c) => CacheOptions.Bind(o, c)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CacheOptions>, Configuration.SettingErrorsValidator<CacheOptions>>();
        services.AddHybridCache();
        if (builder.Configuration["REDIS_URL"] is { Length: > 0 } redisUrl)
        {
            RedisConfiguration.AddConnection(services, redisUrl);
            services.AddStackExchangeRedisCache(_ => { });
            services.AddOptions<RedisCacheOptions>().Configure<IServiceProvider>((o, sp) =>
            {
                o.InstanceName = "kamachat:cache:";
                o.ConnectionMultiplexerFactory = () => Task.FromResult(sp.GetRequiredService<IConnectionMultiplexer>());
            });
        }
        services.AddSingleton<KamaCache>();
        services.AddSingleton<CacheInvalidation>();
        return builder;
    }
}

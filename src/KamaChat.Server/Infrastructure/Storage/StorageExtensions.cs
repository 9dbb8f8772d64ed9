using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Storage;

public static class StorageExtensions
{
    /// <summary>Media storage: local disk (data/media) by default, an S3-compatible bucket or Cloudinary when configured.</summary>
    public static IHostApplicationBuilder AddStorage(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<StorageOptions>()
            .Configure<IConfiguration, IOptions<ServerOptions>>((o, c, s) => StorageOptions.Bind(o, c, s.Value.DataDirectory))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<StorageOptions>, StorageOptionsValidator>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new MediaUrlSigner(sp.GetRequiredService<IOptions<JwtOptions>>().Value.SigningKey, sp.GetRequiredService<TimeProvider>()));
        services.AddHttpClient(nameof(CloudinaryStorage), client => client.Timeout = TimeSpan.FromMinutes(10));
        services.AddSingleton<IMediaStorage>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            return options.Backend switch
            {
                StorageBackend.S3 => new S3Storage(options.S3, time),
                StorageBackend.Cloudinary => new CloudinaryStorage(options.Cloudinary,
                    sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(CloudinaryStorage)), time),
                _ => new LocalDiskStorage(options.LocalDirectory, sp.GetRequiredService<MediaUrlSigner>()),
            };
        });
        return builder;
    }
}

using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Jobs;

public static class JobsExtensions
{
    /// <summary>The job queue: RabbitMQ when HOST_RABBITMQ is set, otherwise in-process.</summary>
    public static IHostApplicationBuilder AddJobs(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<JobOptions>()
            .Configure<IConfiguration>((o, c) => JobOptions.Bind(o, c))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<JobOptions>, Configuration.SettingErrorsValidator<JobOptions>>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<JobMetrics>();
        services.AddSingleton(sp => new JobDispatcher(
            sp.GetRequiredService<IServiceScopeFactory>(), sp.GetRequiredService<JobMetrics>(), sp.GetServices<JobRegistration>()));

        services.AddHostedService<JobReceiptCleaner>();

        // Which implementation is decided by configuration known now, so the choice is made at composition time.
        var probe = new JobOptions();
        JobOptions.Bind(probe, builder.Configuration);
        if (probe.UsesRabbitMq)
        {
            services.AddSingleton<RabbitMqJobQueue>();
            services.AddSingleton<IJobQueue>(sp => sp.GetRequiredService<RabbitMqJobQueue>());
            if (probe.RunWorker)
                services.AddHostedService<RabbitMqJobWorker>();
            services.AddHealthChecks().AddCheck<RabbitMqHealthCheck>("rabbitmq", tags: ["ready"]);
        }
        else
        {
            services.AddSingleton<InProcessJobQueue>();
            services.AddSingleton<IJobQueue>(sp => sp.GetRequiredService<InProcessJobQueue>());
            // In-process jobs can only run here, whatever KAMACHAT_ROLES says.
            services.AddHostedService<InProcessJobWorker>();
        }
        return builder;
    }

    /// <summary>Registers the handler for one job type.</summary>
    public static IServiceCollection AddJobHandler<TJob, THandler>(this IServiceCollection services)
        where TJob : class, IJob
        where THandler : class, IJobHandler<TJob>
    {
        services.AddScoped<IJobHandler<TJob>, THandler>();
        services.AddSingleton(JobDispatcher.Register<TJob, THandler>());
        return services;
    }
}

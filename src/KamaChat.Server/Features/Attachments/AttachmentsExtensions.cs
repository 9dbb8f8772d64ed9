using KamaChat.Server.Features.Messages;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Jobs;
using KamaChat.Server.Infrastructure.Storage;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Attachments;

public static class AttachmentsExtensions
{
    /// <summary>Uploads, their limits and sweep, processing and file deletion as jobs (needs AddStorage and AddMedia).</summary>
    public static IHostApplicationBuilder AddAttachments(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<UploadOptions>().Configure<IConfiguration>(UploadOptions.Bind).ValidateOnStart();
        services.AddSingleton<IValidateOptions<UploadOptions>, SettingErrorsValidator<UploadOptions>>();
        services.AddSingleton<AttachmentLinks>();
        services.AddScoped<AttachmentProcessingStore>();
        // Processing outcomes of sent messages are announced to their channel (MessageUpdated).
        services.AddScoped<IAttachmentProcessingStore, AttachmentAnnouncements>();
        services.AddScoped<AttachmentPipeline>();
        services.AddJobHandler<ProcessAttachmentJob, ProcessAttachmentJobHandler>();
        services.AddJobHandler<DeleteAttachmentFilesJob, DeleteAttachmentFilesJobHandler>();
        services.AddJobHandler<DeleteStoredFilesJob, DeleteStoredFilesJobHandler>();
        services.AddScoped<StoredFileCleanup>();
        services.AddSingleton<ResumableUploadStore>();
        services.AddSingleton<UnattachedUploadSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<UnattachedUploadSweeper>());
        services.AddSingleton<OrphanFileSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<OrphanFileSweeper>());
        return builder;
    }

    /// <summary>The upload endpoints and the signed media URLs of local-disk storage.</summary>
    public static IEndpointRouteBuilder MapAttachments(this IEndpointRouteBuilder app)
    {
        app.MapUploads();
        app.MapResumableUploads();
        app.MapMediaFiles();
        return app;
    }
}

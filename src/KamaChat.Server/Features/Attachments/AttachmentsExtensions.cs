using KamaChat.Server.Infrastructure.Jobs;

namespace KamaChat.Server.Features.Attachments;

public static class AttachmentsExtensions
{
    /// <summary>Attachment processing as a job on the job queue (needs AddStorage and AddMedia).</summary>
    public static IHostApplicationBuilder AddAttachments(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<IAttachmentProcessingStore, AttachmentProcessingStore>();
        builder.Services.AddScoped<AttachmentPipeline>();
        builder.Services.AddJobHandler<ProcessAttachmentJob, ProcessAttachmentJobHandler>();
        return builder;
    }
}

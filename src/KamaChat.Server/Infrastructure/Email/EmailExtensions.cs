using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Jobs;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Email;

public static class EmailExtensions
{
    /// <summary>Email through the job queue: SMTP when SMTP_URL is set, .eml files in the data directory otherwise.</summary>
    public static IHostApplicationBuilder AddEmail(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<EmailOptions>()
            .Configure<IConfiguration, IOptions<ServerOptions>>((o, c, s) => EmailOptions.Bind(o, c, s.Value.DataDirectory))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmailOptions>, EmailOptionsValidator>();
        services.AddSingleton<IEmailSender>(sp => sp.GetRequiredService<IOptions<EmailOptions>>().Value.UsesSmtp
            ? ActivatorUtilities.CreateInstance<SmtpEmailSender>(sp)
            : ActivatorUtilities.CreateInstance<MailDirectoryEmailSender>(sp));
        services.AddScoped<EmailOutbox>();
        services.AddJobHandler<SendEmailJob, SendEmailJobHandler>();
        return builder;
    }
}

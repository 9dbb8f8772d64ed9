using System.Net;
using KamaChat.Server.Features.Account;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// The app with real mail delivery: SMTP_URL points at the shared throwaway aiosmtpd, links start with
/// <see cref="PublicUrl"/>, email verification is required, and a probe endpoint guarded by the VerifiedEmail
/// policy stands in for the features (sending messages, joining servers) that will use it.
/// </summary>
public abstract class MailingApp : KamaChatApp
{
    public const string PublicUrl = "https://chat.example.test";
    public const string VerifiedOnlyPath = "/test/verified-only";

    protected override async Task<IReadOnlyDictionary<string, string?>> SettingsAsync() => new Dictionary<string, string?>
    {
        ["SMTP_URL"] = await SmtpServer.UrlAsync(),
        ["PUBLIC_URL"] = PublicUrl,
        ["REQUIRE_EMAIL_VERIFICATION"] = "true",
        ["EMAIL_FROM"] = "KamaChat Tests <kamachat@example.test>",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<IStartupFilter, VerifiedEmailProbe>());
    }

    private sealed class VerifiedEmailProbe : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Map(VerifiedOnlyPath, branch =>
            {
                branch.UseRouting();
                branch.UseAuthentication();
                branch.UseAuthorization();
                branch.UseEndpoints(endpoints => endpoints.MapGet("/", () => "verified").RequireAuthorization(VerifiedEmailPolicy.Name));
            });
            next(app);
        };
    }
}

public sealed class MailingSqliteApp : MailingApp
{
    public override string ProviderName => "sqlite";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
}

public sealed class MailingPostgresApp : MailingApp
{
    public override string ProviderName => "postgres";

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => PostgresServer.CreateDatabaseAsync();
}

/// <summary>
/// Lets a test choose its client address with the <c>X-Test-Client-Ip</c> header (the in-memory test server has none),
/// so per-IP limits can be tested without tests sharing one bucket.
/// </summary>
public sealed class TestClientIp : IStartupFilter
{
    public const string Header = "X-Test-Client-Ip";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((HttpContext context, RequestDelegate nextMiddleware) =>
        {
            if (context.Request.Headers[Header] is { Count: > 0 } value && IPAddress.TryParse(value.ToString(), out var ip))
                context.Connection.RemoteIpAddress = ip;
            return nextMiddleware(context);
        });
        next(app);
    };
}

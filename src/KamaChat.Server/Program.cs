using KamaChat.Server.Data;
using KamaChat.Server.Features.Account;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Audit;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Calls;
using KamaChat.Server.Features.DirectMessages;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.LinkPreviews;
using KamaChat.Server.Features.Gateway;
using KamaChat.Server.Features.Notifications;
using KamaChat.Server.Features.Notifications.Push;
using KamaChat.Server.Features.Messages;
using KamaChat.Server.Features.Permissions;
using KamaChat.Server.Features.ProfileImages;
using KamaChat.Server.Features.ReadStates;
using KamaChat.Server.Features.Relationships;
using KamaChat.Server.Features.Search;
using KamaChat.Server.Features.Servers;
using KamaChat.Server.Features.Users;
using KamaChat.Server.Infrastructure.Caching;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Doctor;
using KamaChat.Server.Infrastructure.Email;
using KamaChat.Server.Infrastructure.Http;
using KamaChat.Server.Infrastructure.Jobs;
using KamaChat.Server.Infrastructure.Media;
using KamaChat.Server.Infrastructure.RateLimiting;
using KamaChat.Server.Infrastructure.Storage;
using KamaChat.Server.Infrastructure.Telemetry;
using Microsoft.Extensions.Options;

// Before anything uses the shared ArrayPool, which reads its size once: a fan-out's buffers come from it.
FanoutBufferPool.Configure();
EnvironmentFile.Load();
// `KamaChat.Server doctor` builds the same composition from the same configuration, checks it, and exits.
var doctor = Doctor.IsRequested(args);
var builder = WebApplication.CreateBuilder(new WebApplicationOptions
{
    // No configuration file is reloaded on change: KamaChat is configured by the environment and .env, read once. The
    // default watches the content root for appsettings*.json recursively, and every SQLite write under data/ woke that
    // watcher (about 1.7% of the server's CPU in the gateway bench's profile).
    Args = [.. doctor ? args[1..] : args, "--hostBuilder:reloadConfigOnChange=false"],
    // ASP.NET Core's own variable wins when set; otherwise the seed's NODE_ENV decides.
    EnvironmentName = Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT") ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
        ?? EnvironmentFile.EnvironmentName(Environment.GetEnvironmentVariable("NODE_ENV")),
});

builder.UseSeedListenAddress();
builder.AddKamaChatConfiguration();
builder.AddTelemetry();
builder.AddApiPlumbing();
builder.AddConnectionLimits();
builder.AddCrossOrigin();
builder.AddApiDocs();
builder.AddData();
builder.AddJobs();
builder.AddEmail();
builder.AddRateLimits();
builder.AddAuth();
builder.AddEvents();
builder.AddMessaging();
builder.AddCaching();
builder.AddPermissions();
builder.AddReadStates();
builder.AddGateway();
builder.AddNotifications();
builder.AddPush();
builder.AddSearch();
builder.AddServers();
builder.AddAuditLog();
builder.AddAccount();
builder.AddCalls();
builder.AddStorage();
builder.AddMedia();
builder.AddAttachments();
builder.AddLinkPreviews();
builder.AddProfileImages();
builder.AddRelationships();
if (doctor)
    builder.AddDoctor();

var app = builder.Build();
if (doctor)
    return await Doctor.RunAsync(app.Services, Console.Out);

app.UseApiPlumbing();
app.UseConnectionLimits();
app.UseSecurityHeaders();
app.UseCrossOrigin();
app.UseAuthentication();
app.UseAuthorization();
app.UseAuditLogReason();
app.UseRateLimiter();

app.MapHealth();
app.MapMetrics();
app.MapApiDocs();
app.MapAuth();
app.MapUsers();
app.MapReadStates();
app.MapGateway();
app.MapNotifications();
app.MapPush();
app.MapServers();
app.MapAuditLog();
app.MapMessages();
app.MapAttachments();
app.MapProfileImages();
app.MapDirectMessages();
app.MapRelationships();
app.MapSearch();
app.MapAccount();
app.MapTwoFactor();
app.MapWebClient();

// Bound now, unvalidated: a host that failed to start is disposed by the time its failure is explained.
var serverOptions = new ServerOptions();
ServerOptions.Bind(serverOptions, app.Configuration);
var databaseOptions = new DatabaseOptions();
DatabaseOptions.Bind(databaseOptions, app.Configuration, serverOptions);
try
{
    // The settings are validated here, before the host starts: the host logs a failed start with its stack trace before
    // it rethrows, so the operator's first sight was that rather than the line below; and it reports only the first
    // options that a service happens to read, where this names every bad setting at once.
    app.Services.GetService<IStartupValidator>()?.Validate();
    await app.RunAsync();
    return 0;
}
catch (Exception e) when (StartupValidation.Failures(e) is { Count: > 0 } failures)
{
    // One clear line on what to set, instead of a stack trace.
    await Console.Error.WriteLineAsync($"KamaChat cannot start: {string.Join(" ", failures)}");
    return 1;
}
catch (Exception e) when (StorageFailure.DescribeStartupFailure(e, serverOptions, databaseOptions) is { } reason)
{
    await Console.Error.WriteLineAsync($"KamaChat cannot start: {reason}");
    return 1;
}

/// <summary>Entry point; public so the integration tests can host it.</summary>
public partial class Program;

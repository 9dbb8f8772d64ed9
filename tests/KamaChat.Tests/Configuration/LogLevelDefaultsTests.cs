using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace KamaChat.Tests.Configuration;

/// <summary>The server quiets chatty framework categories by default, and an operator's Logging__LogLevel__* still wins.</summary>
public sealed class LogLevelDefaultsTests
{
    [Theory]
    [InlineData("Microsoft.AspNetCore.Hosting.Diagnostics")]
    [InlineData("Microsoft.EntityFrameworkCore.Database.Command")]
    public void Framework_information_is_quiet_by_default(string category)
    {
        using var host = Build(new Dictionary<string, string?>());

        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category);

        Assert.False(logger.IsEnabled(LogLevel.Information));
        Assert.True(logger.IsEnabled(LogLevel.Warning));
    }

    [Theory]
    [InlineData("Microsoft.AspNetCore", "Microsoft.AspNetCore.Hosting.Diagnostics")]
    [InlineData("Microsoft.EntityFrameworkCore", "Microsoft.EntityFrameworkCore.Database.Command")]
    public void The_operators_level_for_the_same_category_wins(string configured, string category)
    {
        using var host = Build(new Dictionary<string, string?> { [$"Logging:LogLevel:{configured}"] = "Information" });

        var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(category);

        Assert.True(logger.IsEnabled(LogLevel.Information));
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        // A provider, so IsEnabled answers by the filter rules rather than false for want of one.
        builder.Logging.AddConsole();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.AddKamaChatConfiguration();
        return builder.Build();
    }
}

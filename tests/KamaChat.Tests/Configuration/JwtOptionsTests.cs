using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting.Internal;

namespace KamaChat.Tests.Configuration;

public sealed class JwtOptionsTests
{
    [Theory]
    [InlineData("00:00:01", 1)] // the browser test of a token expiring mid-session runs with it
    [InlineData("00:05:00", 5 * 60)]
    [InlineData("1:30:00", 90 * 60)]
    [InlineData("1.00:00:00", 24 * 60 * 60)]
    public void A_token_lifetime_is_read_as_hours_minutes_and_seconds_with_optional_days(string value, int seconds)
    {
        var options = Bind(new() { ["KAMACHAT_ACCESS_TOKEN_LIFETIME"] = value });

        Assert.Empty(options.Errors);
        Assert.Equal(TimeSpan.FromSeconds(seconds), options.AccessTokenLifetime);
    }

    [Fact]
    public void A_bare_number_is_refused_and_the_default_stands()
    {
        var options = Bind(new() { ["KAMACHAT_ACCESS_TOKEN_LIFETIME"] = "15" });

        Assert.Equal(TimeSpan.FromMinutes(15), options.AccessTokenLifetime);
        Assert.Contains("KAMACHAT_ACCESS_TOKEN_LIFETIME", Assert.Single(options.Errors), StringComparison.Ordinal);
    }

    private static JwtOptions Bind(Dictionary<string, string?> settings)
    {
        var options = new JwtOptions();
        settings["JWT_SECRET"] = "a-development-secret-that-is-certainly-long-enough";
        JwtOptions.Bind(options, new ConfigurationBuilder().AddInMemoryCollection(settings).Build(),
            new HostingEnvironment { EnvironmentName = "Development" }, new ServerOptions());
        return options;
    }
}

using KamaChat.Server.Infrastructure.Jobs;
using Microsoft.Extensions.Configuration;

namespace KamaChat.Tests.Jobs;

public sealed class JobOptionsTests
{
    private static JobOptions Bind(string? retryDelays)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["KAMACHAT_JOB_RETRY_DELAYS"] = retryDelays }).Build();
        var options = new JobOptions();
        JobOptions.Bind(options, configuration);
        return options;
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Unset_or_empty_retry_delays_keep_the_default_four_retries(string? retryDelays)
    {
        var options = Bind(retryDelays);

        Assert.Empty(options.Errors);
        Assert.Equal([TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(10)], options.RetryDelays);
        Assert.Equal(5, options.MaxAttempts);
    }

    [Fact]
    public void Retry_delays_are_seconds_separated_by_commas()
    {
        var options = Bind(" 0.5, 30 ,");

        Assert.Empty(options.Errors);
        Assert.Equal([TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(30)], options.RetryDelays);
    }

    [Theory]
    [InlineData(",")]
    [InlineData(" , ")]
    [InlineData("30,x")]
    [InlineData("NaN")]
    public void Retry_delays_naming_no_delay_or_a_bad_one_are_an_error_not_a_job_without_retries(string retryDelays)
    {
        var options = Bind(retryDelays);

        Assert.Equal($"KAMACHAT_JOB_RETRY_DELAYS must be seconds above 0 and at most 86400, separated by commas (got '{retryDelays}').", Assert.Single(options.Errors));
    }
}

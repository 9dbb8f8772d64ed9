using KamaChat.Server.Features.Calls;
using Microsoft.Extensions.Configuration;

namespace KamaChat.Tests.Calls;

/// <summary>TURN_RELAY_ONLY and KAMACHAT_CALL_RING_SECONDS as start-up reads and validates them.</summary>
public sealed class CallSettingsTests
{
    [Theory]
    [InlineData(null, null, null)]
    [InlineData("true", "turn:turn.example.com:3478", null)]
    [InlineData("true", null, "TURN_RELAY_ONLY is true but TURN_URLS is not set")]
    [InlineData("yes", "turn:turn.example.com:3478", "TURN_RELAY_ONLY must be true or false")]
    public void Relay_only_needs_a_TURN_server(string? relayOnly, string? turnUrls, string? error)
    {
        var configuration = Settings(("TURN_RELAY_ONLY", relayOnly), ("TURN_URLS", turnUrls), ("TURN_SECRET", "shared"));
        var options = new TurnOptions();
        TurnOptions.Bind(options, configuration);

        var result = new TurnOptionsValidator().Validate(null, options);

        if (error is null)
        {
            Assert.True(result.Succeeded, result.FailureMessage);
            Assert.Equal(relayOnly == "true", options.RelayOnly);
        }
        else
            Assert.Contains(error, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, 30)]
    [InlineData("1", 1)]
    [InlineData("300", 300)]
    [InlineData("0", null)]
    [InlineData("301", null)]
    [InlineData("ten", null)]
    public void The_ring_lasts_the_configured_seconds(string? value, int? seconds)
    {
        var options = new DmCallOptions();
        DmCallOptions.Bind(options, Settings(("KAMACHAT_CALL_RING_SECONDS", value)));

        var result = new DmCallOptionsValidator().Validate(null, options);

        Assert.Equal(seconds is not null, result.Succeeded);
        if (seconds is { } expected)
            Assert.Equal(TimeSpan.FromSeconds(expected), options.RingTimeout);
        else
            Assert.Contains("KAMACHAT_CALL_RING_SECONDS must be whole seconds from 1 to 300", result.FailureMessage, StringComparison.Ordinal);
    }

    private static IConfiguration Settings(params (string Key, string? Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Where(v => v.Value is not null).Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}

using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Configuration;

/// <summary>What start-up validation (every options class registered with ValidateOnStart) found wrong, setting by setting.</summary>
public static class StartupValidation
{
    /// <summary>One options class's failures, or several classes' together (the validator then throws them aggregated).</summary>
    public static List<string> Failures(Exception exception) => exception switch
    {
        OptionsValidationException validation => [.. validation.Failures],
        AggregateException aggregate => [.. aggregate.InnerExceptions.OfType<OptionsValidationException>().SelectMany(v => v.Failures)],
        _ => [],
    };
}

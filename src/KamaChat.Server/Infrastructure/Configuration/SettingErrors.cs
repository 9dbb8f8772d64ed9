using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Configuration;

/// <summary>
/// Options that note what is wrong with their settings while they are bound (<see cref="WholeNumberSetting"/>), so
/// start-up names every bad setting in its one line instead of using a default in silence.
/// </summary>
public interface ISettingErrors
{
    List<string> Errors { get; }
}

/// <summary>Fails <typeparamref name="TOptions"/> with the errors its binding noted; registered with ValidateOnStart.</summary>
internal sealed class SettingErrorsValidator<TOptions> : IValidateOptions<TOptions> where TOptions : class, ISettingErrors
{
    public ValidateOptionsResult Validate(string? name, TOptions options) =>
        options.Errors.Count > 0 ? ValidateOptionsResult.Fail(options.Errors) : ValidateOptionsResult.Success;
}

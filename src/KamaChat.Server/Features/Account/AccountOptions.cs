using KamaChat.Server.Infrastructure.Configuration;

namespace KamaChat.Server.Features.Account;

/// <summary>Account rules that differ between a local try-out and production.</summary>
public sealed class AccountOptions : ISettingErrors
{
    /// <summary>REQUIRE_EMAIL_VERIFICATION: default on in production, off otherwise.</summary>
    public bool RequireEmailVerification { get; set; }

    public TimeSpan EmailTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    public TimeSpan PasswordResetTokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan MfaTicketLifetime { get; set; } = TimeSpan.FromMinutes(5);

    public List<string> Errors { get; } = [];

    public static void Bind(AccountOptions options, IConfiguration configuration, IHostEnvironment environment) =>
        options.RequireEmailVerification = BooleanSetting.Read(configuration, "REQUIRE_EMAIL_VERIFICATION", environment.IsProduction(), options.Errors);
}

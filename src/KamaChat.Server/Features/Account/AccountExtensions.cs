using KamaChat.Server.Features.Users;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Jobs;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Features.Account;

public static class AccountExtensions
{
    /// <summary>Email verification, password reset, 2FA, and the VerifiedEmail policy.</summary>
    public static IHostApplicationBuilder AddAccount(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<AccountOptions>()
            .Configure<IConfiguration, IHostEnvironment>((o, c, e) => AccountOptions.Bind(o, c, e))
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<AccountOptions>, SettingErrorsValidator<AccountOptions>>();
        services.AddScoped<AccountEmails>();
        services.AddSingleton<MfaTickets>();
        services.AddJobHandler<PasswordResetRequestedJob, PasswordResetRequestedJobHandler>();

        services.AddAuthorizationBuilder().AddPolicy(VerifiedEmailPolicy.Name, policy => policy
            .RequireAuthenticatedUser()
            .AddRequirements(new VerifiedEmailRequirement()));
        services.AddSingleton<IAuthorizationHandler, VerifiedEmailHandler>();
        services.AddSingleton<Microsoft.AspNetCore.Authorization.IAuthorizationMiddlewareResultHandler, ProblemAuthorizationResultHandler>();
        return builder;
    }

    /// <summary>Identity's pieces for account security: token lifetimes, the replay-safe authenticator, hashed recovery codes.</summary>
    public static IdentityBuilder AddAccountSecurity(this IdentityBuilder identity)
    {
        var services = identity.Services;
        identity.AddTokenProvider<EmailConfirmationTokenProvider>(EmailConfirmationTokenProvider.ProviderName)
            .AddTokenProvider<PasswordResetTokenProvider>(PasswordResetTokenProvider.ProviderName)
            .AddTokenProvider<ReplayProtectedAuthenticatorTokenProvider>(ReplayProtectedAuthenticatorTokenProvider.ProviderName)
            .AddUserStore<HashedRecoveryCodeUserStore>()
            .AddUserManager<KamaUserManager>();
        services.Configure<IdentityOptions>(options =>
        {
            options.Tokens.EmailConfirmationTokenProvider = EmailConfirmationTokenProvider.ProviderName;
            options.Tokens.ChangeEmailTokenProvider = EmailConfirmationTokenProvider.ProviderName;
            options.Tokens.PasswordResetTokenProvider = PasswordResetTokenProvider.ProviderName;
            options.Tokens.AuthenticatorTokenProvider = ReplayProtectedAuthenticatorTokenProvider.ProviderName;
        });
        services.AddOptions<EmailConfirmationTokenProviderOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<AccountOptions>>((o, account) =>
            {
                o.Name = EmailConfirmationTokenProvider.ProviderName;
                o.TokenLifespan = account.Value.EmailTokenLifetime;
            });
        services.AddOptions<PasswordResetTokenProviderOptions>()
            .Configure<Microsoft.Extensions.Options.IOptions<AccountOptions>>((o, account) =>
            {
                o.Name = PasswordResetTokenProvider.ProviderName;
                o.TokenLifespan = account.Value.PasswordResetTokenLifetime;
            });
        return identity;
    }
}

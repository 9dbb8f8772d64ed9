using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Account;
using KamaChat.Server.Features.Auth;
using KamaChat.Server.Features.Users;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Gateway;

/// <summary>
/// Every way a session ends closes its live gateway connections at once, not when the access token expires: the
/// socket of a device signed out by a password change must stop receiving messages immediately.
/// </summary>
public abstract class SessionRevocationTests(KamaChatApp app)
{
    [Theory]
    [InlineData("logout")]
    [InlineData("device sign-out")]
    [InlineData("refresh token reuse")]
    [InlineData("password change")]
    [InlineData("password reset")]
    [InlineData("2FA on")]
    [InlineData("2FA off")]
    [InlineData("new recovery codes")]
    [InlineData("account deletion")]
    public async Task Ending_a_session_closes_its_gateway_connection(string path)
    {
        var name = Api.UniqueName();
        var here = await app.CreateClient().RegisterAsync(name);
        var herePeer = app.CreateClient(here.AccessToken);
        string? secret = null;
        List<string>? recoveryCodes = null;
        if (path is "2FA off" or "new recovery codes")
            (secret, recoveryCodes) = await TurnOnTwoFactorAsync(herePeer);

        // The session whose socket must close: another device of the same account.
        var there = await SignInAsync(name, recoveryCodes?[0]);
        await using var socket = await GatewayClient.ConnectAsync(app, there.AccessToken);
        await socket.ReadyAsync();

        switch (path)
        {
            case "logout":
                Assert.Equal(HttpStatusCode.NoContent, (await app.CreateClient(there.AccessToken).PostAsync("/api/v1/auth/logout", null)).StatusCode);
                break;
            case "device sign-out":
                Assert.Equal(HttpStatusCode.NoContent, (await herePeer.DeleteAsync($"/api/v1/auth/sessions/{there.SessionId}")).StatusCode);
                break;
            case "refresh token reuse":
                await app.CreateClient().PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = there.RefreshToken });
                await (await app.CreateClient().PostAsJsonAsync("/api/v1/auth/refresh", new { refreshToken = there.RefreshToken }))
                    .AssertProblemAsync(HttpStatusCode.Unauthorized, "refresh_token_reused");
                break;
            case "password change":
                Assert.Equal(HttpStatusCode.NoContent, (await herePeer.PostAsJsonAsync("/api/v1/users/@me/password",
                    new { currentPassword = Api.GoodPassword, newPassword = "another long passphrase" })).StatusCode);
                break;
            case "password reset":
                var token = await ResetTokenAsync(here.User.Id);
                Assert.Equal(HttpStatusCode.NoContent, (await app.CreateClient().PostAsJsonAsync("/api/v1/auth/password-reset/confirm",
                    new { userId = here.User.Id, token, newPassword = "another long passphrase" })).StatusCode);
                break;
            case "2FA on":
                await TurnOnTwoFactorAsync(herePeer);
                break;
            case "2FA off":
                Assert.Equal(HttpStatusCode.NoContent, (await herePeer.PostAsJsonAsync("/api/v1/auth/2fa/disable",
                    new { password = Api.GoodPassword, recoveryCode = recoveryCodes![1] })).StatusCode);
                break;
            case "new recovery codes":
                Assert.Equal(HttpStatusCode.OK, (await herePeer.PostAsJsonAsync("/api/v1/auth/2fa/recovery-codes",
                    new { code = TotpCodes.Now(secret!) })).StatusCode);
                break;
            case "account deletion":
                Assert.Equal(HttpStatusCode.NoContent, (await herePeer.DeleteAsync("/api/v1/users/@me", new { password = Api.GoodPassword })).StatusCode);
                break;
        }

        await socket.ClosedAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HubConnectionState.Disconnected, socket.Connection.State);
        await Assert.ThrowsAnyAsync<Exception>(() => GatewayClient.ConnectAsync(app, there.AccessToken));
    }

    /// <summary>Enrols and confirms with the previous step's code, leaving the current step's for a later call.</summary>
    private static async Task<(string Secret, List<string> RecoveryCodes)> TurnOnTwoFactorAsync(HttpClient client)
    {
        await TotpCodes.WaitForFreshStepAsync();
        var enrollment = await (await client.PostAsync("/api/v1/auth/2fa/enroll", null)).ReadAsync<TwoFactorEnrollment>();
        var confirmed = await (await client.PostAsJsonAsync("/api/v1/auth/2fa/confirm", new { code = TotpCodes.Now(enrollment.Secret, -1) }))
            .ReadAsync<RecoveryCodesResponse>();
        return (enrollment.Secret, confirmed.RecoveryCodes.ToList());
    }

    private async Task<AuthTokens> SignInAsync(string name, string? recoveryCode)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.UserAgent.ParseAdd("OtherDevice/1.0");
        var response = await client.PostAsJsonAsync("/api/v1/auth/login", new { login = name, password = Api.GoodPassword });
        if (recoveryCode is null)
            return await response.ReadAsync<AuthTokens>();
        var challenge = await response.ReadAsync<MfaChallenge>();
        return await (await client.PostAsJsonAsync("/api/v1/auth/login/mfa", new { mfaTicket = challenge.MfaTicket, recoveryCode }))
            .ReadAsync<AuthTokens>();
    }

    private async Task<string> ResetTokenAsync(Snowflake userId)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        return await users.GeneratePasswordResetTokenAsync((await users.FindByIdAsync(userId.ToString()))!);
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteSessionRevocationTests(SqliteApp app) : SessionRevocationTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresSessionRevocationTests(PostgresApp app) : SessionRevocationTests(app), IClassFixture<PostgresApp>;

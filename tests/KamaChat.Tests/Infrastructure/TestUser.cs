using KamaChat.Server.Features.Auth;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// A signed-up user as every test uses them: id, username, tokens and a client that sends their access token.
/// Made by <see cref="TestUsers.UserAsync"/>; set up chat for them through the API (<see cref="ChatApi"/>) or straight
/// in the database (<see cref="ChatSeed"/>), and look at what was stored with <see cref="ChatState"/>.
/// </summary>
public sealed record TestUser(Snowflake Id, string Username, AuthTokens Tokens, HttpClient Client);

public static class TestUsers
{
    /// <summary>Registers a user through the real API (a unique name unless one is given).</summary>
    public static async Task<TestUser> UserAsync(this KamaChatApp app, string? username = null)
    {
        var tokens = await app.CreateClient().RegisterAsync(username);
        return new TestUser(tokens.User.Id, tokens.User.Username, tokens, app.CreateClient(tokens.AccessToken));
    }
}

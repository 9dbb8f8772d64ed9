using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Auth;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Tests.Auth;

public abstract class RegistrationTests(KamaChatApp app)
{
    private readonly HttpClient _client = app.CreateClient();

    [Fact]
    public async Task Registering_returns_tokens_that_read_the_new_account()
    {
        var name = Api.UniqueName();
        var response = await _client.PostAsJsonAsync("/api/v1/auth/register",
            new { email = $"{name}@Example.test", username = name, password = Api.GoodPassword });
        var tokens = await response.ReadAsync<AuthTokens>(HttpStatusCode.Created);

        Assert.Equal("Bearer", tokens.TokenType);
        Assert.Equal(900, tokens.ExpiresIn);
        Assert.Equal(name, tokens.User.Username);
        Assert.True(tokens.User.Id.Value > 0);

        var me = await app.CreateClient(tokens.AccessToken).GetFromJsonAsync<Server.Features.Users.MeResponse>("/api/v1/users/@me", Api.Json);
        Assert.Equal(tokens.User.Id, me!.Id);
        Assert.Equal($"{name}@Example.test", me.Email);
    }

    [Theory]
    [InlineData("bell\u0007")]
    [InlineData("right\u202eto-left")]
    [InlineData("zero\u200bwidth")]
    [InlineData("soft\u00adhyphen")]
    [InlineData("with space")]
    [InlineData("Ada <ada")]
    public async Task An_address_the_mail_sender_could_not_use_is_refused(string localPart)
    {
        var name = Api.UniqueName();
        var email = localPart + $"{name}@example.test" + (localPart.StartsWith("Ada <", StringComparison.Ordinal) ? ">" : "");

        var response = await _client.PostAsJsonAsync("/api/v1/auth/register", new { email, username = name, password = Api.GoodPassword });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotEmpty(problem.FieldErrors("email"));
        Assert.False(await app.QueryAsync(db => db.Users.AnyAsync(u => u.UserName == name)));
    }

    [Fact]
    public async Task A_new_address_for_an_account_is_checked_the_same_way()
    {
        var tokens = await _client.RegisterAsync();

        var response = await app.CreateClient(tokens.AccessToken).PostAsJsonAsync("/api/v1/users/@me/email",
            new { newEmail = "new\u202e@example.test", password = Api.GoodPassword });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotEmpty(problem.FieldErrors("newEmail"));
    }

    [Fact]
    public async Task Registering_a_taken_email_is_a_conflict_whatever_its_case()
    {
        var first = Api.UniqueName();
        await _client.RegisterAsync(first);

        var response = await _client.PostAsJsonAsync("/api/v1/auth/register",
            new { email = $"{first.ToUpperInvariant()}@EXAMPLE.TEST", username = Api.UniqueName(), password = Api.GoodPassword });

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "email_taken");
    }

    [Fact]
    public async Task Registering_a_taken_username_is_a_conflict_whatever_its_case()
    {
        var first = Api.UniqueName();
        await _client.RegisterAsync(first);

        var response = await _client.PostAsJsonAsync("/api/v1/auth/register",
            new { email = $"{Api.UniqueName()}@example.test", username = first.ToUpperInvariant(), password = Api.GoodPassword });

        await response.AssertProblemAsync(HttpStatusCode.Conflict, "username_taken");
    }

    [Theory]
    [InlineData("short1")]
    [InlineData("password123")]
    [InlineData("QWERTYUIOP")]
    public async Task Registering_with_a_weak_password_is_refused_and_writes_nothing(string password)
    {
        var name = Api.UniqueName();
        var response = await _client.PostAsJsonAsync("/api/v1/auth/register",
            new { email = $"{name}@example.test", username = name, password });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotEmpty(problem.FieldErrors("password"));
        Assert.False(await app.QueryAsync(db => db.Users.AnyAsync(u => u.UserName == name)));
    }

    [Fact]
    public async Task A_too_short_username_or_password_is_explained_in_plain_words()
    {
        var response = await _client.PostAsJsonAsync("/api/v1/auth/register",
            new { email = $"{Api.UniqueName()}@example.test", username = "a", password = "short" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(["Use 2 to 32 characters."], problem.FieldErrors("username"));
        Assert.Equal(["Use 8 to 128 characters."], problem.FieldErrors("password"));
    }

    [Fact]
    public async Task A_password_equal_to_the_username_is_refused()
    {
        var name = Api.UniqueName("samename");
        var response = await _client.PostAsJsonAsync("/api/v1/auth/register",
            new { email = $"{name}@example.test", username = name, password = name });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotEmpty(problem.FieldErrors("password"));
    }

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("two@@example.test")]
    [InlineData("spaces in@example.test")]
    [InlineData("")]
    public async Task Registering_with_an_invalid_email_is_refused(string email)
    {
        var name = Api.UniqueName();
        var response = await _client.PostAsJsonAsync("/api/v1/auth/register",
            new { email, username = name, password = Api.GoodPassword });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotEmpty(problem.FieldErrors("email"));
        Assert.False(await app.QueryAsync(db => db.Users.AnyAsync(u => u.UserName == name)));
    }

    [Fact]
    public async Task Over_long_fields_are_refused_each_with_its_own_error()
    {
        var response = await _client.PostAsJsonAsync("/api/v1/auth/register", new
        {
            email = new string('a', 250) + "@example.test",
            username = new string('u', 33),
            password = new string('p', 129),
        });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotEmpty(problem.FieldErrors("email"));
        Assert.NotEmpty(problem.FieldErrors("username"));
        Assert.NotEmpty(problem.FieldErrors("password"));
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("emoji🙂")]
    [InlineData("a")]
    public async Task Usernames_outside_the_allowed_shape_are_refused(string username)
    {
        var response = await _client.PostAsJsonAsync("/api/v1/auth/register",
            new { email = $"{Guid.NewGuid():N}@example.test", username, password = Api.GoodPassword });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotEmpty(problem.FieldErrors("username"));
    }

    [Fact]
    public async Task Unknown_fields_and_broken_json_are_bad_requests_not_server_errors()
    {
        var name = Api.UniqueName();
        var unknown = await _client.PostAsJsonAsync("/api/v1/auth/register",
            new { email = $"{name}@example.test", username = name, password = Api.GoodPassword, isAdmin = true });
        await unknown.AssertProblemAsync(HttpStatusCode.BadRequest, "malformed_request");

        using var broken = new StringContent("{\"email\": ", System.Text.Encoding.UTF8, "application/json");
        var brokenResponse = await _client.PostAsync("/api/v1/auth/register", broken);
        await brokenResponse.AssertProblemAsync(HttpStatusCode.BadRequest, "malformed_request");

        using var wrongType = new StringContent("{\"email\": 5, \"username\": [], \"password\": {}}", System.Text.Encoding.UTF8, "application/json");
        var wrongTypeResponse = await _client.PostAsync("/api/v1/auth/register", wrongType);
        await wrongTypeResponse.AssertProblemAsync(HttpStatusCode.BadRequest, "malformed_request");

        Assert.False(await app.QueryAsync(db => db.Users.AnyAsync(u => u.UserName == name)));
    }

    [Fact]
    public async Task Missing_fields_are_validation_errors()
    {
        var response = await _client.PostAsJsonAsync("/api/v1/auth/register", new { email = "x@example.test" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotEmpty(problem.FieldErrors("username"));
        Assert.NotEmpty(problem.FieldErrors("password"));
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteRegistrationTests(SqliteApp app) : RegistrationTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresRegistrationTests(PostgresApp app) : RegistrationTests(app), IClassFixture<PostgresApp>;

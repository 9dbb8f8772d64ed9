using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Users;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Tests.Users;

public abstract class ProfileTests(KamaChatApp app)
{
    [Fact]
    public async Task The_profile_can_be_updated_field_by_field_and_cleared()
    {
        var tokens = await app.CreateClient().RegisterAsync();
        var me = app.CreateClient(tokens.AccessToken);

        var updated = await (await me.PatchAsJsonAsync("/api/v1/users/@me", new
        {
            displayName = "  Alice Liddell  ",
            bio = "Curiouser and curiouser.",
            avatarUrl = "https://example.test/a.png",
            statusText = "down the rabbit hole",
        })).ReadAsync<MeResponse>();
        Assert.Equal("Alice Liddell", updated.DisplayName);
        Assert.Equal("Curiouser and curiouser.", updated.Bio);

        // Only the bio is sent: the other fields stay; an empty string clears.
        var cleared = await (await me.PatchAsJsonAsync("/api/v1/users/@me", new { bio = "" })).ReadAsync<MeResponse>();
        Assert.Null(cleared.Bio);
        Assert.Equal("Alice Liddell", cleared.DisplayName);
        Assert.Equal("https://example.test/a.png", cleared.AvatarUrl);

        var read = await (await me.GetAsync("/api/v1/users/@me")).ReadAsync<MeResponse>();
        Assert.Equal(cleared, read);
    }

    [Fact]
    public async Task Invalid_profile_values_are_refused_and_nothing_changes()
    {
        var tokens = await app.CreateClient().RegisterAsync();
        var me = app.CreateClient(tokens.AccessToken);
        await me.PatchAsJsonAsync("/api/v1/users/@me", new { displayName = "Before" });

        var tooLong = await me.PatchAsJsonAsync("/api/v1/users/@me", new
        {
            displayName = new string('d', 101),
            bio = new string('b', 191),
            statusText = new string('s', 129),
        });
        var problem = await tooLong.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        Assert.NotEmpty(problem.FieldErrors("displayName"));
        Assert.NotEmpty(problem.FieldErrors("bio"));
        Assert.NotEmpty(problem.FieldErrors("statusText"));

        var badAvatar = await me.PatchAsJsonAsync("/api/v1/users/@me", new { displayName = "After", avatarUrl = "javascript:alert(1)" });
        Assert.NotEmpty((await badAvatar.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed")).FieldErrors("avatarUrl"));

        var id = tokens.User.Id;
        Assert.Equal("Before", await app.QueryAsync(db => db.Users.Where(u => u.Id == id).Select(u => u.DisplayName).SingleAsync()));
    }

    [Fact]
    public async Task Anyone_signed_in_sees_a_public_profile_without_the_email()
    {
        var alice = await app.CreateClient().RegisterAsync();
        var bob = app.CreateClient((await app.CreateClient().RegisterAsync()).AccessToken);
        await app.CreateClient(alice.AccessToken).PatchAsJsonAsync("/api/v1/users/@me", new { bio = "hello" });

        var response = await bob.GetAsync($"/api/v1/users/{alice.User.Id}");
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var profile = System.Text.Json.JsonSerializer.Deserialize<UserProfileResponse>(body, Api.Json)!;
        Assert.Equal(alice.User.Username, profile.Username);
        Assert.Equal("hello", profile.Bio);
        Assert.DoesNotContain("email", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("example.test", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task An_unknown_user_is_a_not_found_problem()
    {
        var me = app.CreateClient((await app.CreateClient().RegisterAsync()).AccessToken);

        await (await me.GetAsync("/api/v1/users/999999999999")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Profiles_need_a_signed_in_caller()
    {
        var alice = await app.CreateClient().RegisterAsync();

        await (await app.CreateClient().GetAsync($"/api/v1/users/{alice.User.Id}")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await app.CreateClient().PatchAsJsonAsync("/api/v1/users/@me", new { bio = "x" })).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteProfileTests(SqliteApp app) : ProfileTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresProfileTests(PostgresApp app) : ProfileTests(app), IClassFixture<PostgresApp>;

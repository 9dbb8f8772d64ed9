using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Http;

/// <summary>
/// NUL and other control characters have no place in names, addresses, tokens or message text; PostgreSQL cannot
/// even store a NUL. Every JSON string, route value and query string is checked before any handler runs.
/// </summary>
public abstract class ControlCharacterTests(KamaChatApp app)
{
    [Fact]
    public async Task A_nul_in_the_login_is_refused_before_signing_in()
    {
        var response = await app.CreateClient().PostAsJsonAsync("/api/v1/auth/login", new { login = "ab\0c", password = "a password" });

        await AssertRefusedAsync(response, "login");
    }

    [Fact]
    public async Task A_nul_in_a_registration_field_is_refused_and_nothing_is_written()
    {
        var name = Api.UniqueName();
        var client = app.CreateClient();

        await AssertRefusedAsync(await client.PostAsJsonAsync("/api/v1/auth/register",
            new { email = $"{name}\0@example.test", username = name, password = Api.GoodPassword }), "email");
        await AssertRefusedAsync(await client.PostAsJsonAsync("/api/v1/auth/register",
            new { email = $"{name}@example.test", username = name, password = "a long pass\0word" }), "password");

        // The name is still free: nothing was stored.
        await client.RegisterAsync(name);
    }

    [Fact]
    public async Task Control_characters_in_profile_fields_are_refused_for_each_field()
    {
        var me = await app.UserAsync();

        await AssertRefusedAsync(await me.Client.PatchAsJsonAsync("/api/v1/users/@me", new { displayName = "Ada\0" }), "displayName");
        await AssertRefusedAsync(await me.Client.PatchAsJsonAsync("/api/v1/users/@me", new { bio = "bell \u0007" }), "bio");
        await AssertRefusedAsync(await me.Client.PatchAsJsonAsync("/api/v1/users/@me", new { statusText = "escape \u001b[31m" }), "statusText");
    }

    [Fact]
    public async Task Message_text_keeps_its_line_breaks_and_tabs_but_not_a_nul()
    {
        var author = await app.UserAsync();
        var (_, channelId, _) = await app.SeedServerWithChannelAsync(author);

        await AssertRefusedAsync(await author.Client.SendMessageAsync(channelId, "hello\0world"), "content");
        await AssertRefusedAsync(await author.Client.SendMessageAsync(channelId, "hello", nonce: "n\0nce"), "nonce");
        var kept = await author.Client.SendOkAsync(channelId, "line one\nline two\r\n\tindented");

        Assert.Equal("line one\nline two\r\n\tindented", kept.Content);
        Assert.Equal(1, await app.MessageCountAsync(channelId));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Raw_utf8_text_is_judged_by_what_it_decodes_to_with_or_without_a_content_length(bool contentLength)
    {
        var author = await app.UserAsync();
        var (_, channelId, _) = await app.SeedServerWithChannelAsync(author);
        // Written as raw UTF-8, not as \u escapes: the check sees these bytes, not a backslash.
        async Task<HttpResponseMessage> SendRawAsync(string json)
        {
            var bytes = System.Text.Encoding.UTF8.GetBytes(json);
            HttpContent body = contentLength ? new ByteArrayContent(bytes) : new StreamContent(new UnknownLengthStream(bytes));
            body.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return await author.Client.PostAsync($"/api/v1/channels/{channelId}/messages", body);
        }

        // A C1 control (U+0085, bytes C2 85) and a DEL are refused as an escaped one is.
        await AssertRefusedAsync(await SendRawAsync("{\"content\":\"next\u0085line\"}"), "content");
        await AssertRefusedAsync(await SendRawAsync("{\"content\":\"rub\u007fout\"}"), "content");
        // Broken UTF-8 (a lone surrogate's bytes) cannot be text.
        var broken = new ByteArrayContent([.. "{\"content\":\"a"u8, 0xed, 0xa0, 0x80, .. "\"}"u8]);
        broken.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        await AssertRefusedAsync(await author.Client.PostAsync($"/api/v1/channels/{channelId}/messages", broken), "content");
        // Text beyond ASCII is kept as sent.
        var response = await SendRawAsync("{\"content\":\"Привет 👋 café\"}");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal("Привет 👋 café", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("content").GetString());
        Assert.Equal(1, await app.MessageCountAsync(channelId));
    }

    /// <summary>
    /// A body whose length HttpClient cannot know. The in-memory test server still declares one to the app, so only the
    /// client side differs here; a body that really arrives chunked is in <see cref="KestrelTests"/>.
    /// </summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public async Task A_nul_in_a_server_name_ban_reason_or_group_dm_name_is_refused()
    {
        var owner = await app.UserAsync();
        var other = await app.UserAsync();
        var serverId = await app.SeedServerAsync(owner);
        await app.SeedMemberAsync(serverId, other);

        await AssertRefusedAsync(await owner.Client.PostAsJsonAsync("/api/v1/servers", new { name = "Guild\0" }), "name");
        await AssertRefusedAsync(await owner.Client.PutAsJsonAsync($"/api/v1/servers/{serverId}/bans/{other.Id}", new { reason = "spam\0" }), "reason");
        await AssertRefusedAsync(await owner.Client.PostAsJsonAsync("/api/v1/users/@me/group-channels",
            new { recipientIds = new[] { other.Id.ToString() }, name = "group\0" }), "name");
        // A string inside an array names its position.
        await AssertRefusedAsync(await owner.Client.PostAsJsonAsync("/api/v1/users/@me/group-channels",
            new { recipientIds = new[] { "1\0" } }), "recipientIds[0]");
    }

    [Fact]
    public async Task A_nul_in_a_route_value_or_a_query_string_is_refused()
    {
        var me = await app.UserAsync();

        // (A %00 in the path never gets this far in a test server: KestrelTests sends one over a real socket.)
        await AssertRefusedAsync(await me.Client.GetAsync("/api/v1/invites/ab%01cd"), "code");
        await AssertRefusedAsync(await me.Client.GetAsync("/api/v1/users/@me?tag=a%00b"), "tag");
        // A parameter whose very name is broken is reported as the query.
        await AssertRefusedAsync(await me.Client.GetAsync("/api/v1/users/@me?a%01b=1"), "query");
    }

    private static async Task AssertRefusedAsync(HttpResponseMessage response, string field)
    {
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "validation_failed");
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out var messages),
            $"expected an error for '{field}', got {errors.GetRawText()}");
        Assert.Equal(JsonValueKind.Array, messages.ValueKind);
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteControlCharacterTests(SqliteApp app) : ControlCharacterTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresControlCharacterTests(PostgresApp app) : ControlCharacterTests(app), IClassFixture<PostgresApp>;

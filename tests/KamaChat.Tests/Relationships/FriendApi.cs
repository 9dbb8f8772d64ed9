using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.DirectMessages;
using KamaChat.Server.Features.Relationships;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Relationships;

/// <summary>Friends, blocks and DMs through the public API, as the relationship tests use them.</summary>
internal static class FriendApi
{
    public const string Relationships = "/api/v1/users/@me/relationships";

    public static Task<HttpResponseMessage> RequestFriendAsync(this TestUser from, string username) =>
        from.Client.PostAsJsonAsync(Relationships, new { username });

    public static Task<HttpResponseMessage> SetRelationshipAsync(this TestUser from, TestUser to, string type) =>
        from.Client.PutAsJsonAsync($"{Relationships}/{to.Id}", new { type });

    public static Task<HttpResponseMessage> RemoveRelationshipAsync(this TestUser from, TestUser to) =>
        from.Client.DeleteAsync($"{Relationships}/{to.Id}");

    public static async Task<List<RelationshipResponse>> RelationshipsAsync(this TestUser user) =>
        await (await user.Client.GetAsync(Relationships)).ReadAsync<List<RelationshipResponse>>();

    /// <summary>The user's relationships as "username:type", for comparing whole lists.</summary>
    public static async Task<List<string>> RelationshipListAsync(this TestUser user) =>
        (await user.RelationshipsAsync()).Select(r => $"{r.User.Username}:{r.Type}").Order().ToList();

    public static async Task BefriendAsync(this TestUser a, TestUser b)
    {
        Assert.Equal("outgoing", (await (await a.RequestFriendAsync(b.Username)).ReadAsync<RelationshipResponse>()).Type);
        Assert.Equal("friend", (await (await b.SetRelationshipAsync(a, "friend")).ReadAsync<RelationshipResponse>()).Type);
    }

    public static async Task BlockAsync(this TestUser blocker, TestUser blocked) =>
        Assert.Equal("blocked", (await (await blocker.SetRelationshipAsync(blocked, "blocked")).ReadAsync<RelationshipResponse>()).Type);

    public static Task<HttpResponseMessage> OpenDmAsync(this TestUser from, TestUser to) =>
        from.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = to.Id });

    public static async Task<Snowflake> OpenDmOkAsync(this TestUser from, TestUser to)
    {
        var response = await from.OpenDmAsync(to);
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<DmChannelResponse>(Api.Json))!.Id;
    }

    public static async Task<PrivacySettingsResponse> SetPrivacyAsync(this TestUser user, object body) =>
        await (await user.Client.PatchAsJsonAsync("/api/v1/users/@me/privacy", body)).ReadAsync<PrivacySettingsResponse>();
}

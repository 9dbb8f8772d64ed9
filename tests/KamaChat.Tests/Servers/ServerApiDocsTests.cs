using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Servers;

public sealed class ServerApiDocsTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task The_openapi_document_describes_the_server_channel_role_and_invite_endpoints()
    {
        var document = await app.CreateClient().GetStringAsync("/openapi/v1.json");

        foreach (var path in new[]
                 {
                     "/api/v1/servers/{id}", "/api/v1/servers/{id}/members", "/api/v1/servers/{id}/bans/{userId}",
                     "/api/v1/invites/{code}/join", "/api/v1/servers/{id}/roles/positions", "/api/v1/channels/{id}/permissions/{targetType}/{targetId}",
                     "/api/v1/users/@me/servers",
                 })
            Assert.Contains($"\"{path}\"", document, StringComparison.Ordinal);
    }
}

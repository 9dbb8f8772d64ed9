using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Channels;
using KamaChat.Tests.Infrastructure;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Servers;

public abstract class RejoinTests(KamaChatApp app)
{
    [Fact]
    public async Task A_kicked_member_who_rejoins_does_not_get_back_their_private_channel_access()
    {
        var owner = await app.UserAsync();
        var member = await app.UserAsync();
        var server = await owner.CreateServerAsync();
        await member.JoinAsync(owner, server.Id);
        var staff = await owner.CreateChannelAsync(server.Id, "staff");
        var view = ((long)P.ViewChannel).ToString(CultureInfo.InvariantCulture);
        Assert.True((await owner.Client.PutAsJsonAsync($"/api/v1/channels/{staff.Id}/permissions/role/{server.Id}", new { allow = "0", deny = view })).IsSuccessStatusCode);
        Assert.True((await owner.Client.PutAsJsonAsync($"/api/v1/channels/{staff.Id}/permissions/member/{member.Id}", new { allow = view, deny = "0" })).IsSuccessStatusCode);
        Assert.Equal(HttpStatusCode.OK, (await member.Client.GetAsync($"/api/v1/channels/{staff.Id}")).StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/servers/{server.Id}/members/{member.Id}")).StatusCode);
        await member.JoinAsync(owner, server.Id);

        await (await member.Client.GetAsync($"/api/v1/channels/{staff.Id}")).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var visible = await (await member.Client.GetAsync($"/api/v1/servers/{server.Id}/channels")).ReadAsync<List<ChannelResponse>>();
        Assert.DoesNotContain(visible, c => c.Id == staff.Id);
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteRejoinTests(SqliteApp app) : RejoinTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresRejoinTests(PostgresApp app) : RejoinTests(app), IClassFixture<PostgresApp>;

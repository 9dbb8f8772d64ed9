using System.Net;
using KamaChat.Server.Features.Messages;
using KamaChat.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Perms = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.Messages;

public abstract class PinTests(KamaChatApp app)
{

    [Fact]
    public async Task Pinning_and_unpinning_show_in_the_pin_list_and_the_event_log()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var first = await owner.Client.SendOkAsync(channelId, "first");
        var second = await owner.Client.SendOkAsync(channelId, "second");

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.PutAsync($"/api/v1/channels/{channelId}/pins/{first.Id}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.PutAsync($"/api/v1/channels/{channelId}/pins/{first.Id}", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.PutAsync($"/api/v1/channels/{channelId}/pins/{second.Id}", null)).StatusCode);

        var pins = await (await owner.Client.GetAsync($"/api/v1/channels/{channelId}/pins")).ReadAsync<List<MessageResponse>>();
        Assert.Equal([second.Id, first.Id], pins.Select(p => p.Id));
        Assert.All(pins, p => Assert.True(p.Pinned));

        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{channelId}/pins/{first.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.Client.DeleteAsync($"/api/v1/channels/{channelId}/pins/{first.Id}")).StatusCode);
        pins = await (await owner.Client.GetAsync($"/api/v1/channels/{channelId}/pins")).ReadAsync<List<MessageResponse>>();
        Assert.Equal([second.Id], pins.Select(p => p.Id));

        await app.AssertChannelEventsAsync(channelId, "MessageCreated", "MessageCreated", "MessagePinned", "MessagePinned", "MessageUnpinned");
    }

    [Fact]
    public async Task A_channel_holds_at_most_50_pins()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var ids = await app.SeedMessagesAsync(channelId, owner, 51);
        await app.QueryAsync(db => db.Messages.Where(m => m.ChannelId == channelId && m.Id != ids[50])
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.PinnedAt, DateTimeOffset.UtcNow)));

        await (await owner.Client.PutAsync($"/api/v1/channels/{channelId}/pins/{ids[50]}", null)).AssertProblemAsync(HttpStatusCode.BadRequest, "too_many_pins");

        Assert.Null(await app.QueryAsync(db => db.Messages.Where(m => m.Id == ids[50]).Select(m => m.PinnedAt).SingleAsync()));
        Assert.Empty(await app.EventsAsync(Server.Features.Events.EventScope.Channel, channelId));
    }

    [Fact]
    public async Task Pinning_needs_PIN_MESSAGES_or_MANAGE_MESSAGES()
    {
        var member = await app.UserAsync();
        var pinner = await app.UserAsync();
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync(member, pinner);
        await app.SeedRoleAsync(serverId, Perms.PinMessages, pinner);
        var message = await owner.Client.SendOkAsync(channelId, "hi");

        await (await member.Client.PutAsync($"/api/v1/channels/{channelId}/pins/{message.Id}", null)).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        Assert.Equal(HttpStatusCode.NoContent, (await pinner.Client.PutAsync($"/api/v1/channels/{channelId}/pins/{message.Id}", null)).StatusCode);
        await (await member.Client.DeleteAsync($"/api/v1/channels/{channelId}/pins/{message.Id}")).AssertProblemAsync(HttpStatusCode.Forbidden, "missing_permission");
        Assert.Single(await (await member.Client.GetAsync($"/api/v1/channels/{channelId}/pins")).ReadAsync<List<MessageResponse>>());
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqlitePinTests(SqliteApp app) : PinTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresPinTests(PostgresApp app) : PinTests(app), IClassFixture<PostgresApp>;

using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Features.Servers;
using KamaChat.Server.Features.Users;
using KamaChat.Server.Infrastructure.Storage;
using KamaChat.Tests.Infrastructure;
using KamaChat.Tests.Media;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Attachments;

/// <summary>
/// Deleting a message's, channel's, server's or account's rows deletes their stored files (originals and derivatives)
/// through the job queue: checked by listing the real storage, the app's folder on disk (SQLite) or the S3 bucket (PostgreSQL).
/// </summary>
[Collection("libvips")]
public abstract class FileDeletionTests(KamaChatApp app, MediaSamples samples) : IClassFixture<MediaSamples>
{
    [Fact]
    public async Task Deleting_a_channel_deletes_the_original_and_derivatives_of_its_attachments()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var id = await SendProcessedImageAsync(owner, channelId);
        Assert.True(await FileCountAsync(id) >= 3); // the original and two thumbnails

        (await owner.Client.DeleteAsync($"/api/v1/channels/{channelId}")).EnsureSuccessStatusCode();

        await WaitUntilEmptyAsync(DeleteAttachmentFilesJob.Prefix(id));
    }

    [Fact]
    public async Task Deleting_a_server_deletes_its_attachment_files_and_its_icon()
    {
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var id = await SendProcessedImageAsync(owner, channelId);
        using var iconBody = new ByteArrayContent(await File.ReadAllBytesAsync(samples.Image($"icon-{Guid.NewGuid():N}.png", 64, 64)));
        var server = await (await owner.Client.PutAsync($"/api/v1/servers/{serverId}/icon", iconBody)).ReadAsync<ServerResponse>();

        (await owner.Client.DeleteAsync($"/api/v1/servers/{serverId}", new { confirmName = "Test server" })).EnsureSuccessStatusCode();

        await WaitUntilEmptyAsync(DeleteAttachmentFilesJob.Prefix(id));
        await WaitUntilEmptyAsync(server.IconUrl!["/media/public/".Length..server.IconUrl!.LastIndexOf('/')] + "/");
    }

    [Fact]
    public async Task Deleting_an_account_deletes_its_avatar_and_unsent_uploads_and_keeps_what_it_sent()
    {
        var member = await app.UserAsync();
        var (_, channelId, _) = await app.SeedServerWithChannelAsync(member);
        var sent = await SendProcessedImageAsync(member, channelId);
        var unsent = await member.Client.UploadOkAsync(channelId, "draft.bin", [1, 2, 3]);
        using var avatarBody = new ByteArrayContent(await File.ReadAllBytesAsync(samples.Image($"me-{Guid.NewGuid():N}.png", 64, 64)));
        var me = await (await member.Client.PutAsync("/api/v1/users/@me/avatar", avatarBody)).ReadAsync<MeResponse>();

        (await member.Client.DeleteAsync("/api/v1/users/@me", new { password = Api.GoodPassword })).EnsureSuccessStatusCode();

        await WaitUntilEmptyAsync(me.AvatarUrl!["/media/public/".Length..me.AvatarUrl!.LastIndexOf('/')] + "/");
        await WaitUntilEmptyAsync(DeleteAttachmentFilesJob.Prefix(unsent.Id));
        Assert.Equal(0, await app.QueryAsync(db => db.Attachments.CountAsync(a => a.Id == unsent.Id)));
        // Messages stay under the tombstone, and so do their files.
        Assert.True(await FileCountAsync(sent) >= 3);
    }

    [Fact]
    public async Task A_ban_that_deletes_the_members_messages_deletes_their_files()
    {
        var member = await app.UserAsync();
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync(member);
        var id = await SendProcessedImageAsync(member, channelId);

        var ban = await owner.Client.PutAsJsonAsync($"/api/v1/servers/{serverId}/bans/{member.Id}", new { deleteMessageSeconds = 3600 }, Api.Json);

        Assert.Equal(HttpStatusCode.NoContent, ban.StatusCode);
        await WaitUntilEmptyAsync(DeleteAttachmentFilesJob.Prefix(id));
    }

    /// <summary>Uploads a small PNG, sends it, and waits until processing stored its derivatives.</summary>
    private async Task<Snowflake> SendProcessedImageAsync(TestUser user, Snowflake channelId)
    {
        var upload = await user.Client.UploadOkAsync(channelId, "cat.png", await File.ReadAllBytesAsync(samples.Image($"cat-{Guid.NewGuid():N}.png", 320, 240)));
        await user.Client.SendWithOkAsync(channelId, "", upload.Id);
        var waited = Stopwatch.StartNew();
        while (await app.QueryAsync(db => db.Attachments.Where(a => a.Id == upload.Id).Select(a => a.State).SingleAsync()) is not AttachmentState.Ready)
        {
            if (waited.Elapsed > TimeSpan.FromMinutes(1))
                throw new TimeoutException($"Attachment {upload.Id} was not processed.");
            await Task.Delay(100);
        }
        return upload.Id;
    }

    private async Task<int> FileCountAsync(Snowflake attachmentId) => await CountAsync(DeleteAttachmentFilesJob.Prefix(attachmentId));

    private async Task<int> CountAsync(string prefix)
    {
        var count = 0;
        await foreach (var _ in app.Services.GetRequiredService<IMediaStorage>().ListAsync(prefix))
            count++;
        return count;
    }

    /// <summary>Waits for the deletion job (asynchronous, on the app's queue) to leave nothing under <paramref name="prefix"/>.</summary>
    private async Task WaitUntilEmptyAsync(string prefix)
    {
        var waited = Stopwatch.StartNew();
        while (await CountAsync(prefix) is > 0 and var left)
        {
            if (waited.Elapsed > TimeSpan.FromMinutes(1))
                throw new TimeoutException($"{left} files under {prefix} are still stored.");
            await Task.Delay(100);
        }
    }
}

public sealed class SqliteFileDeletionTests(UploadSqliteApp app, MediaSamples samples)
    : FileDeletionTests(app, samples), IClassFixture<UploadSqliteApp>;

public sealed class PostgresFileDeletionTests(UploadPostgresApp app, MediaSamples samples)
    : FileDeletionTests(app, samples), IClassFixture<UploadPostgresApp>;

using KamaChat.Server.Features.Attachments;
using KamaChat.Server.Infrastructure.Ids;
using KamaChat.Server.Infrastructure.Storage;
using KamaChat.Server.Features.Users;
using KamaChat.Tests.Infrastructure;
using KamaChat.Tests.Media;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Attachments;

/// <summary>
/// The orphan sweep against the app's own local-disk storage. SQLite only: the sweep lists all of storage, and the
/// PostgreSQL apps share one S3 bucket, where another test's young files would look like orphans to a shifted clock.
/// </summary>
[Collection("libvips")]
[Trait("Provider", "sqlite")]
public sealed class OrphanFileSweepTests(UploadSqliteApp app, MediaSamples samples) : IClassFixture<UploadSqliteApp>, IClassFixture<MediaSamples>
{
    [Fact]
    public async Task Files_no_row_refers_to_are_deleted_once_older_than_the_grace_and_live_ones_stay()
    {
        var storage = app.Services.GetRequiredService<IMediaStorage>();
        var (serverId, channelId, owner) = await app.SeedServerWithChannelAsync();
        var live = await owner.Client.UploadOkAsync(channelId, "live.bin", [1, 2, 3]);
        using var avatarBody = new ByteArrayContent(await File.ReadAllBytesAsync(samples.Image($"me-{Guid.NewGuid():N}.png", 64, 64)));
        var me = await (await owner.Client.PutAsync("/api/v1/users/@me/avatar", avatarBody)).ReadAsync<MeResponse>();
        using var bannerBody = new ByteArrayContent(await File.ReadAllBytesAsync(samples.Image($"band-{Guid.NewGuid():N}.png", 250, 100)));
        var banner = (await (await owner.Client.PutAsync("/api/v1/users/@me/banner", bannerBody)).ReadAsync<MeResponse>()).BannerUrl!;
        var orphanId = app.Services.GetRequiredService<SnowflakeGenerator>().NextId();
        var orphanAttachment = DeleteAttachmentFilesJob.Prefix(orphanId);
        var orphanPicture = $"avatars/{owner.Id}/{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())}/";
        var orphanBanner = $"server-banners/{serverId}/{Convert.ToHexStringLower(Guid.NewGuid().ToByteArray())}/";
        foreach (var key in new[] { orphanAttachment + "original", orphanAttachment + "thumb-400.webp", orphanPicture + "128.webp", orphanBanner + "600.webp" })
            await storage.PutAsync(key, new MemoryStream([1, 2, 3]), 3, "application/octet-stream");

        // A write cut off by a crash leaves its temporary file in local storage's ".partial" folder.
        var partial = Path.Combine(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<StorageOptions>>().Value.LocalDirectory, ".partial",
            $"{Guid.NewGuid():N}.tmp");
        await File.WriteAllBytesAsync(partial, [1, 2, 3]);

        var now = ActivatorUtilities.CreateInstance<OrphanFileSweeper>(app.Services, TimeProvider.System);
        Assert.Equal(0, await now.SweepAsync(CancellationToken.None)); // young files may be uploads whose row is on its way

        var later = ActivatorUtilities.CreateInstance<OrphanFileSweeper>(app.Services, new ShiftedClock(TimeSpan.FromDays(2)));
        Assert.Equal(4, await later.SweepAsync(CancellationToken.None));
        Assert.False(File.Exists(partial));

        Assert.False(await storage.ExistsAsync(orphanAttachment + "original"));
        Assert.False(await storage.ExistsAsync(orphanAttachment + "thumb-400.webp"));
        Assert.False(await storage.ExistsAsync(orphanPicture + "128.webp"));
        Assert.False(await storage.ExistsAsync(orphanBanner + "600.webp"));
        Assert.True(await storage.ExistsAsync(DeleteAttachmentFilesJob.Prefix(live.Id) + "original"));
        Assert.True(await storage.ExistsAsync(me.AvatarUrl!["/media/public/".Length..]));
        Assert.True(await storage.ExistsAsync(banner["/media/public/".Length..]));
        Assert.True(await storage.ExistsAsync(banner["/media/public/".Length..].Replace("/600.webp", "/1200.webp", StringComparison.Ordinal)));
    }

    private sealed class ShiftedClock(TimeSpan shift) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + shift;
    }
}

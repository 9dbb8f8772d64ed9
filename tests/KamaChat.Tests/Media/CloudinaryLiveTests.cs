using System.Net;
using System.Security.Cryptography;
using KamaChat.Server.Infrastructure.Storage;
using KamaChat.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace KamaChat.Tests.Media;

/// <summary>The Cloudinary backend against a real Cloudinary account: run with CLOUDINARY_* set (there is no fake Cloudinary).</summary>
public sealed class CloudinaryLiveTests
{
    [RequiresEnvironmentFact("CLOUDINARY_CLOUD_NAME", "CLOUDINARY_API_KEY", "CLOUDINARY_API_SECRET")]
    public async Task Upload_read_range_share_list_and_delete_on_the_real_service()
    {
        var options = new CloudinaryOptions();
        var errors = new List<string>();
        CloudinaryOptions.Bind(options, new ConfigurationBuilder().AddEnvironmentVariables().Build(), errors);
        Assert.Empty(errors);
        using var http = new HttpClient();
        var storage = new CloudinaryStorage(options, http, TimeProvider.System);
        var prefix = $"kamachat-test/{Guid.NewGuid():N}/";
        var key = prefix + "original";
        var bytes = RandomNumberGenerator.GetBytes(50_000);

        try
        {
            Assert.Equal(bytes.Length, await storage.PutAsync(key, new MemoryStream(bytes), bytes.Length, "application/octet-stream"));
            Assert.True(await storage.ExistsAsync(key));

            await using (var whole = await storage.GetAsync(key))
                Assert.Equal(bytes, await ReadAsync(whole!.Content));
            await using (var part = await storage.GetAsync(key, ByteRange.Between(100, 199)))
                Assert.Equal(bytes[100..200], await ReadAsync(part!.Content));

            var shared = storage.GetReadUrl(key, TimeSpan.FromMinutes(5));
            Assert.Equal(bytes, await http.GetByteArrayAsync(shared));
            var tampered = new Uri(shared.ToString().Replace("signature=", "signature=0", StringComparison.Ordinal));
            Assert.NotEqual(HttpStatusCode.OK, (await http.GetAsync(tampered)).StatusCode);

            var listed = new List<StoredObjectInfo>();
            await foreach (var item in storage.ListAsync(prefix))
                listed.Add(item);
            Assert.Equal([key], listed.Select(o => o.Key));
        }
        finally
        {
            await storage.DeleteAsync(key);
        }
        Assert.False(await storage.ExistsAsync(key));
    }

    private static async Task<byte[]> ReadAsync(Stream stream)
    {
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }
}

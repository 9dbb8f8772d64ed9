using KamaChat.Server.Infrastructure.Storage;
using KamaChat.Tests.Infrastructure;
using KamaChat.Tests.Media;
using Microsoft.Extensions.DependencyInjection;
using NetVips;

namespace KamaChat.Tests.ProfileImages;

/// <summary>What the picture tests share: a photo whose halves tell a crop apart, and the stored files behind a picture's URL.</summary>
internal static class Pictures
{
    /// <summary>A 400 × 200 JPEG, red on its left half and blue on its right.</summary>
    public static string RedLeftBlueRight(this MediaSamples samples, string name)
    {
        using var red = Image.Black(200, 200).NewFromImage(230, 20, 20);
        using var blue = Image.Black(200, 200).NewFromImage(20, 20, 230);
        using var joined = red.Join(blue, Enums.Direction.Horizontal).Copy(interpretation: Enums.Interpretation.Srgb);
        var path = samples.PathOf(name);
        joined.WriteToFile(path);
        return path;
    }

    public static Task<bool> PictureStoredAsync(this KamaChatApp app, string url) =>
        app.Services.GetRequiredService<IMediaStorage>().ExistsAsync(url["/media/public/".Length..]);

    /// <summary>Waits for the deletion job to remove every size of the picture at <paramref name="url"/>.</summary>
    public static async Task WaitUntilPictureGoneAsync(this KamaChatApp app, string url)
    {
        var storage = app.Services.GetRequiredService<IMediaStorage>();
        var prefix = url["/media/public/".Length..url.LastIndexOf('/')] + "/";
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var left = 0;
            await foreach (var _ in storage.ListAsync(prefix))
                left++;
            if (left == 0)
                return;
            if (waited.Elapsed > TimeSpan.FromMinutes(1))
                throw new TimeoutException($"{left} files of {prefix} are still stored.");
            await Task.Delay(100);
        }
    }

    /// <summary>Whether anything is stored under <paramref name="prefix"/>.</summary>
    public static async Task<bool> AnyStoredAsync(this KamaChatApp app, string prefix)
    {
        await foreach (var _ in app.Services.GetRequiredService<IMediaStorage>().ListAsync(prefix))
            return true;
        return false;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using KamaChat.Server.Infrastructure.Ids;

namespace KamaChat.Bench;

/// <summary>
/// The upload half of ./kamachat bench media, against the real server (its own process, local-disk storage):
/// throughput of <c>POST …/attachments</c> against a plain file copy of the same bytes on the same disk, and the
/// server's resident memory while several clients each upload a large file at once (uploads stream, so it should not
/// grow with the file sizes).
/// </summary>
public static class UploadBench
{
    private const int CopyBufferBytes = 1024 * 1024;

    public static async Task RunAsync(int megabytes, int clients, int rounds)
    {
        var size = megabytes * 1024L * 1024;
        await using var server = await ServerUnderTest.StartAsync(new Dictionary<string, string>
        {
            ["KAMACHAT_MAX_UPLOAD_MB"] = (megabytes + 1).ToString(CultureInfo.InvariantCulture),
            // The bench uploads gigabytes a minute from a few accounts; real accounts are capped far lower.
            ["RateLimits__Upload__PerAccount"] = "100000",
            ["RateLimits__UploadBytes__PerAccount"] = "2000000000",
            ["RateLimits__UploadBytes__PerIp"] = "2000000000",
        });
        var accounts = new List<(string Token, Snowflake Id)>();
        for (var i = 0; i < clients; i++)
        {
            var tokens = await server.RegisterAsync($"uploader{i}_{Guid.NewGuid():N}"[..20]);
            accounts.Add((tokens.AccessToken, tokens.User.Id));
        }
        var channelId = await server.SeedChannelAsync(accounts.Select(a => a.Id));

        var scratch = Directory.CreateTempSubdirectory("kamachat-bench-upload-").FullName;
        try
        {
            var source = Path.Combine(scratch, "source.bin");
            WriteRandom(source, size);
            using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };

            // Warm-up: the endpoint jitted, the storage folders made.
            await UploadAsync(http, channelId, accounts[0].Token, source);

            // --- Baseline: the same bytes copied file to file on the same disk, each copy flushed to it like the server's.
            var copy = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                var clock = Stopwatch.StartNew();
                await CopyAsync(source, Path.Combine(scratch, $"copy-{i}.bin"));
                copy.Add(clock.Elapsed.TotalSeconds);
                File.Delete(Path.Combine(scratch, $"copy-{i}.bin"));
            }

            // --- Through the API, one upload at a time.
            var api = new List<double>();
            for (var i = 0; i < rounds; i++)
            {
                var clock = Stopwatch.StartNew();
                await UploadAsync(http, channelId, accounts[0].Token, source);
                api.Add(clock.Elapsed.TotalSeconds);
            }

            // --- Memory: every client uploads the whole file at once; the server's RSS sampled throughout.
            GC.Collect();
            await Task.Delay(1000);
            var before = server.ResidentBytes();
            var peak = before;
            using var sampling = new CancellationTokenSource();
            var sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    peak = Math.Max(peak, server.ResidentBytes());
                    try { await Task.Delay(20, sampling.Token); } catch (OperationCanceledException) { }
                }
            });
            var concurrentClock = Stopwatch.StartNew();
            await Task.WhenAll(accounts.Select(a => UploadAsync(http, channelId, a.Token, source)));
            var concurrentSeconds = concurrentClock.Elapsed.TotalSeconds;
            await sampling.CancelAsync();
            await sampler;

            double Rate(double seconds) => megabytes / seconds;
            var copyRate = Rate(copy.Min());
            var apiRate = Rate(api.Min());
            var growth = (peak - before) / 1048576.0;
            Console.WriteLine();
            Console.WriteLine($"Uploads: {megabytes} MiB of random bytes, best of {rounds}; local-disk storage; client and server on this machine.");
            Console.WriteLine();
            Console.WriteLine("| run | MiB/s | ratio |");
            Console.WriteLine("|---|---|---|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| file copy (baseline) | {copyRate:0} | 1.00× |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| POST …/attachments | {apiRate:0} | {apiRate / copyRate:0.00}× (aim ≥ 0.5×) |"));
            Console.WriteLine();
            Console.WriteLine("| concurrent uploads | total MiB | seconds | server RSS before MiB | peak MiB | growth MiB |");
            Console.WriteLine("|---|---|---|---|---|---|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {clients} × {megabytes} MiB | {clients * megabytes} | {concurrentSeconds:0.0} | {before / 1048576.0:0} | {peak / 1048576.0:0} | {growth:0} (aim < 64; {growth / (clients * megabytes):0.000}× the bytes uploaded) |"));
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    private static async Task UploadAsync(HttpClient http, Snowflake channelId, string token, string path)
    {
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBufferBytes, useAsync: true);
        using var request = new HttpRequestMessage(HttpMethod.Post, $"api/v1/channels/{channelId}/attachments?filename=bench.bin")
        {
            Content = new StreamContent(file, CopyBufferBytes),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Content.Headers.ContentLength = file.Length;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Upload refused: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        var stored = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("size").GetInt64();
        if (stored != file.Length)
            throw new InvalidOperationException($"The server stored {stored} bytes of {file.Length}.");
    }

    private static async Task CopyAsync(string from, string to)
    {
        await using (var source = new FileStream(from, FileMode.Open, FileAccess.Read, FileShare.Read, CopyBufferBytes, useAsync: true))
        await using (var target = new FileStream(to, FileMode.CreateNew, FileAccess.Write, FileShare.None, CopyBufferBytes, useAsync: true))
        {
            await source.CopyToAsync(target, CopyBufferBytes);
            target.Flush(flushToDisk: true);
        }
    }

    private static void WriteRandom(string path, long size)
    {
        using var file = File.Create(path);
        var buffer = new byte[CopyBufferBytes];
        for (long written = 0; written < size; written += buffer.Length)
        {
            Random.Shared.NextBytes(buffer);
            file.Write(buffer, 0, (int)Math.Min(buffer.Length, size - written));
        }
    }
}

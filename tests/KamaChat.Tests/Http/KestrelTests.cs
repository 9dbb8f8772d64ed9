using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Http;

/// <summary>What only a real HTTP server shows: its request-line parsing and its own response headers.</summary>
[Trait("Provider", "sqlite")]
public sealed class KestrelTests(KestrelSqliteApp app) : IClassFixture<KestrelSqliteApp>
{
    [Fact]
    public async Task A_nul_in_the_path_is_answered_with_a_problem_and_the_connection_stays_usable()
    {
        using var connection = await ConnectAsync();

        var before = await connection.SendAsync("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");
        var refused = await connection.SendAsync("GET /api/v1/invites/ab%00cd HTTP/1.1\r\nHost: localhost\r\n\r\n");
        var after = await connection.SendAsync("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n");

        Assert.Equal(200, before.Status);
        Assert.Equal(400, refused.Status);
        Assert.Equal("application/problem+json", refused.Header("Content-Type")?.Split(';')[0]);
        var problem = JsonDocument.Parse(refused.Body).RootElement;
        Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("code", out _), refused.Body);
        Assert.Null(refused.Header("Connection"));
        Assert.Equal(200, after.Status);
    }

    [Fact]
    public async Task A_body_that_contains_a_percent_zero_zero_reaches_the_server_unchanged()
    {
        var tokens = await Client().RegisterAsync();
        using var connection = await ConnectAsync();
        var body = JsonSerializer.Serialize(new { displayName = "100%00 sure" });

        var response = await connection.SendAsync(
            $"PATCH /api/v1/users/@me?x=%2500 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {tokens.AccessToken}\r\n" +
            $"Content-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");

        Assert.Equal(200, response.Status);
        Assert.Equal("100%00 sure", JsonDocument.Parse(response.Body).RootElement.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task A_chunked_json_body_is_checked_for_refused_text_and_refused_past_a_mebibyte()
    {
        var tokens = await Client().RegisterAsync();
        var client = Client();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tokens.AccessToken);
        // Only a real socket carries a body of unknown length (chunked); the in-memory test server always declares one.
        static HttpContent Chunked(string json)
        {
            var content = new StreamContent(new UnknownLengthStream(Encoding.UTF8.GetBytes(json)));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            return content;
        }

        // A C1 control as raw UTF-8 (C2 85): refused naming its field, as with a declared length.
        var control = await client.PatchAsync("/api/v1/users/@me", Chunked("{\"displayName\":\"next\u0085line\"}"));
        // Past 1 MiB the check stops reading rather than hold the body in memory up to Kestrel's 30 MB.
        var large = await client.PatchAsync("/api/v1/users/@me", Chunked($"{{\"displayName\":\"Ada\",\"bio\":\"{new string('x', 2 * 1024 * 1024)}\"}}"));
        var kept = await client.PatchAsync("/api/v1/users/@me", Chunked("{\"displayName\":\"Grace\"}"));

        Assert.Equal(400, (int)control.StatusCode);
        var problem = JsonDocument.Parse(await control.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("validation_failed", problem.GetProperty("code").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("displayName", out _), problem.ToString());
        Assert.Equal(413, (int)large.StatusCode);
        Assert.Equal("payload_too_large", JsonDocument.Parse(await large.Content.ReadAsStringAsync()).RootElement.GetProperty("code").GetString());
        Assert.Equal(200, (int)kept.StatusCode);
        var me = JsonDocument.Parse(await (await client.GetAsync("/api/v1/users/@me")).Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Grace", me.GetProperty("displayName").GetString());
    }

    /// <summary>A body whose length HttpClient cannot know, so it is sent chunked.</summary>
    private sealed class UnknownLengthStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }

    [Fact]
    public async Task Responses_do_not_name_the_server_software()
    {
        var response = await Client().GetAsync("/healthz");

        Assert.False(response.Headers.Contains("Server"), string.Join(", ", response.Headers.Select(h => h.Key)));
    }

    private Uri Address() => new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private HttpClient Client() => new() { BaseAddress = Address() };

    private async Task<RawConnection> ConnectAsync()
    {
        var address = Address();
        var client = new TcpClient();
        await client.ConnectAsync(address.Host, address.Port);
        return new RawConnection(client);
    }

    /// <summary>One keep-alive HTTP/1.1 connection, written and read by hand so nothing between us and Kestrel rewrites the request.</summary>
    private sealed class RawConnection(TcpClient client) : IDisposable
    {
        private readonly NetworkStream _stream = client.GetStream();
        private readonly List<byte> _pending = [];

        public async Task<RawResponse> SendAsync(string request)
        {
            await _stream.WriteAsync(Encoding.UTF8.GetBytes(request));
            var head = await ReadUntilAsync("\r\n\r\n"u8.ToArray());
            var lines = Encoding.ASCII.GetString(head).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
            var body = headers.TryGetValue("Content-Length", out var length) ? await ReadExactlyAsync(int.Parse(length, System.Globalization.CultureInfo.InvariantCulture))
                : headers.TryGetValue("Transfer-Encoding", out var coding) && coding == "chunked" ? await ReadChunkedAsync() : [];
            return new RawResponse(int.Parse(lines[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), headers, Encoding.UTF8.GetString(body));
        }

        private async Task<byte[]> ReadChunkedAsync()
        {
            var body = new List<byte>();
            while (true)
            {
                var size = Convert.ToInt32(Encoding.ASCII.GetString(await ReadUntilAsync("\r\n"u8.ToArray())).Trim(), 16);
                body.AddRange(await ReadExactlyAsync(size));
                await ReadExactlyAsync(2);
                if (size == 0)
                    return [.. body];
            }
        }

        private async Task<byte[]> ReadUntilAsync(byte[] terminator)
        {
            while (true)
            {
                var at = IndexOf(terminator);
                if (at >= 0)
                {
                    var result = _pending.GetRange(0, at + terminator.Length).ToArray();
                    _pending.RemoveRange(0, at + terminator.Length);
                    return result;
                }
                await FillAsync();
            }
        }

        private async Task<byte[]> ReadExactlyAsync(int count)
        {
            while (_pending.Count < count)
                await FillAsync();
            var result = _pending.GetRange(0, count).ToArray();
            _pending.RemoveRange(0, count);
            return result;
        }

        private async Task FillAsync()
        {
            var buffer = new byte[8192];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            var read = await _stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
                throw new IOException("The server closed the connection.");
            _pending.AddRange(buffer.AsSpan(0, read).ToArray());
        }

        private int IndexOf(byte[] needle)
        {
            for (var i = 0; i + needle.Length <= _pending.Count; i++)
                if (needle.AsSpan().SequenceEqual(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_pending).Slice(i, needle.Length)))
                    return i;
            return -1;
        }

        public void Dispose() => client.Dispose();
    }

    private sealed record RawResponse(int Status, Dictionary<string, string> Headers, string Body)
    {
        public string? Header(string name) => Headers.GetValueOrDefault(name);
    }
}

using System.Text.Json;
using KamaChat.Desktop.Tests.Infrastructure;

namespace KamaChat.Desktop.Tests.App;

[Collection(DesktopCollection.Name)]
public sealed class FirstRunTests(DesktopSession session)
{
    [Fact(Timeout = 240_000)]
    public async Task The_first_run_asks_for_the_server_and_remembers_it()
    {
        // Another user of the same desktop: their own folders, so this is their first run.
        var root = Directory.CreateDirectory(Path.Combine(session.Root, "first-run")).FullName;
        var runtime = Directory.CreateDirectory(Path.Combine(root, "run"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute).FullName;
        var environment = new Dictionary<string, string>
        {
            ["XDG_CONFIG_HOME"] = Path.Combine(root, "config"),
            ["XDG_DATA_HOME"] = Path.Combine(root, "data"),
            ["XDG_RUNTIME_DIR"] = runtime,
        };
        await using var host = await DesktopHost.StartAsync(session, environment);
        await using var page = await host.PageAsync("file://");
        await page.WaitForAsync("document.querySelector('#address').value === 'http://localhost:3000'", "the suggested address");

        await page.EvaluateAsync("document.querySelector('#address').value = ''");
        await page.TypeAsync("#address", "127.0.0.1:1");
        await page.ClickAsync("#connect");
        // https://127.0.0.1:1 answers nothing: the page says so and stays.
        await page.WaitForTextAsync("No KamaChat server answered at that address.");

        await page.EvaluateAsync("document.querySelector('#address').value = ''");
        await page.TypeAsync("#address", session.Server.Url + "/");
        await page.ClickAsync("#connect");
        await page.WaitForAsync($"location.origin === {JsonSerializer.Serialize(session.Server.Url)}", "the server's page in the window");

        var config = JsonDocument.Parse(await File.ReadAllTextAsync(host.ConfigFile)).RootElement;
        Assert.Equal(session.Server.Url, config.GetProperty("currentServer").GetString());
        Assert.Equal([session.Server.Url], config.GetProperty("servers").EnumerateArray().Select(s => s.GetString()));
    }
}

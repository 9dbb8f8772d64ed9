using System.IO.Pipelines;
using KamaChat.Desktop.Browser;
using KamaChat.Desktop.Config;
using KamaChat.Desktop.Input;
using KamaChat.Desktop.Instance;
using KamaChat.Desktop.Integration;
using KamaChat.Desktop.Tray;

namespace KamaChat.Desktop.Tests.Unit;

public sealed class HostPartsTests
{
    [Fact]
    public void The_command_line_reads_links_servers_and_switches()
    {
        var command = CommandLine.Parse(["--server", "http://localhost:3000", "--hidden", "--chromium-arg=--ozone-platform=wayland", "kamachat://invite/x", "--autostart", "on"]);
        Assert.Equal("http://localhost:3000", command.Server);
        Assert.True(command.Hidden);
        Assert.Equal(["--ozone-platform=wayland"], command.ChromiumArguments);
        Assert.Equal("kamachat://invite/x", command.Link);
        Assert.True(command.Autostart);
        Assert.Null(command.Error);
        Assert.NotNull(CommandLine.Parse(["--autostart", "maybe"]).Error);
        Assert.NotNull(CommandLine.Parse(["--frobnicate"]).Error);
    }

    [Fact]
    public void Desktop_entries_quote_the_executable_as_the_spec_says()
    {
        Assert.Equal("/usr/lib/kamachat-desktop/kamachat-desktop", DesktopEntry.Quote("/usr/lib/kamachat-desktop/kamachat-desktop"));
        Assert.Equal("""
            "/home/a b/\\$x \\"q\\" 100%%"
            """, DesktopEntry.Quote("/home/a b/$x \"q\" 100%"));
        var entry = DesktopEntry.Content("/opt/kamachat/kamachat-desktop");
        Assert.Contains("Exec=/opt/kamachat/kamachat-desktop %u\n", entry, StringComparison.Ordinal);
        Assert.Contains("MimeType=x-scheme-handler/kamachat;\n", entry, StringComparison.Ordinal);
        var autostart = DesktopEntry.Content("/opt/kamachat/kamachat-desktop", "--hidden", autostart: true);
        Assert.Contains("Exec=/opt/kamachat/kamachat-desktop --hidden\n", autostart, StringComparison.Ordinal);
        Assert.DoesNotContain("MimeType", autostart, StringComparison.Ordinal);
    }

    [Fact]
    public void The_config_survives_a_restart_and_a_broken_file_is_kept_aside()
    {
        var directory = Directory.CreateTempSubdirectory("kamachat-config-");
        try
        {
            var file = Path.Combine(directory.FullName, "config.json");
            new ConfigStore(file).Update(config => config.WithServer("https://a.example").WithServer("https://b.example") with { PushToTalkKey = "F8" });
            var read = new ConfigStore(file).Current;
            Assert.Equal(["https://a.example", "https://b.example"], read.Servers);
            Assert.Equal("https://b.example", read.CurrentServer);
            Assert.Equal("F8", read.PushToTalkKey);
            Assert.Single(Directory.GetFiles(directory.FullName));

            File.WriteAllText(file, "{ not json");
            Assert.Empty(new ConfigStore(file).Current.Servers);
            Assert.Equal("{ not json", File.ReadAllText(file + ".broken"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void The_tray_icon_shows_the_logo_and_a_badge_only_with_something_unread()
    {
        var plain = TrayIcon.Render(UnreadState.None, 32)[0];
        var dot = TrayIcon.Render(new UnreadState(2, 0), 32)[0];
        var mentions = TrayIcon.Render(new UnreadState(5, 5), 32)[0];
        Assert.Equal((32, 32, 32 * 32 * 4), (plain.Item1, plain.Item2, plain.Item3.Length));
        // ARGB: the corner is transparent (rounded square), the middle is the logo's blue or white "K".
        Assert.Equal(0, plain.Item3[0]);
        var center = (16 * 32 + 8) * 4;
        Assert.Equal(255, plain.Item3[center]);
        Assert.Equal([88, 101, 242], plain.Item3[(center + 1)..(center + 4)]);
        // The badge sits bottom right: red there with mentions and with the unread dot, not without.
        var badge = (27 * 32 + 27) * 4;
        Assert.Equal([237, 66, 69], dot.Item3[(badge + 1)..(badge + 4)]);
        Assert.NotEqual(plain.Item3, mentions.Item3);
        Assert.NotEqual(dot.Item3, mentions.Item3);
        Assert.NotEqual(TrayIcon.Render(new UnreadState(1, 1), 32)[0].Item3, TrayIcon.Render(new UnreadState(12, 12), 32)[0].Item3);
    }

    [Theory]
    [InlineData("F8", 0u, "F8")]
    [InlineData("ctrl+shift+space", 5u, "space")]
    [InlineData("Alt + grave", 8u, "grave")]
    [InlineData("super+F12", 64u, "F12")]
    public void Push_to_talk_keys_parse_into_modifiers_and_a_keysym(string text, uint modifiers, string keysym) =>
        Assert.Equal(new KeyCombination(modifiers, keysym), KeyCombination.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("hyper+F8")]
    [InlineData("ctrl+")]
    public void Unknown_push_to_talk_keys_are_refused(string text) => Assert.Null(KeyCombination.Parse(text));

    [Fact]
    public async Task The_debugging_pipe_splits_messages_at_nul_bytes_however_they_arrive()
    {
        var toBrowser = new Pipe();
        var fromBrowser = new Pipe();
        await using var transport = new PipeTransport(toBrowser.Writer.AsStream(), fromBrowser.Reader.AsStream());
        await fromBrowser.Writer.WriteAsync("{\"a\":1}\0{\"b\":"u8.ToArray());
        Assert.Equal("{\"a\":1}", await transport.ReceiveAsync(CancellationToken.None));
        var second = transport.ReceiveAsync(CancellationToken.None);
        await fromBrowser.Writer.WriteAsync("\"é\"}\0"u8.ToArray());
        Assert.Equal("{\"b\":\"é\"}", await second);
        await fromBrowser.Writer.CompleteAsync();
        Assert.Null(await transport.ReceiveAsync(CancellationToken.None));

        await transport.SendAsync("{\"id\":1}", CancellationToken.None);
        var sent = await toBrowser.Reader.ReadAsync();
        Assert.Equal("{\"id\":1}\0"u8.ToArray(), System.Buffers.BuffersExtensions.ToArray(sent.Buffer));
    }

    [Fact]
    public async Task A_second_launch_hands_its_arguments_to_the_first_and_only_one_instance_runs()
    {
        var directory = Directory.CreateTempSubdirectory("kamachat-instance-");
        try
        {
            var socket = Path.Combine(directory.FullName, "instance.sock");
            await using var first = SingleInstance.TryAcquire(socket);
            Assert.NotNull(first);
            Assert.Null(SingleInstance.TryAcquire(socket));
            var received = new TaskCompletionSource<IReadOnlyList<string>>();
            first.Start(arguments =>
            {
                received.TrySetResult(arguments);
                return Task.CompletedTask;
            });
            Assert.True(await SingleInstance.SendAsync(socket, ["kamachat://invite/abc"], TimeSpan.FromSeconds(5)));
            Assert.Equal(["kamachat://invite/abc"], await received.Task.WaitAsync(TimeSpan.FromSeconds(5)));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(socket));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}

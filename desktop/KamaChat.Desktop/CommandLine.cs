namespace KamaChat.Desktop;

/// <summary>What a launch asks for. A second launch's arguments are handed to the running instance as they are.</summary>
public sealed record CommandLine
{
    /// <summary>A kamachat:// link to open.</summary>
    public string? Link { get; init; }

    /// <summary>--server URL: add this server and show it.</summary>
    public string? Server { get; init; }

    /// <summary>--hidden: start in the tray without a window (autostart does this).</summary>
    public bool Hidden { get; init; }

    /// <summary>--push-to-talk KEY ("F8", "ctrl+grave"; "none" to turn it off).</summary>
    public string? PushToTalk { get; init; }

    /// <summary>--autostart on|off: start on login.</summary>
    public bool? Autostart { get; init; }

    /// <summary>--chromium-arg=SWITCH (repeatable): passed to the browser as it is.</summary>
    public IReadOnlyList<string> ChromiumArguments { get; init; } = [];

    public bool Help { get; init; }

    public string? Error { get; init; }

    public const string Usage = """
        usage: kamachat-desktop [kamachat://LINK] [options]
          --server URL          add this KamaChat server and show it (first run asks otherwise)
          --hidden              start in the tray without opening the window
          --push-to-talk KEY    global push-to-talk key, e.g. F8 or ctrl+grave; "none" turns it off
          --autostart on|off    start KamaChat when you log in
          --chromium-arg=SWITCH pass a switch to the browser (repeatable), e.g. --chromium-arg=--ozone-platform=wayland
        A second launch hands its link or options to the running KamaChat and exits.
        Environment: KAMACHAT_DESKTOP_BROWSER picks the browser (default: the first of chromium, google-chrome, microsoft-edge).
        """;

    public static CommandLine Parse(IReadOnlyList<string> arguments)
    {
        var result = new CommandLine();
        var chromium = new List<string>();
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            string? Value() => i + 1 < arguments.Count ? arguments[++i] : null;
            switch (argument)
            {
                case "--help" or "-h":
                    result = result with { Help = true };
                    break;
                case "--hidden":
                    result = result with { Hidden = true };
                    break;
                case "--server":
                    result = result with { Server = Value() ?? "" };
                    break;
                case "--push-to-talk":
                    result = result with { PushToTalk = Value() ?? "" };
                    break;
                case "--autostart":
                    result = Value() switch
                    {
                        "on" => result with { Autostart = true },
                        "off" => result with { Autostart = false },
                        _ => result with { Error = "--autostart takes on or off" },
                    };
                    break;
                case var _ when argument.StartsWith("--chromium-arg=", StringComparison.Ordinal):
                    chromium.Add(argument["--chromium-arg=".Length..]);
                    break;
                case var _ when argument.StartsWith("kamachat:", StringComparison.OrdinalIgnoreCase):
                    result = result with { Link = argument };
                    break;
                default:
                    result = result with { Error = $"unknown argument: {argument}" };
                    break;
            }
        }
        return result with { ChromiumArguments = chromium };
    }
}

namespace KamaChat.Desktop.Integration;

/// <summary>
/// <c>kamachat://</c> links, turned into a path of the web client. Only the shapes below are accepted, so a link on
/// some web page can open an invite or a conversation, and nothing else.
/// </summary>
public static class DeepLink
{
    public const string Scheme = "kamachat";

    /// <summary>
    /// kamachat://invite/CODE → /invite/CODE;
    /// kamachat://channels/@me/ID → /channels/@me/ID (a DM);
    /// kamachat://channels/ID[/MESSAGE] → /channels/ID[/MESSAGE] (the web client resolves the channel);
    /// kamachat://servers/ID[/channels/ID] → the same path; kamachat://users/ID → a profile.
    /// </summary>
    public static string? ToPath(string link)
    {
        if (!Uri.TryCreate(link, UriKind.Absolute, out var uri) || !string.Equals(uri.Scheme, Scheme, StringComparison.OrdinalIgnoreCase)
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo) || uri.Port != -1)
            return null;
        // In kamachat://invite/CODE the first part parses as the host.
        string[] parts = [uri.Host, .. uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)];
        if (parts.Any(part => !IsSafeSegment(part)))
            return null;
        var valid = parts switch
        {
            ["invite", _] => true,
            ["channels", "@me", var id] => IsId(id),
            ["channels", var id] => IsId(id),
            ["channels", var id, var message] => IsId(id) && IsId(message),
            ["servers", var id] => IsId(id),
            ["servers", var id, "channels", var channel] => IsId(id) && IsId(channel),
            ["users", var id] => IsId(id),
            _ => false,
        };
        return valid ? "/" + string.Join('/', parts) : null;
    }

    private static bool IsId(string text) => text.Length is > 0 and <= 20 && text.All(char.IsAsciiDigit);

    private static bool IsSafeSegment(string text) =>
        text.Length is > 0 and <= 64 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '@');
}

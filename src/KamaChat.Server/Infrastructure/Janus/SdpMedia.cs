namespace KamaChat.Server.Infrastructure.Janus;

/// <summary>Kinds of media a participant may send: SPEAK allows audio, VIDEO allows camera and screen.</summary>
[Flags]
public enum MediaKinds
{
    None = 0,
    Audio = 1,
    Video = 2,
    All = Audio | Video,
}

/// <summary>Reads what an SDP offer would send, so the server can refuse media a participant may not publish.</summary>
public static class SdpMedia
{
    /// <summary>
    /// The kinds of media the offer would send: m-lines of that kind that are not disabled (port 0, unless
    /// bundle-only) and whose direction (the m-line's own, else the session's, else sendrecv) includes sending.
    /// </summary>
    public static MediaKinds Sending(string sdp)
    {
        var sending = MediaKinds.None;
        string? sessionDirection = null;
        Section? section = null;
        foreach (var raw in sdp.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.StartsWith("m=", StringComparison.Ordinal))
            {
                sending |= section?.Sends(sessionDirection) ?? MediaKinds.None;
                var parts = line[2..].Split(' ');
                section = new Section(
                    parts[0] switch { "audio" => MediaKinds.Audio, "video" => MediaKinds.Video, _ => MediaKinds.None },
                    parts.Length > 1 && parts[1] != "0");
            }
            else if (line is "a=sendrecv" or "a=sendonly" or "a=recvonly" or "a=inactive")
            {
                if (section is null)
                    sessionDirection = line[2..];
                else
                    section.Direction = line[2..];
            }
            else if (line == "a=bundle-only" && section is not null)
            {
                section.Enabled = true;
            }
        }
        return sending | (section?.Sends(sessionDirection) ?? MediaKinds.None);
    }

    private sealed class Section(MediaKinds kind, bool enabled)
    {
        public bool Enabled { get; set; } = enabled;

        public string? Direction { get; set; }

        public MediaKinds Sends(string? sessionDirection) =>
            Enabled && (Direction ?? sessionDirection ?? "sendrecv") is "sendrecv" or "sendonly" ? kind : MediaKinds.None;
    }
}

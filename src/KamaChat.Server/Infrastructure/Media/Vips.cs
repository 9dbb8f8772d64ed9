using NetVips;

namespace KamaChat.Server.Infrastructure.Media;

/// <summary>Process-wide libvips settings for a server that decodes files from strangers; applied once.</summary>
internal static class Vips
{
    private static readonly Lock Gate = new();
    private static bool _configured;

    // Kept in a field: libvips calls it from native code, so the delegate must not be collected.
    private static readonly Log.LogDelegate Quiet = (_, _, _) => { };

    /// <summary>The image loaders we allow: what <see cref="MediaSniffer"/> recognises as images, nothing else.</summary>
    private static readonly string[] AllowedLoaders =
        ["VipsForeignLoadJpeg", "VipsForeignLoadPng", "VipsForeignLoadNsgif", "VipsForeignLoadWebp", "VipsForeignLoadHeif", "VipsForeignLoadVips"];

    public static void EnsureConfigured()
    {
        lock (Gate)
        {
            if (_configured)
                return;
            // The operation cache keeps decoded images around for reuse: memory a server cannot spare, for no gain here.
            Cache.Max = 0;
            Cache.MaxMem = 0;
            Cache.MaxFiles = 0;
            // Every loader off, then only ours on: no exotic format parser (matlab, fits, svg, pdf...) can be reached.
            Operation.Block("VipsForeignLoad", true);
            foreach (var loader in AllowedLoaders)
                Operation.Block(loader, false);
            // Warnings about damaged files surface as exceptions (fail_on); libvips would also print them to stderr.
            Log.SetLogHandler("VIPS", Enums.LogLevelFlags.Warning | Enums.LogLevelFlags.Message | Enums.LogLevelFlags.Info | Enums.LogLevelFlags.Debug, Quiet);
            _configured = true;
        }
    }
}

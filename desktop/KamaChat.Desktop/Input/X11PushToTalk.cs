using System.Collections.Concurrent;
using System.Runtime.InteropServices;

// Xlib's return values carry nothing useful here: a refused grab arrives at the error handler instead.
#pragma warning disable CA1806

namespace KamaChat.Desktop.Input;

/// <summary>A key combination: X11 modifier mask plus a keysym name ("ctrl+shift+F8" → Control|Shift, "F8").</summary>
public sealed record KeyCombination(uint Modifiers, string KeySym)
{
    private static readonly Dictionary<string, uint> ModifierMasks = new(StringComparer.OrdinalIgnoreCase)
    {
        ["shift"] = 1, ["ctrl"] = 4, ["control"] = 4, ["alt"] = 8, ["super"] = 64, ["meta"] = 64,
    };

    public static KeyCombination? Parse(string text)
    {
        var parts = text.Split('+', StringSplitOptions.TrimEntries);
        if (parts.Length == 0 || parts[^1].Length == 0)
            return null;
        uint modifiers = 0;
        foreach (var part in parts[..^1])
        {
            if (!ModifierMasks.TryGetValue(part, out var mask))
                return null;
            modifiers |= mask;
        }
        return new KeyCombination(modifiers, parts[^1]);
    }
}

/// <summary>
/// Global push-to-talk on X11: the key is grabbed on the root window (XGrabKey), so its presses and releases
/// come to us whichever application has the focus. Runs on a thread of its own, as Xlib wants.
/// </summary>
public sealed class X11PushToTalk : IDisposable
{
    private const string LibX11 = "libX11.so.6";
    private const int KeyPress = 2, KeyRelease = 3, GrabModeAsync = 1, BadAccess = 10;
    private const uint LockMask = 2, NumLockMask = 16;

    private readonly IntPtr _display;
    private readonly ulong _root;
    private readonly Thread _thread;
    private readonly ConcurrentQueue<Action> _commands = new();
    private readonly Action<bool> _changed;
    private volatile bool _stopping;
    private (int KeyCode, uint Modifiers)? _grabbed;
    private bool _pressed;

    // Xlib reports a refused grab (another client holds the key) asynchronously, to one process-wide handler.
    private static volatile bool s_grabRefused;
    private static readonly XErrorHandler s_errorHandler = OnXError;

    private X11PushToTalk(IntPtr display, Action<bool> changed)
    {
        _display = display;
        _root = XDefaultRootWindow(display);
        _changed = changed;
        XkbSetDetectableAutoRepeat(display, 1, out _);
        XSetErrorHandler(s_errorHandler);
        _thread = new Thread(Run) { IsBackground = true, Name = "X11 push-to-talk" };
        _thread.Start();
    }

    /// <summary>Connects to the X server of $DISPLAY; null when there is none (a Wayland session without XWayland, a console).</summary>
    public static X11PushToTalk? TryCreate(Action<bool> changed)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DISPLAY")))
            return null;
        try
        {
            var display = XOpenDisplay(null);
            return display == IntPtr.Zero ? null : new X11PushToTalk(display, changed);
        }
        catch (DllNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Grabs this key instead of the previous one (null: none). False when the key is unknown or another application holds it.</summary>
    public Task<bool> SetKeyAsync(KeyCombination? key)
    {
        var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        _commands.Enqueue(() => done.TrySetResult(Grab(key)));
        return done.Task;
    }

    private bool Grab(KeyCombination? key)
    {
        if (_grabbed is var (oldCode, oldModifiers))
        {
            foreach (var extra in LockVariants)
                XUngrabKey(_display, oldCode, oldModifiers | extra, _root);
            _grabbed = null;
            Release();
        }
        if (key is null)
            return true;
        var keysym = XStringToKeysym(key.KeySym);
        var keycode = keysym == 0 ? 0 : XKeysymToKeycode(_display, keysym);
        if (keycode == 0)
            return false;
        s_grabRefused = false;
        // Caps Lock and Num Lock are modifiers too: grab the key with each of them on, or it stops working when they are.
        foreach (var extra in LockVariants)
            XGrabKey(_display, keycode, key.Modifiers | extra, _root, 0, GrabModeAsync, GrabModeAsync);
        XSync(_display, 0);
        if (s_grabRefused)
        {
            foreach (var extra in LockVariants)
                XUngrabKey(_display, keycode, key.Modifiers | extra, _root);
            XSync(_display, 0);
            return false;
        }
        _grabbed = (keycode, key.Modifiers);
        return true;
    }

    private static readonly uint[] LockVariants = [0, LockMask, NumLockMask, LockMask | NumLockMask];

    private void Run()
    {
        var descriptor = new PollFd { Fd = XConnectionNumber(_display), Events = 1 };
        while (!_stopping)
        {
            while (_commands.TryDequeue(out var command))
                command();
            while (XPending(_display) > 0)
            {
                XNextEvent(_display, out var e);
                if (_grabbed is not var (code, _) || e.KeyCode != code)
                    continue;
                if (e.Type == KeyPress && !_pressed)
                {
                    _pressed = true;
                    _changed(true);
                }
                else if (e.Type == KeyRelease)
                {
                    Release();
                }
            }
            poll(ref descriptor, 1, 100);
        }
        XCloseDisplay(_display);
    }

    private void Release()
    {
        if (!_pressed)
            return;
        _pressed = false;
        _changed(false);
    }

    private static int OnXError(IntPtr display, ref XErrorEvent error)
    {
        if (error.ErrorCode == BadAccess)
            s_grabRefused = true;
        return 0;
    }

    public void Dispose()
    {
        _stopping = true;
        _thread.Join(TimeSpan.FromSeconds(2));
    }

    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct XKeyEvent
    {
        [FieldOffset(0)] public int Type;
        [FieldOffset(84)] public uint KeyCode;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct XErrorEvent
    {
        public int Type;
        public IntPtr Display;
        public ulong ResourceId;
        public ulong Serial;
        public byte ErrorCode;
        public byte RequestCode;
        public byte MinorCode;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    private delegate int XErrorHandler(IntPtr display, ref XErrorEvent error);

#pragma warning disable SYSLIB1054, CA5392 // Classic P/Invoke keeps the struct marshalling simple; libX11 is the system's.
    [DllImport(LibX11)] private static extern IntPtr XOpenDisplay(string? name);
    [DllImport(LibX11)] private static extern int XCloseDisplay(IntPtr display);
    [DllImport(LibX11)] private static extern ulong XDefaultRootWindow(IntPtr display);
    [DllImport(LibX11)] private static extern ulong XStringToKeysym(string name);
    [DllImport(LibX11)] private static extern byte XKeysymToKeycode(IntPtr display, ulong keysym);
    [DllImport(LibX11)] private static extern int XGrabKey(IntPtr display, int keycode, uint modifiers, ulong window, int ownerEvents, int pointerMode, int keyboardMode);
    [DllImport(LibX11)] private static extern int XUngrabKey(IntPtr display, int keycode, uint modifiers, ulong window);
    [DllImport(LibX11)] private static extern int XSync(IntPtr display, int discard);
    [DllImport(LibX11)] private static extern int XPending(IntPtr display);
    [DllImport(LibX11)] private static extern int XNextEvent(IntPtr display, out XKeyEvent e);
    [DllImport(LibX11)] private static extern int XConnectionNumber(IntPtr display);
    [DllImport(LibX11)] private static extern IntPtr XSetErrorHandler(XErrorHandler handler);
    [DllImport(LibX11)] private static extern int XkbSetDetectableAutoRepeat(IntPtr display, int detectable, out int supported);
    [DllImport("libc", SetLastError = true)] private static extern int poll(ref PollFd fds, ulong count, int timeout);
#pragma warning restore SYSLIB1054, CA5392
}

using System.Text;
using Tmds.DBus;

namespace KamaChat.Desktop.Keyring;

#pragma warning disable CA1819 // D-Bus arrays are arrays.
[DBusInterface("org.freedesktop.Secret.Service")]
public interface ISecretService : IDBusObject
{
    Task<(object output, ObjectPath result)> OpenSessionAsync(string algorithm, object input);
    Task<(ObjectPath[] unlocked, ObjectPath[] locked)> SearchItemsAsync(IDictionary<string, string> attributes);
    Task<(ObjectPath[] unlocked, ObjectPath prompt)> UnlockAsync(ObjectPath[] objects);
    Task<ObjectPath> ReadAliasAsync(string name);
    Task<(ObjectPath collection, ObjectPath prompt)> CreateCollectionAsync(IDictionary<string, object> properties, string collectionAlias);
}

[DBusInterface("org.freedesktop.Secret.Collection")]
public interface ISecretCollection : IDBusObject
{
    Task<(ObjectPath item, ObjectPath prompt)> CreateItemAsync(IDictionary<string, object> properties, (ObjectPath, byte[], byte[], string) secret, bool replace);
}

[DBusInterface("org.freedesktop.Secret.Item")]
public interface ISecretItem : IDBusObject
{
    [return: Argument]
    Task<(ObjectPath, byte[], byte[], string)> GetSecretAsync(ObjectPath session);
    Task<ObjectPath> DeleteAsync();
}

[DBusInterface("org.freedesktop.Secret.Prompt")]
public interface ISecretPrompt : IDBusObject
{
    Task PromptAsync(string windowId);
    Task<IDisposable> WatchCompletedAsync(Action<(bool dismissed, object result)> handler, Action<Exception>? onError = null);
}
#pragma warning restore CA1819

/// <summary>The keyring refused or the user dismissed its prompt; the page's call fails with this message.</summary>
public sealed class KeyringException(string message) : Exception(message);

/// <summary>
/// One secret per server in the desktop's keyring (GNOME Keyring, KWallet, KeePassXC: whatever owns
/// org.freedesktop.secrets), found by its attributes. The secret crosses the user's own session bus in the
/// "plain" transfer mode; the bus is private to the user, who can read their unlocked keyring anyway.
/// </summary>
public sealed class SecretService(Connection bus)
{
    private const string Service = "org.freedesktop.secrets";
    private static readonly ObjectPath NoPrompt = new("/");
    private readonly ISecretService _service = bus.CreateProxy<ISecretService>(Service, "/org/freedesktop/secrets");

    public static Dictionary<string, string> Attributes(string server) =>
        new(StringComparer.Ordinal) { ["application"] = "kamachat-desktop", ["server"] = server };

    public async Task<string?> GetAsync(string server)
    {
        var (unlocked, locked) = await _service.SearchItemsAsync(Attributes(server));
        if (unlocked.Length == 0 && locked.Length > 0)
            unlocked = await UnlockAsync(locked);
        if (unlocked.Length == 0)
            return null;
        var session = await OpenSessionAsync();
        var secret = await bus.CreateProxy<ISecretItem>(Service, unlocked[0]).GetSecretAsync(session);
        return Encoding.UTF8.GetString(secret.Item3);
    }

    public async Task SetAsync(string server, string value)
    {
        var collection = await DefaultCollectionAsync();
        await UnlockAsync([collection]);
        var session = await OpenSessionAsync();
        var properties = new Dictionary<string, object>
        {
            ["org.freedesktop.Secret.Item.Label"] = $"KamaChat ({server})",
            ["org.freedesktop.Secret.Item.Attributes"] = Attributes(server),
        };
        var secret = (session, Array.Empty<byte>(), Encoding.UTF8.GetBytes(value), "text/plain; charset=utf8");
        var (_, prompt) = await bus.CreateProxy<ISecretCollection>(Service, collection).CreateItemAsync(properties, secret, replace: true);
        await CompletePromptAsync(prompt);
    }

    public async Task ClearAsync(string server)
    {
        var (unlocked, locked) = await _service.SearchItemsAsync(Attributes(server));
        foreach (var item in unlocked.Concat(locked))
            await CompletePromptAsync(await bus.CreateProxy<ISecretItem>(Service, item).DeleteAsync());
    }

    private async Task<ObjectPath> OpenSessionAsync() => (await _service.OpenSessionAsync("plain", "")).result;

    /// <summary>The "default" collection (the login keyring); created, with the keyring's own prompt, when there is none.</summary>
    private async Task<ObjectPath> DefaultCollectionAsync()
    {
        var collection = await _service.ReadAliasAsync("default");
        if (collection != NoPrompt)
            return collection;
        var (created, prompt) = await _service.CreateCollectionAsync(
            new Dictionary<string, object> { ["org.freedesktop.Secret.Collection.Label"] = "Login" }, "default");
        if (created != NoPrompt)
            return created;
        return await CompletePromptAsync(prompt) is ObjectPath path ? path : throw new KeyringException("The keyring did not create a collection.");
    }

    private async Task<ObjectPath[]> UnlockAsync(ObjectPath[] objects)
    {
        var (unlocked, prompt) = await _service.UnlockAsync(objects);
        if (prompt == NoPrompt)
            return unlocked;
        return await CompletePromptAsync(prompt) as ObjectPath[] ?? [];
    }

    /// <summary>Shows the keyring's prompt (e.g. "unlock your keyring") and waits for the user; a dismissed prompt is an error.</summary>
    private async Task<object?> CompletePromptAsync(ObjectPath prompt)
    {
        if (prompt == NoPrompt)
            return null;
        var proxy = bus.CreateProxy<ISecretPrompt>(Service, prompt);
        var completed = new TaskCompletionSource<(bool dismissed, object result)>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = await proxy.WatchCompletedAsync(result => completed.TrySetResult(result));
        await proxy.PromptAsync("");
        var (dismissed, value) = await completed.Task.WaitAsync(TimeSpan.FromMinutes(5));
        return dismissed ? throw new KeyringException("The keyring prompt was dismissed.") : value;
    }
}

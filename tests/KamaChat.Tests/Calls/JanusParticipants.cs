using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.Calls;

/// <summary>
/// Janus answers a detach before the VideoRoom drops the participant: its core only queues the detach for the handle's
/// own loop (janus_ice_handle_destroy), where the plugin then leaves the room. So a list read straight after a leave,
/// a move or a replaced call can still hold who left, the more so on a loaded machine; tests await the list instead.
/// </summary>
public static class JanusParticipants
{
    /// <summary>Reads the room's participants (their displays) until they are exactly <paramref name="expected"/>, in any order.</summary>
    public static Task BecomeAsync(Func<Task<IEnumerable<string?>>> displays, params string[] expected) =>
        UntilAsync(displays, now => now.Order().SequenceEqual(expected.Order()), $"exactly [{string.Join(", ", expected)}]");

    /// <summary>Reads the room's participants (their displays) until <paramref name="done"/> holds for them.</summary>
    public static async Task UntilAsync(Func<Task<IEnumerable<string?>>> displays, Func<IReadOnlyList<string?>, bool> done, string expected)
    {
        var deadline = DateTime.UtcNow + GatewayClient.Patience;
        while ((await displays()).ToList() is var now && !done(now))
        {
            Assert.True(DateTime.UtcNow < deadline, $"Janus still lists [{string.Join(", ", now)}], expected {expected}");
            await Task.Delay(100);
        }
    }
}

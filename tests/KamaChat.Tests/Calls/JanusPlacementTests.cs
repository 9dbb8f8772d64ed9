using KamaChat.Server.Infrastructure.Janus;
using Microsoft.Extensions.Configuration;

namespace KamaChat.Tests.Calls;

/// <summary>
/// Where rooms live when JANUS_URL lists several Janus instances: rendezvous hashing of the room id, the same on every
/// node whatever the list's order, and adding an instance moves only rooms onto it.
/// </summary>
public sealed class JanusPlacementTests
{
    private static readonly Uri A = new("http://10.0.0.5:8088/janus");
    private static readonly Uri B = new("http://10.0.0.6:8088/janus");
    private static readonly Uri C = new("http://10.0.0.7:8088/janus");

    // Room ids as KamaChat makes them (snowflakes), a spread of them.
    private static readonly long[] Rooms = Enumerable.Range(0, 6000).Select(i => 7_300_000_000_000_000_000L + i * 4_194_304L + i % 7).ToArray();

    [Fact]
    public void Every_room_is_on_one_instance_the_same_on_every_node_whatever_the_lists_order()
    {
        var onTwo = Rooms.Select(room => new[] { A, B }[JanusPlacement.Pick([A, B], room)]).ToList();

        Assert.Equal(onTwo, Rooms.Select(room => new[] { B, A }[JanusPlacement.Pick([B, A], room)]));
        // A trailing slash names the same instance.
        Assert.Equal(onTwo, Rooms.Select(room => new[] { A, B }[JanusPlacement.Pick([new Uri(A + "/"), B], room)]));
        // Both carry rooms, about half each.
        Assert.InRange(onTwo.Count(u => u == A), Rooms.Length * 0.45, Rooms.Length * 0.55);
        Assert.All(Rooms, room => Assert.Equal(0, JanusPlacement.Pick([C], room)));
    }

    [Fact]
    public void A_third_instance_takes_about_a_third_of_the_rooms_and_none_move_between_the_other_two()
    {
        var moved = 0;
        foreach (var room in Rooms)
        {
            var before = new[] { A, B }[JanusPlacement.Pick([A, B], room)];
            var after = new[] { A, B, C }[JanusPlacement.Pick([A, B, C], room)];
            if (after == before)
                continue;
            Assert.Equal(C, after);
            moved++;
        }
        Assert.InRange(moved, Rooms.Length * 0.28, Rooms.Length * 0.38);
    }

    [Theory]
    [InlineData("http://10.0.0.5:8088/janus", 1, null)]
    [InlineData(" http://10.0.0.5:8088/janus , http://10.0.0.6:8088/janus,", 2, null)]
    [InlineData("http://10.0.0.5:8088/janus,10.0.0.6:8088", 1, "JANUS_URL must be the http(s) URL")]
    [InlineData("http://10.0.0.5:8088/janus,http://10.0.0.5:8088/janus/", 1, "JANUS_URL names http://10.0.0.5:8088/janus/ twice")]
    public void JANUS_URL_lists_one_or_more_instances(string value, int count, string? error)
    {
        var options = new JanusOptions();
        JanusOptions.Bind(options, new ConfigurationBuilder().AddInMemoryCollection([new("JANUS_URL", value)]).Build(), "data");

        var result = new JanusOptionsValidator().Validate(null, options);

        Assert.Equal(count, options.Urls.Count);
        if (error is null)
            Assert.True(result.Succeeded, result.FailureMessage);
        else
            Assert.Contains(error, result.FailureMessage, StringComparison.Ordinal);
    }
}

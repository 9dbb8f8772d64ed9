using System.Collections.Concurrent;

namespace KamaChat.Tests.Ids;

public sealed class SnowflakeGeneratorTests
{
    private sealed class ManualClock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static readonly DateTimeOffset Start = new(2026, 6, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_id_carries_its_time_and_node()
    {
        var generator = new SnowflakeGenerator(513, new ManualClock(Start));

        var id = generator.NextId();

        Assert.Equal(Start, SnowflakeGenerator.TimestampOf(id));
        Assert.Equal(513, SnowflakeGenerator.NodeOf(id));
        Assert.Equal((Start - SnowflakeGenerator.Epoch).TotalMilliseconds, id.Value >> 22);
    }

    [Fact]
    public void Ids_from_many_threads_are_unique_and_each_thread_sees_them_increase()
    {
        var generator = new SnowflakeGenerator(7, TimeProvider.System);
        var all = new ConcurrentBag<Snowflake>();

        Parallel.For(0, 8, _ =>
        {
            var previous = default(Snowflake);
            for (var i = 0; i < 20_000; i++)
            {
                var id = generator.NextId();
                Assert.True(id > previous);
                previous = id;
                all.Add(id);
            }
        });

        Assert.Equal(160_000, all.Distinct().Count());
    }

    [Fact]
    public void A_clock_that_steps_back_never_produces_a_smaller_id()
    {
        var clock = new ManualClock(Start);
        var generator = new SnowflakeGenerator(1, clock);
        var before = generator.NextId();

        clock.Now = Start.AddSeconds(-30);
        var during = Enumerable.Range(0, 100).Select(_ => generator.NextId()).ToList();

        Assert.All(during, id => Assert.True(id > before));
        Assert.Equal(during.OrderBy(x => x), during);
        Assert.Equal(100, during.Distinct().Count());
    }

    [Fact]
    public void More_than_4096_ids_in_one_millisecond_stay_unique_and_ordered()
    {
        var generator = new SnowflakeGenerator(1, new ManualClock(Start));

        var ids = Enumerable.Range(0, 10_000).Select(_ => generator.NextId()).ToList();

        Assert.Equal(10_000, ids.Distinct().Count());
        Assert.Equal(ids.OrderBy(x => x), ids);
        Assert.True(SnowflakeGenerator.TimestampOf(ids[^1]) > Start);
    }

    [Fact]
    public void Two_nodes_at_the_same_instant_never_collide()
    {
        var a = new SnowflakeGenerator(1, new ManualClock(Start));
        var b = new SnowflakeGenerator(2, new ManualClock(Start));

        var ids = Enumerable.Range(0, 1000).SelectMany(_ => new[] { a.NextId(), b.NextId() }).ToList();

        Assert.Equal(2000, ids.Distinct().Count());
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1024)]
    public void A_node_id_outside_10_bits_is_refused(int node) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new SnowflakeGenerator(node, TimeProvider.System));

    [Fact]
    public void An_id_above_a_floor_from_a_clock_ahead_is_above_it_and_so_is_every_later_one()
    {
        var ahead = new SnowflakeGenerator(900, new ManualClock(Start.AddSeconds(5)));
        var behind = new SnowflakeGenerator(3, new ManualClock(Start));
        var floor = ahead.NextId();

        var above = behind.NextIdAbove(floor);
        var later = Enumerable.Range(0, 5000).Select(_ => behind.NextId()).ToList();

        // Same millisecond as the floor, but a lower node: only the next millisecond is above it.
        Assert.True(above > floor);
        Assert.Equal(3, SnowflakeGenerator.NodeOf(above));
        Assert.All(later, id => Assert.True(id > above));
        Assert.Equal(later.Order(), later);
        Assert.Equal(later.Count, later.Distinct().Count());
    }

    [Fact]
    public void A_floor_below_the_clock_changes_nothing()
    {
        var generator = new SnowflakeGenerator(3, new ManualClock(Start));
        var first = generator.NextId();

        var above = generator.NextIdAbove(new Snowflake(first.Value - 1000));

        Assert.Equal(first.Value + 1, above.Value);
    }
}

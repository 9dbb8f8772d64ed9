using System.Net;
using System.Text.Json;
using KamaChat.Server.Features.Messages;
using KamaChat.Tests.Infrastructure;
using MessagePack;
using Microsoft.EntityFrameworkCore;

namespace KamaChat.Tests.Ids;

/// <summary>The one ID type: how it reads and writes (JSON, MessagePack, routes) and how it behaves in queries.</summary>
public sealed class SnowflakeTests
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    [Fact]
    public void It_is_a_string_of_digits_in_json_even_above_2_to_the_53()
    {
        var id = new Snowflake(9_007_199_254_740_993); // 2^53 + 1: a JavaScript number cannot hold it
        Assert.Equal("\"9007199254740993\"", JsonSerializer.Serialize(id, Web));
        Assert.Equal("{\"id\":\"9007199254740993\",\"none\":null}", JsonSerializer.Serialize(new { id, none = (Snowflake?)null }, Web));
        Assert.Equal(id, JsonSerializer.Deserialize<Snowflake>("\"9007199254740993\"", Web));
    }

    [Fact]
    public void A_json_integer_is_still_read_as_the_api_accepted_numbers_before()
    {
        Assert.Equal(new Snowflake(42), JsonSerializer.Deserialize<Snowflake>("42", Web));
        Assert.Equal(new Snowflake(0), JsonSerializer.Deserialize<Snowflake>("\"0\"", Web));
    }

    [Theory]
    [InlineData("\"-1\"")]
    [InlineData("-1")]
    [InlineData("\"1e3\"")]
    [InlineData("1.5")]
    [InlineData("\" 12\"")]
    [InlineData("\"12a\"")]
    [InlineData("\"\"")]
    [InlineData("\"99999999999999999999\"")]
    [InlineData("\"9223372036854775808\"")]
    [InlineData("true")]
    [InlineData("{}")]
    public void Anything_else_is_refused(string json) =>
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<Snowflake>(json, Web));

    [Fact]
    public void Ids_order_by_value_and_carry_their_time()
    {
        var generator = new SnowflakeGenerator(3, TimeProvider.System);
        var (older, newer) = (generator.NextId(), generator.NextId());
        Assert.True(older < newer && newer > older && older <= newer && older != newer);
        Assert.Equal([older, newer], new[] { newer, older }.Order());
        Assert.Equal(SnowflakeGenerator.TimestampOf(older), older.Timestamp);
        Assert.Equal(older.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), older.ToString());
        Assert.Equal($"/channels/{older.Value}", $"/channels/{older}");
    }

    [Fact]
    public void A_clock_that_jumps_back_five_seconds_keeps_ids_unique_and_increasing()
    {
        var clock = new SettableClock(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        var generator = new SnowflakeGenerator(7, clock);
        var issued = new List<Snowflake> { generator.NextId() };

        clock.Now -= TimeSpan.FromSeconds(5); // an NTP step or a VM resumed from a snapshot
        // More than one millisecond's worth of sequence numbers, so the generator must borrow milliseconds ahead.
        for (var i = 0; i < 10_000; i++)
            issued.Add(generator.NextId());
        clock.Now += TimeSpan.FromSeconds(5.001); // caught up again, just past where it was
        issued.Add(generator.NextId());
        // The floor of another node's later commit moves this one on (NextIdAbove) without ever going back either.
        var floor = new Snowflake(issued[^1].Value + (1000L << 22));
        issued.Add(generator.NextIdAbove(floor));

        Assert.Equal(issued.Count, issued.Distinct().Count());
        Assert.Equal(issued, issued.Order());
        Assert.True(issued[^1] > floor);
        Assert.All(issued, id => Assert.Equal(7, SnowflakeGenerator.NodeOf(id)));
    }

    private sealed class SettableClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void MessagePack_clients_get_the_same_string_and_may_send_either()
    {
        var options = MessagePackSerializerOptions.Standard.WithResolver(SnowflakeMessagePackFormatter.Resolver);
        var id = new Snowflake(9_007_199_254_740_993);
        var bytes = MessagePackSerializer.Serialize(id, options);
        Assert.Equal("9007199254740993", MessagePackSerializer.Deserialize<string>(bytes, options));
        Assert.Equal(id, MessagePackSerializer.Deserialize<Snowflake>(bytes, options));
        Assert.Equal(id, MessagePackSerializer.Deserialize<Snowflake>(MessagePackSerializer.Serialize(id.Value, options), options));
    }
}

/// <summary>The converter keeps every id column a 64-bit integer, and comparisons translate to SQL on the column, on both databases.</summary>
public abstract class SnowflakeQueryTests(KamaChatApp app)
{
    [Fact]
    public async Task The_id_type_changes_nothing_in_the_schema() =>
        Assert.False(await app.QueryAsync(db => Task.FromResult(db.Database.HasPendingModelChanges())));

    [Fact]
    public async Task Comparisons_max_and_contains_on_ids_run_in_sql_on_the_bare_column()
    {
        var (_, channelId, owner) = await app.SeedServerWithChannelAsync();
        var ids = await app.SeedMessagesAsync(channelId, owner, 5);

        var sql = await app.QueryAsync(db => Task.FromResult(
            db.Messages.Where(m => m.ChannelId == channelId && m.Id < ids[3]).OrderByDescending(m => m.Id).ToQueryString()));
        // A cast around the column would keep the (channel, id) index from serving history pages.
        Assert.DoesNotContain("CAST", sql, StringComparison.OrdinalIgnoreCase);

        var before = await app.QueryAsync(db => db.Messages.Where(m => m.ChannelId == channelId && m.Id < ids[3])
            .OrderByDescending(m => m.Id).Select(m => m.Id).ToListAsync());
        Assert.Equal([ids[2], ids[1], ids[0]], before);
        Assert.Equal(ids[^1], await app.QueryAsync(db => db.Messages.Where(m => m.ChannelId == channelId).MaxAsync(m => (Snowflake?)m.Id)));
        var some = new List<Snowflake> { ids[0], ids[4], new(12345) };
        Assert.Equal([ids[0], ids[4]], await app.QueryAsync(db => db.Messages.Where(m => some.Contains(m.Id)).OrderBy(m => m.Id).Select(m => m.Id).ToListAsync()));
    }

    [Fact]
    public async Task A_route_segment_that_is_not_an_id_matches_nothing()
    {
        var user = await app.UserAsync();
        foreach (var url in new[] { "/api/v1/users/abc", "/api/v1/servers/-1/channels", "/api/v1/channels/12x/messages", "/api/v1/servers/99999999999999999999" })
            await (await user.Client.GetAsync(url)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }
}

[Trait("Provider", "sqlite")]
public sealed class SqliteSnowflakeQueryTests(SqliteApp app) : SnowflakeQueryTests(app), IClassFixture<SqliteApp>;

[Trait("Provider", "postgres")]
public sealed class PostgresSnowflakeQueryTests(PostgresApp app) : SnowflakeQueryTests(app), IClassFixture<PostgresApp>;

using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KamaChat.Tests.Infrastructure;
using static KamaChat.Tests.ApiDocs.OpenApiWalk;

namespace KamaChat.Tests.ApiDocs;

/// <summary>
/// The project's rule for bad input, checked across the whole API: every operation in /openapi/v1.json is sent ids that
/// are not snowflakes or name nothing, bodies that are not JSON or have the wrong shape, wrong types, huge numbers and
/// strings, control characters and the wrong Content-Type. Each must be answered with a problem+json that has a
/// <c>code</c>, never a 5xx, and a refused request must not have written anything.
/// </summary>
public abstract class BadInputTests(KamaChatApp app)
{
    // What this walk does not call, and why:
    // - the gateway hub is a WebSocket, not an operation of the document (Gateway/GatewayTests, GatewayLimitTests);
    // - operations with no id in the path, no query parameter and no body (lists, POST /api/v1/auth/logout): nothing
    //   they are sent can be wrong, and sign-out would end the walker's session for the operations after it;
    // - nothing is skipped for rate limits: the test app's limits are 100,000 a window (KamaChatApp).

    [Fact]
    public async Task Every_operation_answers_bad_input_with_a_problem_and_writes_nothing()
    {
        var document = JsonNode.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        var world = await World.CreateAsync(app);
        await using var writes = await CommitWatch.OpenAsync(app);
        var failures = new List<string>();
        var sent = 0;
        var operations = 0;

        // Deletes last: a delete that (wrongly) went through would take the owner's server or channel from the rest.
        foreach (var (path, method, operation) in Operations(document).OrderBy(o => o.Method == "DELETE"))
        {
            operations++;
            foreach (var request in Cases(document, path, method, operation, world))
            {
                sent++;
                var before = writes is null ? 0 : await writes.VersionAsync();
                using var message = new HttpRequestMessage(new HttpMethod(method), request.Url) { Content = request.Body };
                // The tus upload endpoints answer 412 to anything without it, before looking at what is sent.
                message.Headers.Add("Tus-Resumable", "1.0.0");
                using var response = await world.Owner.Client.SendAsync(message);
                var failure = await JudgeAsync(response, writes is not null && before != await writes.VersionAsync());
                if (failure is not null)
                    failures.Add($"{method} {path} ({request.Url[..Math.Min(request.Url.Length, 120)]}) [{request.Case}]: {failure}");
            }
        }

        Assert.True(operations > 50 && sent > 500, $"Only {operations} operations and {sent} requests: the walk is broken.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} bad requests were not answered with a problem:\n" + string.Join('\n', failures));
    }

    /// <summary>What is wrong with the answer to a bad request, or null when it is right.</summary>
    private static async Task<string?> JudgeAsync(HttpResponseMessage response, bool wrote)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        var said = $"{status} {response.Content.Headers.ContentType?.MediaType} {(body.Length > 300 ? body[..300] + "…" : body)}";
        if (status >= 500)
            return said;
        if (status < 400)
            return null;
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            return "not a problem: " + said;
        try
        {
            if (JsonDocument.Parse(body).RootElement.TryGetProperty("code", out var code) is false || code.ValueKind != JsonValueKind.String)
                return "a problem without a code: " + said;
        }
        catch (JsonException)
        {
            return "a problem that is not JSON: " + said;
        }
        return wrote ? "refused but wrote to the database: " + said : null;
    }

    private sealed record Request(string Case, string Url, HttpContent? Body);

    private static IEnumerable<Request> Cases(JsonNode document, string path, string method, JsonNode operation, World world)
    {
        var pathParameters = Parameters(operation, "path");
        string Url(string? bad = null, string? value = null) =>
            pathParameters.Aggregate(path, (url, name) => url.Replace($"{{{name}}}", Uri.EscapeDataString(name == bad ? value! : world.RealValue(path, name))));

        // Each id in the path, one at a time, as something that is not a snowflake or names nothing; the others real.
        foreach (var name in pathParameters.Where(IsId))
            foreach (var (label, value) in BadIds)
                yield return new Request($"{name} = {label}", Url(name, value), null);

        // Each query parameter, one at a time, as a value no parameter takes.
        var url = Url();
        foreach (var query in Parameters(operation, "query"))
            foreach (var (label, value) in BadQueryValues)
                yield return new Request($"?{query} = {label}", $"{url}?{Uri.EscapeDataString(query)}={Uri.EscapeDataString(value)}", null);

        var content = operation["requestBody"]?["content"]?.AsObject();
        if (content is null)
            yield break;
        if (!content.ContainsKey("application/json"))
        {
            // Uploads: only the cheap cases.
            yield return new Request("no body", url, null);
            yield return new Request("a JSON body to an upload", url, Json("{}"));
            yield break;
        }

        yield return new Request("not JSON", url, Json("{\"name\": "));
        yield return new Request("empty body", url, Json(""));
        yield return new Request("no body", url, null);
        yield return new Request("wrong Content-Type", url, new StringContent("{}", Encoding.UTF8, "text/plain"));
        foreach (var root in new[] { "null", "[]", "\"a string\"", "42" })
            yield return new Request($"body {root}", url, Json(root));
        yield return new Request("an unknown property", url, Json("{\"noSuchProperty\": 1}"));
        yield return new Request("nested 1,000 deep", url, Json(new string('[', 1000) + new string(']', 1000)));

        // One property wrong at a time, beside plain values for the required others, so the wrong one is what is judged.
        var schema = Resolve(document, content["application/json"]?["schema"]);
        var properties = schema?["properties"]?.AsObject() ?? [];
        var required = (schema?["required"]?.AsArray() ?? []).Select(r => (string)r!).ToHashSet();
        foreach (var (property, propertySchema) in properties)
        {
            var resolved = Resolve(document, propertySchema);
            foreach (var (label, value) in WrongValues(Types(resolved), (string?)resolved?["format"]))
            {
                // Written as text: a lone surrogate cannot go through a JsonNode.
                var members = properties.Where(p => required.Contains(p.Key) && p.Key != property)
                    .Select(p => $"{JsonSerializer.Serialize(p.Key)}: {world.PlainValue(p.Key, Resolve(document, p.Value))?.ToJsonString() ?? "null"}")
                    .Append($"{JsonSerializer.Serialize(property)}: {value}");
                yield return new Request($"{property} = {label}", url, Json($"{{{string.Join(", ", members)}}}"));
            }
        }
    }

    private static readonly (string Label, string Value)[] BadIds =
    [
        ("abc", "abc"), ("-1", "-1"), ("20 digits", "99999999999999999999999"), ("0", "0"), ("an id of nothing", "123456789012345678"),
        ("the largest id", "9223372036854775807"),
    ];

    private static readonly (string Label, string Value)[] BadQueryValues =
    [
        ("abc", "abc"), ("-1", "-1"), ("20 digits", "99999999999999999999999"), ("1e400", "1e400"), ("empty", ""),
        ("2^31-1", "2147483647"), ("2^63-1", "9223372036854775807"), ("year 1", "0001-01-01T00:00:00+14:00"),
        ("a NUL", "a\0b"), ("10,000 chars", new string('a', 10_000)),
    ];

    /// <summary>Values of every JSON type but the declared ones, and for strings and numbers the extremes.</summary>
    private static IEnumerable<(string Label, string Value)> WrongValues(HashSet<string> types, string? format)
    {
        var numeric = types.Contains("integer") || types.Contains("number");
        if (!types.Contains("string"))
            yield return ("a string", "\"text\"");
        if (!numeric)
            yield return ("a number", "12345");
        if (!types.Contains("boolean"))
            yield return ("a bool", "true");
        if (!types.Contains("object"))
            yield return ("an object", "{\"a\": 1}");
        if (!types.Contains("array"))
            yield return ("an array", "[1, \"two\"]");
        if (!types.Contains("null"))
            yield return ("null", "null");
        if (types.Contains("string"))
        {
            yield return ("100,000 chars", $"\"{new string('a', 100_000)}\"");
            yield return ("a NUL", "\"a\\u0000b\"");
            yield return ("a lone surrogate", "\"a\\ud800b\"");
        }
        if (format == "date-time")
        {
            // Each is a valid time whose UTC instant is outside what DateTimeOffset holds.
            yield return ("year 1 east of UTC", "\"0001-01-01T00:00:00+14:00\"");
            yield return ("year 9999 west of UTC", "\"9999-12-31T23:59:59-14:00\"");
            yield return ("not a time", "\"tomorrow\"");
        }
        if (types.Contains("array"))
        {
            yield return ("[null]", "[null]");
            yield return ("[\"abc\"]", "[\"abc\"]");
            yield return ("[{}]", "[{}]");
            yield return ("[-1]", "[-1]");
            yield return ("10,000 ids", $"[{string.Join(',', Enumerable.Repeat("\"123456789012345678\"", 10_000))}]");
        }
        if (types.Contains("object"))
            yield return ("nested wrong types", "{\"id\": {}, \"name\": [], \"position\": \"x\"}");
        if (numeric)
        {
            yield return ("1e400", "1e400");
            yield return ("-1", "-1");
            yield return ("2^63", "9223372036854775808");
            yield return ("1.5", "1.5");
            yield return ("2^31-1", "2147483647");
            yield return ("2^63-1", "9223372036854775807");
        }
    }

    /// <summary>The signed-in owner's chat, so ids in paths can be real where the bad input is elsewhere.</summary>
    private sealed record World(TestUser Owner, Snowflake ServerId, Snowflake ChannelId, Snowflake MessageId, Snowflake DmId, TestUser Friend, TestUser Stranger)
    {
        public static async Task<World> CreateAsync(KamaChatApp app)
        {
            var owner = await app.UserAsync();
            var friend = await app.UserAsync();
            var server = await owner.CreateServerAsync();
            await friend.JoinAsync(owner, server.Id);
            var channel = await owner.CreateChannelAsync(server.Id, "fuzz");
            var message = await owner.Client.SendOkAsync(channel.Id, "a message");
            var dm = await (await owner.Client.PostAsJsonAsync("/api/v1/users/@me/channels", new { recipientId = friend.Id }))
                .ReadAsync<Server.Features.DirectMessages.DmChannelResponse>(System.Net.HttpStatusCode.Created);
            return new World(owner, server.Id, channel.Id, message.Id, dm.Id, friend, await app.UserAsync());
        }

        /// <summary>A value of a property's type that could be right, for the properties beside the wrong one.</summary>
        public JsonNode? PlainValue(string name, JsonNode? schema)
        {
            var types = Types(schema);
            if (schema?["enum"] is JsonArray values && values.Count > 0)
                return values[0]?.DeepClone();
            if (types.Contains("null"))
                return null;
            if (types.Contains("string"))
                return IsId(name) ? Friend.Id.ToString() : (string?)schema?["format"] == "email" ? "fuzz@example.test" : "fuzz";
            if (types.Contains("integer") || types.Contains("number"))
                return 1;
            if (types.Contains("boolean"))
                return false;
            if (types.Contains("array"))
                return new JsonArray();
            return types.Contains("object") ? new JsonObject() : null;
        }

        /// <summary>A real value for a path parameter, by what the segment before it names.</summary>
        public string RealValue(string path, string name)
        {
            var segments = path.Split('/');
            var before = segments[Array.IndexOf(segments, $"{{{name}}}") - 1];
            return (before, name) switch
            {
                (_, "emoji") => "👍",
                (_, "code") => "nosuchcode",
                (_, "targetType") => "role",
                (_, "targetId") => ServerId.ToString(),
                ("servers", _) => ServerId.ToString(),
                ("channels", _) => path.Contains("recipients", StringComparison.Ordinal) ? DmId.ToString() : ChannelId.ToString(),
                ("messages", _) or ("pins", _) => MessageId.ToString(),
                // A ban needs no body, so the walk does ban: someone else than the member the other operations act on.
                ("bans", _) => Stranger.Id.ToString(),
                ("users", _) or ("members", _) or ("recipients", _) => Friend.Id.ToString(),
                ("roles", _) => ServerId.ToString(),
                _ => "123456789012345678",
            };
        }
    }
}

public sealed class SqliteBadInputTests(QuietSqliteApp app) : BadInputTests(app), IClassFixture<QuietSqliteApp>;

public sealed class PostgresBadInputTests(PostgresApp app) : BadInputTests(app), IClassFixture<PostgresApp>;

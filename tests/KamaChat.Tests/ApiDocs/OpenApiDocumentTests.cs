using System.Text.Json.Nodes;
using KamaChat.Tests.Infrastructure;

namespace KamaChat.Tests.ApiDocs;

/// <summary>What /openapi/v1.json tells clients (the web client's types are generated from it), checked by walking it.</summary>
public sealed class OpenApiDocumentTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task Every_id_in_paths_queries_bodies_responses_and_gateway_messages_is_a_string()
    {
        var document = await DocumentAsync();
        var checkedIds = 0;
        var wrong = new List<string>();

        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            var routeParameters = path.Split('/').Where(s => s.StartsWith('{')).Select(s => s.Trim('{', '}')).ToHashSet();
            foreach (var (method, operation) in item!.AsObject())
            {
                var declared = (operation!["parameters"]?.AsArray() ?? []).Where(p => (string?)p!["in"] == "path").Select(p => (string)p!["name"]!);
                foreach (var undeclared in routeParameters.Except(declared))
                    wrong.Add($"{method.ToUpperInvariant()} {path} does not declare its path parameter {undeclared}");
                foreach (var parameter in operation["parameters"]?.AsArray() ?? [])
                {
                    var name = (string)parameter!["name"]!;
                    var inPath = (string?)parameter["in"] == "path";
                    // Route parameters are ids, except the few that are codes, names or emoji.
                    if (!IsIdName(name) && !(inPath && routeParameters.Contains(name) && name is not ("code" or "emoji" or "targetType")))
                        continue;
                    checkedIds++;
                    // A repeatable query parameter (search's authorId) is an array of id strings.
                    var schema = Resolve(document, parameter["schema"]);
                    if (!IsString(document, schema) && !(!inPath && Types(schema).Contains("array") && IsString(document, schema!["items"])))
                        wrong.Add($"{method.ToUpperInvariant()} {path} parameter {name}: {parameter["schema"]?.ToJsonString()}");
                }
            }
        }
        // The components hold the gateway's contract too (hub messages and every event's data), so those ids are walked here.
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (schemaName, schema) in document["components"]!["schemas"]!.AsObject())
        {
            foreach (var (property, value) in schema!["properties"]?.AsObject() ?? [])
            {
                if (!IsIdName(property) || NotSnowflakes.Contains($"{schemaName}.{property}"))
                    continue;
                checkedIds++;
                seen.Add($"{schemaName}.{property}");
                var resolved = Resolve(document, value);
                var ok = property.EndsWith("Ids", StringComparison.Ordinal)
                    ? Types(resolved).Contains("array") && IsString(document, resolved!["items"])
                    : IsString(document, resolved);
                if (!ok)
                    wrong.Add($"{schemaName}.{property}: {value?.ToJsonString()}");
            }
        }

        Assert.True(checkedIds > 50, $"Only {checkedIds} ids were found; the walk is broken.");
        Assert.Superset(
            new HashSet<string> { "GatewayEvent.scopeId", "ReadyServer.ownerId", "ReactionData.userId", "SessionRevokedData.sessionId", "MemberLeftData.userId" },
            seen);
        Assert.True(wrong.Count == 0, "Ids that are not strings, or not declared:\n" + string.Join('\n', wrong));
    }

    [Fact]
    public async Task Plain_numbers_are_integers_not_integers_or_strings()
    {
        var document = await DocumentAsync();
        var mixed = new List<string>();
        Walk(document, "", (where, node) =>
        {
            var types = Types(node);
            if (types.Contains("string") && (types.Contains("integer") || types.Contains("number")))
                mixed.Add(where);
        });
        Assert.True(mixed.Count == 0, "number-or-string schemas:\n" + string.Join('\n', mixed));
        var memberCount = document["components"]!["schemas"]!["ServerResponse"]!["properties"]!["memberCount"]!;
        Assert.Equal(["integer"], Types(memberCount));
    }

    [Fact]
    public async Task Endpoints_behind_a_permission_filter_declare_its_403_and_404()
    {
        var document = await DocumentAsync();
        foreach (var (path, method) in new[]
                 {
                     ("/api/v1/servers/{id}/roles", "post"), ("/api/v1/servers/{id}/bans", "get"), ("/api/v1/channels/{id}/messages", "post"),
                     ("/api/v1/channels/{id}/permissions/{targetType}/{targetId}", "put"), ("/api/v1/channels/{id}/pins", "get"),
                 })
        {
            var responses = document["paths"]![path]![method]!["responses"]!.AsObject();
            Assert.True(responses.ContainsKey("403") && responses.ContainsKey("404"), $"{method} {path}: {string.Join(", ", responses.Select(r => r.Key))}");
        }
        // Membership alone (no permission) can only be missing, not lacking: 404 without 403.
        var roles = document["paths"]!["/api/v1/servers/{id}/roles"]!["get"]!["responses"]!.AsObject();
        Assert.True(roles.ContainsKey("404"));
        Assert.False(roles.ContainsKey("403"));
    }

    /// <summary>Named like ids, but not snowflakes: the node's NODE_ID is a small number (0..1023).</summary>
    private static readonly HashSet<string> NotSnowflakes = new(StringComparer.Ordinal) { "ReadyPayload.nodeId" };

    private async Task<JsonNode> DocumentAsync() => JsonNode.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"))!;

    /// <summary>id, or a name ending in Id or Ids (userId, recipientIds, lastMessageId); not a word that merely ends so, like "void".</summary>
    private static bool IsIdName(string name) =>
        name == "id" || name.EndsWith("Id", StringComparison.Ordinal) || name.EndsWith("Ids", StringComparison.Ordinal);

    private static bool IsString(JsonNode document, JsonNode? schema)
    {
        var types = Types(Resolve(document, schema));
        return types.Contains("string") && !types.Contains("integer") && !types.Contains("number");
    }

    /// <summary>A schema's own types, looking through $ref and the nullable wrappers (oneOf/anyOf with null) .NET writes.</summary>
    private static HashSet<string> Types(JsonNode? schema)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        switch (schema?["type"])
        {
            case JsonArray array:
                types.UnionWith(array.Select(t => (string)t!));
                break;
            case JsonValue value:
                types.Add((string)value!);
                break;
        }
        return types;
    }

    private static JsonNode? Resolve(JsonNode document, JsonNode? schema)
    {
        for (var depth = 0; schema is not null && depth < 10; depth++)
        {
            if (schema["$ref"] is JsonValue reference)
            {
                schema = document["components"]!["schemas"]![((string)reference!).Split('/')[^1]];
                continue;
            }
            var alternatives = (schema["oneOf"] ?? schema["anyOf"] ?? schema["allOf"])?.AsArray();
            if (alternatives is null)
                return schema;
            schema = alternatives.FirstOrDefault(a => !Types(a).SetEquals(["null"]));
        }
        return schema;
    }

    private static void Walk(JsonNode? node, string where, Action<string, JsonNode> visit)
    {
        switch (node)
        {
            case JsonObject obj:
                visit(where, obj);
                foreach (var (key, child) in obj)
                    Walk(child, where + "/" + key, visit);
                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                    Walk(array[i], where + "/" + i, visit);
                break;
        }
    }
}

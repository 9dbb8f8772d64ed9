using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;

namespace KamaChat.Tests.ApiDocs;

/// <summary>What the walks over /openapi/v1.json share: the operations, their schemas, and JSON bodies as sent.</summary>
public static class OpenApiWalk
{
    public static IEnumerable<(string Path, string Method, JsonNode Operation)> Operations(JsonNode document) =>
        from path in document["paths"]!.AsObject()
        from operation in path.Value!.AsObject()
        select (path.Key, operation.Key.ToUpperInvariant(), operation.Value!);

    /// <summary>The names of an operation's parameters that are in <paramref name="where"/> ("path" or "query").</summary>
    public static List<string> Parameters(JsonNode operation, string where) =>
        (operation["parameters"]?.AsArray() ?? []).Where(p => (string?)p!["in"] == where).Select(p => (string)p!["name"]!).ToList();

    public static bool IsId(string name) => name == "id" || name.EndsWith("Id", StringComparison.Ordinal);

    public static ByteArrayContent Json(string json)
    {
        var body = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return body;
    }

    public static HashSet<string> Types(JsonNode? schema) => schema?["type"] switch
    {
        JsonArray array => array.Select(t => (string)t!).ToHashSet(),
        JsonValue value => [(string)value!],
        _ => [],
    };

    /// <summary>A schema through its $ref and the nullable wrappers (oneOf/anyOf with null) .NET writes; null stays one of its types.</summary>
    public static JsonNode? Resolve(JsonNode document, JsonNode? schema)
    {
        for (var depth = 0; schema is not null && depth < 10; depth++)
        {
            if (schema["$ref"] is JsonValue reference)
            {
                schema = document["components"]!["schemas"]![((string)reference!).Split('/')[^1]];
                continue;
            }
            var alternatives = (schema["oneOf"] ?? schema["anyOf"])?.AsArray();
            if (alternatives is null)
                return schema;
            var nullable = alternatives.Any(a => Types(a).SetEquals(["null"]));
            var inner = Resolve(document, alternatives.FirstOrDefault(a => !Types(a).SetEquals(["null"])));
            if (inner is null || !nullable)
                return inner;
            var copy = inner.DeepClone();
            copy["type"] = new JsonArray([.. Types(inner).Append("null").Distinct().Select(t => JsonValue.Create(t))]);
            return copy;
        }
        return schema;
    }
}

/// <summary>
/// Whether anything was committed to the SQLite file, by any connection: PRAGMA data_version on a connection of the
/// test's own changes exactly when another connection commits. It sees every write, whatever the app wrote it with
/// (EF Core, raw commands, background work), which counting rows or events would not (an UPDATE adds no row, and
/// not every write is an event). PostgreSQL has no per-database equivalent, and the write paths are the same code.
/// </summary>
public sealed class CommitWatch(SqliteConnection connection) : IAsyncDisposable
{
    /// <summary>A watch on the app's SQLite file, or null on PostgreSQL.</summary>
    public static async Task<CommitWatch?> OpenAsync(KamaChatApp app)
    {
        if (app.ProviderName != "sqlite")
            return null;
        var connection = new SqliteConnection($"Data Source={app.DatabaseUrl["sqlite://".Length..]};Pooling=False");
        await connection.OpenAsync();
        return new CommitWatch(connection);
    }

    public async Task<long> VersionAsync()
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA data_version";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public ValueTask DisposeAsync() => connection.DisposeAsync();
}

/// <summary>
/// An app whose only writes are the requests': messages are indexed for search in their send, not by a tick, and
/// jobs (push, email) are queued but not run, since a job's receipt would land during a later request's check.
/// </summary>
public sealed class QuietSqliteApp : KamaChatApp
{
    public override string ProviderName => "sqlite";

    protected override IEnumerable<KeyValuePair<string, string>> ExtraSettings => [new("Search:SqliteIndexMilliseconds", "0")];

    protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services =>
        {
            foreach (var worker in services.Where(d => d.ImplementationType == typeof(Server.Infrastructure.Jobs.InProcessJobWorker)).ToList())
                services.Remove(worker);
        });
    }

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(SqliteUrl(dataDirectory));
}

using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Configuration;

/// <summary>Node identity and where this node keeps its local files.</summary>
public sealed class ServerOptions
{
    /// <summary>Feeds the ID generator; unique per node (0..1023).</summary>
    public int NodeId { get; set; }

    /// <summary>Raw NODE_ID text, kept so validation can say exactly what was wrong.</summary>
    public string? NodeIdText { get; set; }

    public string DataDirectory { get; set; } = "data";

    public bool MigrateOnStart { get; set; } = true;

    /// <summary>KAMACHAT_API_DOCS: whether /docs and /openapi/v1.json are served.</summary>
    public bool ApiDocs { get; set; } = true;

    public List<string> Errors { get; } = [];

    /// <summary>
    /// Where users reach the web client (PUBLIC_URL); links in emails start with it. Without PUBLIC_URL, the address
    /// this node listens on (HOST and PORT, or URLS), so mailed links work on whatever port it runs.
    /// </summary>
    public Uri PublicUrl { get; set; } = new("http://localhost:3000/");

    public string? PublicUrlText { get; set; }

    public static void Bind(ServerOptions options, IConfiguration configuration)
    {
        options.NodeIdText = configuration["NODE_ID"];
        if (int.TryParse(options.NodeIdText, out var nodeId))
            options.NodeId = nodeId;
        options.DataDirectory = configuration["KAMACHAT_DATA_DIR"] is { Length: > 0 } dir ? dir : "data";
        options.MigrateOnStart = BooleanSetting.Read(configuration, "KAMACHAT_MIGRATE", options.MigrateOnStart, options.Errors);
        options.ApiDocs = BooleanSetting.Read(configuration, "KAMACHAT_API_DOCS", options.ApiDocs, options.Errors);
        options.PublicUrlText = configuration["PUBLIC_URL"];
        // Links are resolved against it as a base, so it must end in '/' (or a path prefix would be dropped).
        if (options.PublicUrlText is { Length: > 0 } text)
        {
            if (Uri.TryCreate(text.TrimEnd('/') + "/", UriKind.Absolute, out var publicUrl))
                options.PublicUrl = publicUrl;
        }
        else if (ListenAddress.Reachable(configuration) is { } listening)
        {
            options.PublicUrl = listening;
        }
    }
}

internal sealed class ServerOptionsValidator : IValidateOptions<ServerOptions>
{
    public ValidateOptionsResult Validate(string? name, ServerOptions options)
    {
        var failures = new List<string>(options.Errors);
        if (!string.IsNullOrWhiteSpace(options.PublicUrlText) &&
            !(Uri.TryCreate(options.PublicUrlText, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps)))
            failures.Add($"PUBLIC_URL must be an absolute http or https URL such as https://chat.example.com (got '{options.PublicUrlText}').");
        if (!string.IsNullOrWhiteSpace(options.NodeIdText) &&
            (!int.TryParse(options.NodeIdText, out var id) || id is < 0 or > Ids.SnowflakeGenerator.MaxNodeId))
            failures.Add($"NODE_ID must be a whole number from 0 to {Ids.SnowflakeGenerator.MaxNodeId}, unique per node (got '{options.NodeIdText}').");
        return failures.Count > 0 ? ValidateOptionsResult.Fail(failures) : ValidateOptionsResult.Success;
    }
}

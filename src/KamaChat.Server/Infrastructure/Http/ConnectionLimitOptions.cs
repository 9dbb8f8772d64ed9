using System.Globalization;
using Microsoft.Extensions.Options;

namespace KamaChat.Server.Infrastructure.Http;

/// <summary>
/// The connections a node holds at once, as start-up decided them: what the operator set in
/// Kestrel__Limits__MaxConcurrentConnections and Kestrel__Limits__MaxConcurrentUpgradedConnections, else what
/// <see cref="ConnectionLimits.Budget"/> computes from the open-file limit. Null is unbounded.
/// </summary>
public sealed class ConnectionLimitOptions
{
    public const string ConnectionsVariable = "Kestrel__Limits__MaxConcurrentConnections";
    public const string UpgradedConnectionsVariable = "Kestrel__Limits__MaxConcurrentUpgradedConnections";

    /// <summary>The open-file limit the budget came from; null where none was found (unlimited, or no /proc).</summary>
    public long? OpenFileLimit { get; set; }

    /// <summary>Files kept back from the clients for the node's own use; 0 without an open-file limit.</summary>
    public long Reserve { get; set; }

    public long? Connections { get; set; }

    public long? UpgradedConnections { get; set; }

    public bool ConnectionsFromOperator { get; set; }

    public bool UpgradedConnectionsFromOperator { get; set; }

    /// <summary>Why a value the operator set cannot be used; one entry per variable.</summary>
    public List<string> Errors { get; } = [];

    public static void Bind(ConnectionLimitOptions options, IConfiguration configuration, long? openFileLimit)
    {
        var budget = openFileLimit is { } limit ? ConnectionLimits.Budget(limit) : ((int, int)?)null;
        options.OpenFileLimit = openFileLimit;
        options.Reserve = openFileLimit is { } files ? ConnectionLimits.Reserve(files) : 0;
        (options.Connections, options.ConnectionsFromOperator) =
            Read(options, configuration, ConnectionLimits.ConnectionsKey, ConnectionsVariable, budget?.Item1);
        (options.UpgradedConnections, options.UpgradedConnectionsFromOperator) =
            Read(options, configuration, ConnectionLimits.UpgradedConnectionsKey, UpgradedConnectionsVariable, budget?.Item2);
    }

    /// <summary>
    /// A positive whole number, or empty for the computed one. Kestrel takes 0 (which refuses every client) and the
    /// configuration binder fails on anything else with an exception that names neither the variable nor the fix.
    /// </summary>
    private static (long? Value, bool FromOperator) Read(ConnectionLimitOptions options, IConfiguration configuration, string key,
        string variable, long? computed)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text))
            return (computed, false);
        if (long.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0)
            return (value, true);
        options.Errors.Add($"{variable} must be a positive whole number of connections, or empty for the limit computed from the open-file limit (got '{text}').");
        return (computed, false);
    }
}

internal sealed class ConnectionLimitOptionsValidator : IValidateOptions<ConnectionLimitOptions>
{
    public ValidateOptionsResult Validate(string? name, ConnectionLimitOptions options) =>
        options.Errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(options.Errors);
}

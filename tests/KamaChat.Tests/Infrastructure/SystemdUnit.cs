namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// The project's own systemd units (deploy/systemd), read so the cluster test starts its nodes with the settings the
/// units give them: a change to a unit is tested, not just shipped.
/// </summary>
public static class SystemdUnit
{
    /// <summary>The <c>Environment=</c> assignments of a template unit for one instance (<c>%i</c> replaced).</summary>
    public static async Task<Dictionary<string, string>> EnvironmentAsync(string unit, string instance)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var rawLine in await File.ReadAllLinesAsync(Path.Combine(Repository.Root, "deploy", "systemd", unit)))
        {
            var line = rawLine.Trim();
            if (!line.StartsWith("Environment=", StringComparison.Ordinal))
                continue;
            // One assignment per line in our units, optionally quoted: Environment="NAME=value with spaces".
            var assignment = line["Environment=".Length..].Trim('"').Replace("%i", instance, StringComparison.Ordinal);
            var equals = assignment.IndexOf('=', StringComparison.Ordinal);
            Assert.True(equals > 0, $"{unit}: cannot read '{rawLine}'");
            environment[assignment[..equals]] = assignment[(equals + 1)..];
        }
        return environment;
    }
}

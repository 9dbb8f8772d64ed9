namespace KamaChat.Server.Infrastructure.Configuration;

/// <summary>Loads <c>.env</c> from the working directory and maps the seed's <c>NODE_ENV</c> onto ASP.NET Core's environment.</summary>
public static class EnvironmentFile
{
    public static void Load()
    {
        var path = Path.Combine(Directory.GetCurrentDirectory(), ".env");
        if (File.Exists(path))
            // Real environment variables win over the file, so a deployment can override one value.
            DotNetEnv.Env.NoClobber().Load(path);
    }

    /// <summary>ASP.NET Core's environment name for the seed's NODE_ENV; development when unset, so a bare clone just runs.</summary>
    public static string EnvironmentName(string? nodeEnv) => nodeEnv?.Trim().ToLowerInvariant() switch
    {
        "production" => Environments.Production,
        "test" or "testing" => "Testing",
        _ => Environments.Development,
    };
}

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// A fact that runs only when the named environment variables are set, and is otherwise reported as skipped with
/// the reason (xunit 2 has no dynamic skip; a Fact whose Skip is set at discovery is the clean way).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresEnvironmentFactAttribute : FactAttribute
{
    public RequiresEnvironmentFactAttribute(params string[] variables)
    {
        var missing = variables.Where(v => string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v))).ToArray();
        if (missing.Length > 0)
            Skip = $"needs {string.Join(", ", missing)} (a real account; this test talks to the service itself)";
    }
}

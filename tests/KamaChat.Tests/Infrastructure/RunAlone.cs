namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// Tests that measure time, or start server processes of their own (a .NET start-up is seconds of CPU): they run after
/// all the others, one class at a time. Run next to dozens of test classes on two cores, a child server could get so
/// little CPU that it did not listen within a minute, and a latency measured there measures the other tests.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunAlone
{
    public const string Name = "Run alone";
}

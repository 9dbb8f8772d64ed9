namespace KamaChat.Tests.Infrastructure;

/// <summary>One node of a multi-node install: an app on a database it shares with other nodes.</summary>
public sealed class NodeApp(string providerName, string databaseUrl) : KamaChatApp
{
    public override string ProviderName => providerName;

    protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => Task.FromResult(databaseUrl);
}

using System.Collections.Concurrent;
using KamaChat.Server.Data;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace KamaChat.Tests.Search;

/// <summary>
/// A PostgreSQL database whose LC_CTYPE is C (what Debian's cluster gets where the environment names no locale) folds and
/// trigram-indexes only ASCII letters, so search misses non-Latin text in another case. Nothing a query says changes
/// pg_trgm's reading of the ctype, so the node says so at start-up, where the operator reads its log.
/// </summary>
public sealed class PostgresCtypeTests
{
    [Fact]
    public async Task A_node_on_a_database_whose_ctype_lower_cases_only_ascii_warns_at_start_that_search_misses_other_scripts()
    {
        await using var app = new NodeOnCtypeC();
        await app.InitializeAsync();

        var warning = Assert.Single(app.Warnings);
        Assert.Contains("has LC_CTYPE C and encoding UTF8", warning, StringComparison.Ordinal);
        Assert.Contains("does not find 'ПРИВЕТ' for 'привет'", warning, StringComparison.Ordinal);
        Assert.Contains("./kamachat doctor", warning, StringComparison.Ordinal);
    }

    private sealed class NodeOnCtypeC : KamaChatApp, ILoggerProvider
    {
        public ConcurrentQueue<string> Warnings { get; } = new();

        public override string ProviderName => "postgres";

        protected override Task<string> CreateDatabaseUrlAsync(string dataDirectory) => PostgresServer.CreateEmptyDatabaseAsync(locale: "C");

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<ILoggerProvider>(this));
        }

        public ILogger CreateLogger(string categoryName) =>
            categoryName == typeof(DatabaseMigrator).FullName ? new WarningLog(Warnings) : Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

        void IDisposable.Dispose()
        {
        }

        private sealed class WarningLog(ConcurrentQueue<string> warnings) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                    warnings.Enqueue(formatter(state, exception));
            }
        }
    }
}

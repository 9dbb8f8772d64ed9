using KamaChat.Server.Data;
using KamaChat.Server.Infrastructure.Configuration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace KamaChat.Tests.Infrastructure;

/// <summary>A context on the app's database with a <see cref="SqlitePreparedStatements"/> of its own, so the node's other work does not count.</summary>
public sealed class OwnStatements : IAsyncDisposable
{
    public OwnStatements(KamaChatApp app)
    {
        var connectionString = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.ConnectionString;
        Statements = new SqlitePreparedStatements(connectionString, app.Services.GetRequiredService<SqlitePragmas>());
        Db = new SqliteKamaDbContext(new DbContextOptionsBuilder<SqliteKamaDbContext>()
            .UseSqlite(connectionString, o => o.UseParameterizedCollectionMode(ParameterTranslationMode.Parameter)).AddInterceptors(Statements).Options);
    }

    public SqlitePreparedStatements Statements { get; }

    public KamaDbContext Db { get; }

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        Statements.Dispose();
    }
}

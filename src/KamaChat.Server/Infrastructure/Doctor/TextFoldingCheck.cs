using KamaChat.Server.Features.Search;
using KamaChat.Server.Infrastructure.Configuration;
using KamaChat.Server.Infrastructure.Storage;
using Microsoft.Extensions.Options;
using Npgsql;

namespace KamaChat.Server.Infrastructure.Doctor;

/// <summary>The PostgreSQL database lower-cases letters beyond ASCII, as search needs (<see cref="PostgresTextFolding"/>).</summary>
internal sealed class TextFoldingCheck(IOptions<DatabaseOptions> database) : IDoctorCheck
{
    public string Name => "text-folding";

    public async Task<CheckResult> RunAsync(CancellationToken cancellationToken)
    {
        var options = database.Value;
        if (options.Provider == DatabaseProvider.Sqlite)
            return CheckResult.Skip("SQLite: search folds text in the application, whatever this machine's locale");
        var target = DoctorDatabase.Postgres(options);
        try
        {
            await using var connection = new NpgsqlConnection(target.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            var finding = await PostgresTextFolding.ProbeAsync(connection, cancellationToken);
            return finding.Folds
                ? CheckResult.Ok($"{finding.Locale}: search finds text in any case, in every script")
                : CheckResult.Warn(finding.Problem, finding.Fix(target.Username));
        }
        catch (Exception e) when (StorageFailure.IsStorageFailure(e))
        {
            return CheckResult.Skip("not checked: the database cannot be reached (see database)");
        }
    }
}

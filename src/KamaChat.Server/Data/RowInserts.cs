using System.Data.Common;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace KamaChat.Server.Data;

/// <summary>
/// New rows written by a hand-made statement instead of EF Core's change tracker and <c>SaveChanges</c>: one multi-row
/// INSERT a table, its columns and stored values (ids as numbers, times as SQLite's numbers, enums as integers) taken
/// from the context's model as <c>SaveChanges</c> would write them. For a hot write of rows that nothing reads back
/// before the commit (the group commit's messages, mentions and events): the tracker's snapshot, fix-up and generated
/// SQL per row cost more CPU than the insert itself.
/// </summary>
internal sealed class RowInserts(KamaDbContext db)
{
    private readonly StringBuilder _sql = new();
    private readonly List<(string Name, object Value)> _parameters = [];
    private int _statements;

    /// <summary>Appends the INSERT of <paramref name="rows"/> (nothing when there are none): every mapped column, in the model's order.</summary>
    public void Insert<TEntity>(IReadOnlyCollection<TEntity> rows)
        where TEntity : class
    {
        if (rows.Count == 0)
            return;
        var type = db.Model.FindEntityType(typeof(TEntity)) ?? throw new InvalidOperationException($"{typeof(TEntity).Name} is not in the model.");
        var columns = Column.Of(type);
        _sql.Append("INSERT INTO \"").Append(type.GetTableName()).Append("\" (")
            .AppendJoin(", ", columns.Select(c => $"\"{c.Name}\"")).Append(") VALUES ");
        var first = true;
        foreach (var row in rows)
        {
            _sql.Append(first ? "(" : ", (");
            first = false;
            for (var c = 0; c < columns.Length; c++)
            {
                _sql.Append(c == 0 ? "" : ", ");
                _sql.Append(Parameter(columns[c].Stored(row)));
            }
            _sql.Append(')');
        }
        _sql.Append(";\n");
        _statements++;
    }

    /// <summary>Appends a statement of the caller's own, its values given by <see cref="Parameter"/>.</summary>
    public void Append(string statement)
    {
        _sql.Append(statement).Append(";\n");
        _statements++;
    }

    /// <summary>A parameter of the command for <paramref name="value"/> (null: NULL), by the name to write in the statement.</summary>
    public string Parameter(object? value)
    {
        var name = string.Create(CultureInfo.InvariantCulture, $"@r{_parameters.Count}");
        _parameters.Add((name, value ?? DBNull.Value));
        return name;
    }

    /// <summary>Sends what was appended in one round trip, in the context's current transaction (nothing when nothing was).</summary>
    public async Task ExecuteAsync(CancellationToken cancellationToken)
    {
        if (_statements == 0)
            return;
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            await using DbCommand command = RawCommands.Create(db, _statements);
            command.CommandText = _sql.ToString();
            foreach (var (name, value) in _parameters)
                command.AddParameter(name, value);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>A mapped column: its name and how a value is read from the entity and stored (EF Core's converter, if any).</summary>
    private sealed record Column(string Name, IClrPropertyGetter Getter, ValueConverter? Converter)
    {
        // Per model (each provider's, each test host's), let go with it.
        private static readonly ConditionalWeakTable<IEntityType, Column[]> Cache = [];

        public static Column[] Of(IEntityType type) => Cache.GetValue(type, t =>
        {
            var table = StoreObjectIdentifier.Table(t.GetTableName()!, t.GetSchema());
            return t.GetProperties()
                .Select(p => new Column(p.GetColumnName(table)!, p.GetGetter(), p.GetTypeMapping().Converter))
                .ToArray();
        });

        public object? Stored(object entity)
        {
            var value = Getter.GetClrValueUsingContainingEntity(entity);
            return value is null || Converter is null ? value : Converter.ConvertToProvider(value);
        }
    }
}

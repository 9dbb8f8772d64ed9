using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// Counts the SQL commands one app sends for requests while something runs (EF Core's diagnostic events, filtered to
/// that app's database). Only commands of a request's or a gateway connection's DbContext count: the app's background
/// work (the job queue, sweeps, polls) runs on its own timers and would otherwise fall into the window by chance, more
/// often the slower the machine. A context counts as a request's when any of its commands runs with a request at hand.
/// A cache's shared load runs in a context of its own, outside any request's flow: where those loads are what is
/// measured, <c>everything: true</c> counts every command (and background work may add to the count).
/// </summary>
public sealed class DatabaseCommands : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
{
    private readonly string _connectionString;
    private readonly IHttpContextAccessor _requests;
    private readonly List<IDisposable> _subscriptions = [];
    private readonly IDisposable _all;
    private readonly Dictionary<DbContext, (int Commands, bool ForRequest)> _byContext = new(ReferenceEqualityComparer.Instance);
    private readonly Func<string, bool>? _capture;
    private readonly List<CapturedCommand> _captured = [];

    /// <summary>A command's text and its parameters' names and values, to run again (e.g. under EXPLAIN).</summary>
    public sealed record CapturedCommand(string Text, IReadOnlyList<(string Name, object? Value)> Parameters);

    private DatabaseCommands(string connectionString, IHttpContextAccessor requests, Func<string, bool>? capture = null)
    {
        (_connectionString, _requests, _capture) = (connectionString, requests, capture);
        _all = DiagnosticListener.AllListeners.Subscribe(this);
    }

    public static async Task<int> CountAsync(KamaChatApp app, Func<Task> work, bool everything = false)
    {
        using var counter = new DatabaseCommands(
            await app.QueryAsync(db => Task.FromResult(db.Database.GetConnectionString()!)), app.Services.GetRequiredService<IHttpContextAccessor>());
        await work();
        lock (counter._byContext)
            return counter._byContext.Values.Where(c => everything || c.ForRequest).Sum(c => c.Commands);
    }

    /// <summary>The commands of the app whose text <paramref name="matches"/>, sent while <paramref name="work"/> runs.</summary>
    public static async Task<List<CapturedCommand>> CaptureAsync(KamaChatApp app, Func<Task> work, Func<string, bool> matches)
    {
        using var counter = new DatabaseCommands(
            await app.QueryAsync(db => Task.FromResult(db.Database.GetConnectionString()!)), app.Services.GetRequiredService<IHttpContextAccessor>(), matches);
        await work();
        lock (counter._captured)
            return [.. counter._captured];
    }

    void IObserver<DiagnosticListener>.OnNext(DiagnosticListener listener)
    {
        if (listener.Name == DbLoggerCategory.Name)
            lock (_subscriptions)
                _subscriptions.Add(listener.Subscribe(this));
    }

    void IObserver<KeyValuePair<string, object?>>.OnNext(KeyValuePair<string, object?> value)
    {
        // A query batch's commands count once, as they are recorded: not again as its results are read back.
        if (value.Key == RelationalEventId.CommandExecuting.Name && !KamaChat.Server.Data.QueryBatch.Replaying && value.Value is CommandEventData { Context: { } context } data &&
            context.Database.GetConnectionString() == _connectionString)
        {
            var forRequest = _requests.HttpContext is not null;
            lock (_byContext)
            {
                var (commands, seen) = _byContext.GetValueOrDefault(context);
                _byContext[context] = (commands + 1, seen || forRequest);
            }
            if (_capture is { } capture && capture(data.Command.CommandText))
                lock (_captured)
                    _captured.Add(new CapturedCommand(data.Command.CommandText,
                        data.Command.Parameters.Cast<System.Data.Common.DbParameter>().Select(p => (p.ParameterName, p.Value)).ToList()));
        }
    }

    void IObserver<DiagnosticListener>.OnCompleted()
    {
    }

    void IObserver<DiagnosticListener>.OnError(Exception error)
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnCompleted()
    {
    }

    void IObserver<KeyValuePair<string, object?>>.OnError(Exception error)
    {
    }

    public void Dispose()
    {
        _all.Dispose();
        lock (_subscriptions)
            foreach (var subscription in _subscriptions)
                subscription.Dispose();
    }
}

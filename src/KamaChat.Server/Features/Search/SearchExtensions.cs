namespace KamaChat.Server.Features.Search;

public static class SearchExtensions
{
    /// <summary>Message search (<see cref="MessageSearch"/>); the index itself lives in the migrations.</summary>
    public static IHostApplicationBuilder AddSearch(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SearchOptions>().BindConfiguration("Search").ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<MessageSearch>();
        // One per node: the trigram sample searches choose by, reloaded in the background.
        builder.Services.AddSingleton<TrigramSamples>();
        builder.Services.AddHostedService<PendingListMerger>();
        // One instance, for the tests to run it too.
        builder.Services.AddSingleton<SqliteSearchIndexer>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SqliteSearchIndexer>());
        return builder;
    }
}

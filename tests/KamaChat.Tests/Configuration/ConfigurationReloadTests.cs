using KamaChat.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Configuration;

/// <summary>
/// No configuration file is watched for changes: the default watched the content root recursively for appsettings
/// files KamaChat does not use, and every SQLite write under data/ woke the watcher.
/// </summary>
public sealed class ConfigurationReloadTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public void The_server_reloads_no_configuration_file_on_change()
    {
        var configuration = Assert.IsAssignableFrom<IConfigurationRoot>(app.Services.GetRequiredService<IConfiguration>());
        var files = configuration.Providers.OfType<FileConfigurationProvider>().ToList();
        Assert.NotEmpty(files);
        Assert.All(files, file => Assert.False(file.Source.ReloadOnChange, $"{file.Source.Path} is watched for changes"));
    }
}

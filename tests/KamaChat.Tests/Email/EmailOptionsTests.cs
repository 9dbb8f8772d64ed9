using KamaChat.Server.Infrastructure.Email;
using MailKit.Security;
using Microsoft.Extensions.Configuration;

namespace KamaChat.Tests.Email;

public sealed class EmailOptionsTests
{
    private static EmailOptions Bind(string? smtpUrl)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["SMTP_URL"] = smtpUrl }).Build();
        var options = new EmailOptions();
        EmailOptions.Bind(options, configuration, "/srv/kamachat");
        return options;
    }

    [Fact]
    public void Smtp_urls_give_host_port_credentials_and_starttls()
    {
        var options = Bind("smtp://mailer:p%40ss%3Aword@mail.example.com:2525");

        Assert.True(options.UsesSmtp);
        Assert.Equal("mail.example.com", options.SmtpHost);
        Assert.Equal(2525, options.SmtpPort);
        Assert.Equal("mailer", options.SmtpUser);
        Assert.Equal("p@ss:word", options.SmtpPassword);
        Assert.Equal(SecureSocketOptions.StartTlsWhenAvailable, options.SmtpSecurity);
    }

    [Fact]
    public void Smtps_means_tls_from_the_start_on_port_465_by_default()
    {
        var options = Bind("smtps://mail.example.com");

        Assert.Equal(465, options.SmtpPort);
        Assert.Equal(SecureSocketOptions.SslOnConnect, options.SmtpSecurity);
        Assert.Null(options.SmtpUser);
    }

    [Theory]
    [InlineData("http://mail.example.com")]
    [InlineData("mail.example.com:25")]
    public void Other_urls_are_a_configuration_error(string url) => Assert.NotNull(Bind(url).Error);

    [Fact]
    public void Without_smtp_mail_goes_to_the_data_directory() =>
        Assert.Equal(Path.Combine("/srv/kamachat", "mail"), Bind(null).MailDirectory);
}

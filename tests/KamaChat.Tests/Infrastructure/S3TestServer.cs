namespace KamaChat.Tests.Infrastructure;

/// <summary>
/// A throwaway S3-compatible server (npm @20minutes/s3rver 5.x, which gets multipart uploads, ranges, presigned URLs
/// and deletes right; the older s3rver 3.x does not) on a free loopback port with a temp directory, shared by the test
/// run and ended with it by <see cref="TiedProcess"/>'s watchdog. Access key and secret are both S3RVER.
/// </summary>
public static class S3TestServer
{
    public const string Bucket = "kamachat-test";
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";

    private static readonly Lazy<Task<(Uri Endpoint, string Directory)>> Started = new(StartAsync);

    public static async Task<Uri> EndpointAsync() => (await Started.Value).Endpoint;

    /// <summary>Where the server keeps an object's bytes on disk, to prove a delete really removed them.</summary>
    public static async Task<string> ObjectFileAsync(string key) =>
        Path.Combine((await Started.Value).Directory, Bucket, key.Replace('/', Path.DirectorySeparatorChar) + "._S3rver_object");

    private static async Task<(Uri, string)> StartAsync()
    {
        TestSupport.EnsureInstalled();
        var directory = System.IO.Directory.CreateTempSubdirectory("kamachat-s3-").FullName;
        var port = ServiceProcess.FreeLoopbackPort();
        var server = ServiceProcess.StartTied("node",
            [Path.Combine(TestSupport.Directory, "s3-server.js"), directory, port.ToString(System.Globalization.CultureInfo.InvariantCulture), Bucket],
            TestSupport.Directory);
        await server.WaitForPortAsync(port, TimeSpan.FromSeconds(30));
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                System.IO.Directory.Delete(directory, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Best effort: a temp directory is all that is left behind.
            }
        };
        return (new Uri($"http://127.0.0.1:{port}"), directory);
    }
}

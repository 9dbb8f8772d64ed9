using KamaChat.Server.Features.Gateway;

namespace KamaChat.Tests.Gateway;

/// <summary>The shared pool's size as the server sets it before its first use (the runtime reads it from the environment).</summary>
public sealed class FanoutBufferPoolTests
{
    [Fact]
    public void The_pool_keeps_enough_buffers_per_core_for_a_fan_out_unless_the_operator_chose_a_size()
    {
        var before = Environment.GetEnvironmentVariable(FanoutBufferPool.Variable);
        try
        {
            Environment.SetEnvironmentVariable(FanoutBufferPool.Variable, null);
            FanoutBufferPool.Configure();
            Assert.Equal("1024", Environment.GetEnvironmentVariable(FanoutBufferPool.Variable));

            Environment.SetEnvironmentVariable(FanoutBufferPool.Variable, "64");
            FanoutBufferPool.Configure();
            Assert.Equal("64", Environment.GetEnvironmentVariable(FanoutBufferPool.Variable));
        }
        finally
        {
            Environment.SetEnvironmentVariable(FanoutBufferPool.Variable, before);
        }
    }
}

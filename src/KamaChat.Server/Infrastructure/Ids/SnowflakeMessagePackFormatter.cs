using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace KamaChat.Server.Infrastructure.Ids;

/// <summary>
/// Writes a snowflake as a string in MessagePack too, so the gateway's MessagePack clients see ids exactly as JSON
/// clients do (JavaScript decoders turn 64-bit integers into lossy numbers). Reads a string or an integer.
/// </summary>
public sealed class SnowflakeMessagePackFormatter : IMessagePackFormatter<Snowflake>
{
    /// <summary>SignalR's default resolvers (enums as strings, contractless records) with snowflakes as strings.</summary>
    public static readonly IFormatterResolver Resolver = CompositeResolver.Create(
        [new SnowflakeMessagePackFormatter()],
        [DynamicEnumAsStringResolver.Instance, ContractlessStandardResolver.Instance]);

    public void Serialize(ref MessagePackWriter writer, Snowflake value, MessagePackSerializerOptions options) =>
        writer.Write(value.ToString());

    public Snowflake Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        reader.NextMessagePackType == MessagePackType.Integer
            ? new Snowflake(reader.ReadInt64())
            : Snowflake.TryParse(reader.ReadString(), out var id) ? id : throw new MessagePackSerializationException("An id is a string of decimal digits.");
}

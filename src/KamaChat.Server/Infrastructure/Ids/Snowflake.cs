using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace KamaChat.Server.Infrastructure.Ids;

/// <summary>
/// The one ID type: a 64-bit snowflake from <see cref="SnowflakeGenerator"/>. Entities, routes, queries, contracts and
/// events all use it; it is a decimal string on the wire and in OpenAPI (JavaScript numbers lose precision above 2^53)
/// and a 64-bit integer in the database. Ids sort by creation time, so comparisons order by age.
/// </summary>
[JsonConverter(typeof(SnowflakeJsonConverter))]
[TypeConverter(typeof(SnowflakeTypeConverter))]
public readonly record struct Snowflake(long Value) : IComparable<Snowflake>, IComparable, ISpanParsable<Snowflake>, ISpanFormattable
{
    /// <summary>What an id looks like in a route, a query or a JSON string: 1 to 19 decimal digits.</summary>
    public const string Pattern = "^[0-9]{1,19}$";

    public const int MaxLength = 19;

    /// <summary>The time the id was issued (to the millisecond).</summary>
    public DateTimeOffset Timestamp => SnowflakeGenerator.TimestampOf(this);

    public override string ToString() => Value.ToString(CultureInfo.InvariantCulture);

    public string ToString(string? format, IFormatProvider? formatProvider) => ToString();

    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        Value.TryFormat(destination, out charsWritten, default, CultureInfo.InvariantCulture);

    public int CompareTo(Snowflake other) => Value.CompareTo(other.Value);

    public int CompareTo(object? obj) => obj is Snowflake other ? CompareTo(other) : throw new ArgumentException("Not a Snowflake.", nameof(obj));

    public static bool operator <(Snowflake left, Snowflake right) => left.Value < right.Value;

    public static bool operator >(Snowflake left, Snowflake right) => left.Value > right.Value;

    public static bool operator <=(Snowflake left, Snowflake right) => left.Value <= right.Value;

    public static bool operator >=(Snowflake left, Snowflake right) => left.Value >= right.Value;

    public static Snowflake Max(Snowflake a, Snowflake b) => a >= b ? a : b;

    public static Snowflake Min(Snowflake a, Snowflake b) => a <= b ? a : b;

    /// <summary>Digits only (no sign, no spaces, no exponent), and within 0..long.MaxValue.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out Snowflake id)
    {
        if (text.Length is > 0 and <= MaxLength && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            id = new Snowflake(value);
            return true;
        }
        id = default;
        return false;
    }

    public static bool TryParse([NotNullWhen(true)] string? text, out Snowflake id) => TryParse(text.AsSpan(), out id);

    public static bool TryParse(ReadOnlySpan<char> s, IFormatProvider? provider, out Snowflake result) => TryParse(s, out result);

    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out Snowflake result) => TryParse(s.AsSpan(), out result);

    public static Snowflake Parse(ReadOnlySpan<char> s, IFormatProvider? provider = null) =>
        TryParse(s, out var id) ? id : throw new FormatException("An id is 1 to 19 decimal digits.");

    public static Snowflake Parse(string s, IFormatProvider? provider) => Parse(s.AsSpan(), provider);
}

/// <summary>
/// A snowflake is written as a JSON string. On input a string of digits is the form to send; a JSON integer is
/// accepted too, because the API accepted numbers for ids before there was this type (a client that sends one above
/// 2^53 from JavaScript has already lost precision, which no server can detect).
/// </summary>
public sealed class SnowflakeJsonConverter : JsonConverter<Snowflake>
{
    public override Snowflake Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var number) && number >= 0)
            return new Snowflake(number);
        if (reader.TokenType == JsonTokenType.String && Snowflake.TryParse(reader.GetString(), out var id))
            return id;
        throw new JsonException("An id is a string of 1 to 19 decimal digits.");
    }

    public override void Write(Utf8JsonWriter writer, Snowflake value, JsonSerializerOptions options)
    {
        Span<char> digits = stackalloc char[20];
        value.TryFormat(digits, out var length, default, null);
        writer.WriteStringValue(digits[..length]);
    }

    public override Snowflake ReadAsPropertyName(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        Snowflake.TryParse(reader.GetString(), out var id) ? id : throw new JsonException("An id is a string of 1 to 19 decimal digits.");

    public override void WriteAsPropertyName(Utf8JsonWriter writer, Snowflake value, JsonSerializerOptions options) =>
        writer.WritePropertyName(value.ToString());
}

/// <summary>Lets ASP.NET Core Identity turn user ids to and from text (it uses TypeDescriptor for its key type).</summary>
public sealed class SnowflakeTypeConverter : TypeConverter
{
    public override bool CanConvertFrom(ITypeDescriptorContext? context, Type sourceType) => sourceType == typeof(string) || base.CanConvertFrom(context, sourceType);

    public override bool CanConvertTo(ITypeDescriptorContext? context, Type? destinationType) => destinationType == typeof(string) || base.CanConvertTo(context, destinationType);

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is string text ? Snowflake.Parse(text, CultureInfo.InvariantCulture) : base.ConvertFrom(context, culture, value);

    public override object? ConvertTo(ITypeDescriptorContext? context, CultureInfo? culture, object? value, Type destinationType) =>
        destinationType == typeof(string) && value is Snowflake id ? id.ToString() : base.ConvertTo(context, culture, value, destinationType);
}

/// <summary>
/// <c>{id:snowflake}</c> in a route: a segment that is not an id matches nothing (404), as <c>{id:long}</c> did, without
/// telling OpenAPI the parameter is a number.
/// </summary>
public sealed class SnowflakeRouteConstraint : IRouteConstraint
{
    public bool Match(HttpContext? httpContext, IRouter? route, string routeKey, RouteValueDictionary values, RouteDirection routeDirection) =>
        values.TryGetValue(routeKey, out var value) && Snowflake.TryParse(Convert.ToString(value, CultureInfo.InvariantCulture), out _);
}

/// <summary>Stores a snowflake as the 64-bit integer column it always was (registered once, in KamaDbContext.ConfigureConventions).</summary>
public sealed class SnowflakeValueConverter() : ValueConverter<Snowflake, long>(id => id.Value, value => new Snowflake(value));

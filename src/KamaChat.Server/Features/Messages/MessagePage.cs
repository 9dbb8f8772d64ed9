using System.Buffers;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace KamaChat.Server.Features.Messages;

/// <summary>
/// A page of history as its 200 response: the same JSON, byte for byte, as <c>TypedResults.Ok(page)</c> wrote, but
/// written by System.Text.Json's source-generated code (<see cref="MessagePageJson"/>) in one synchronous pass into the
/// response's buffer and then flushed once. <c>Ok</c> serialized asynchronously through the metadata System.Text.Json
/// builds by reflection, property by property, checking after each value whether to flush; and asynchronous
/// serialization would not use generated code for it either, which System.Text.Json does there only for values under
/// half its buffer (8 KiB), a page of 50 being larger. Serializing was ~14% of the node's CPU samples on PostgreSQL.
/// </summary>
public sealed class MessagePage(List<MessageResponse> messages)
    : IResult, IEndpointMetadataProvider, IStatusCodeHttpResult, IValueHttpResult<List<MessageResponse>>, IValueHttpResult, IContentTypeHttpResult
{
    public List<MessageResponse> Value => messages;

    object? IValueHttpResult.Value => messages;

    public int StatusCode => StatusCodes.Status200OK;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public string ContentType => "application/json; charset=utf-8";

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = StatusCode;
        response.ContentType = ContentType;
        Write(response.BodyWriter, messages, httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions);
        return response.BodyWriter.FlushAsync(httpContext.RequestAborted).AsTask();
    }

    /// <summary>
    /// The page's JSON, as the endpoint writes it: escaped by the API's encoder (<paramref name="api"/>'s; ASP.NET Core's
    /// is the relaxed one, which leaves <c>&amp;</c>, <c>&lt;</c> and non-ASCII text as they are), otherwise with
    /// System.Text.Json's own settings for a serialization (no indenting, no re-validation of what its code writes).
    /// </summary>
    public static void Write(IBufferWriter<byte> output, List<MessageResponse> messages, JsonSerializerOptions api)
    {
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = api.Encoder, SkipValidation = true });
        JsonSerializer.Serialize(writer, messages, MessagePageJson.Default.ListMessageResponse);
    }

    /// <summary>What <c>Ok&lt;List&lt;MessageResponse&gt;&gt;</c> tells OpenAPI, so the document is as it was.</summary>
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(List<MessageResponse>), ["application/json"]));
}

/// <summary>
/// The page's types with System.Text.Json's generated code, under the API's own settings (ProblemDetailsExtensions'
/// JsonOptions on the web defaults): a test compares its bytes with the API's serializer for every part a message has.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(List<MessageResponse>))]
internal sealed partial class MessagePageJson : JsonSerializerContext;

using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using KamaChat.Server.Features.Events;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace KamaChat.Server.Features.Gateway;

/// <summary>
/// Publishes the hub's contract in the OpenAPI document, which otherwise describes REST only: the hub's messages under
/// their record names, and every event as <c>{Type}Event</c> — its type name, scope and data shape — gathered in the
/// <see cref="EventUnion"/> union keyed by <c>type</c>. The web client generates its gateway types from these.
/// </summary>
internal sealed class GatewayContract : IOpenApiDocumentTransformer
{
    /// <summary>The union of every event with its data parsed (the hub sends <see cref="GatewayEvent.Data"/> as a JSON string).</summary>
    public const string EventUnion = "GatewayEventData";

    /// <summary>What the hub sends (Ready, Event, Typing, Presence) and what Resume takes and returns.</summary>
    public static readonly Type[] HubMessages =
    [
        typeof(ReadyPayload), typeof(ReadyServer), typeof(ReadyChannel), typeof(ReadyDirectChannel), typeof(ReadyReadState), typeof(ServerViewChanged),
        typeof(GatewayEvent), typeof(StreamCursors), typeof(ResumeResult), typeof(StreamRef), typeof(TypingStarted), typeof(PresenceUpdated),
        typeof(Calls.VoiceState), typeof(Calls.VoiceJoined), typeof(Calls.IceServer), typeof(Calls.VoiceSubscription), typeof(Calls.VoiceStream), typeof(Calls.VoiceSelfState), typeof(Calls.VoiceEnded), typeof(Calls.VoiceModerationRequest),
        typeof(Calls.DmCallState), typeof(Calls.DmCallJoined), typeof(Calls.CallSignal), typeof(Calls.CallCandidate), typeof(Calls.CallSignalReceived), typeof(Calls.DmCallMedia),
    ];

    public static string SchemaIdOf(EventType type) => type.Name + "Event";

    public async Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var publisher = new Publisher(document, context, cancellationToken);
        foreach (var message in HubMessages)
            await publisher.ReferenceAsync(message, hubMessage: true);

        var members = new List<IOpenApiSchema>();
        var mapping = new Dictionary<string, OpenApiSchemaReference>(StringComparer.Ordinal);
        foreach (var type in EventCatalog.All)
        {
            var id = SchemaIdOf(type);
            document.AddComponent(id, new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string>(StringComparer.Ordinal) { "type", "scope", "data" },
                Properties = new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal)
                {
                    ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [JsonValue.Create(type.Name)] },
                    ["scope"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = [ScopeName(type.Scope)] },
                    ["data"] = await publisher.ReferenceAsync(type.DataType, hubMessage: false),
                },
            });
            var reference = new OpenApiSchemaReference(id, document);
            members.Add(reference);
            mapping[type.Name] = reference;
        }
        document.AddComponent(EventUnion, new OpenApiSchema
        {
            Description = "A gateway Event with its data parsed: the data's shape follows from type. Clients ignore types they do not know.",
            OneOf = members,
            Discriminator = new OpenApiDiscriminator { PropertyName = "type", Mapping = mapping },
        });
    }

    private static JsonValue ScopeName(EventScope scope) => JsonValue.Create(scope.ToString().ToLowerInvariant());

    /// <summary>
    /// Adds a record's schema to the components, and its records before it, so each is published once and referenced:
    /// the framework builds a schema with its parts inline when it is asked from a transformer.
    /// </summary>
    private sealed class Publisher(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        private readonly NullabilityInfoContext _nullability = new();

        public async Task<OpenApiSchemaReference> ReferenceAsync(Type type, bool hubMessage)
        {
            if (document.Components?.Schemas?.ContainsKey(type.Name) != true)
            {
                var schema = await context.GetOrCreateSchemaAsync(type, parameterDescription: null, cancellationToken);
                await ReferencePartsAsync(type, schema, hubMessage);
                if (hubMessage)
                    DescribeAsSent(schema);
                document.AddComponent(type.Name, schema);
            }
            return new OpenApiSchemaReference(type.Name, document);
        }

        private async Task ReferencePartsAsync(Type type, OpenApiSchema schema, bool hubMessage)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                var name = JsonNamingPolicy.CamelCase.ConvertName(property.Name);
                if (schema.Properties?.TryGetValue(name, out var propertySchema) != true || propertySchema is not OpenApiSchema inline)
                    continue;
                // A property left out when null is not required (MemberLeft's reason).
                if (property.GetCustomAttribute<JsonIgnoreAttribute>()?.Condition == JsonIgnoreCondition.WhenWritingNull)
                    schema.Required?.Remove(name);
                if (_nullability.Create(property).ReadState == NullabilityState.Nullable)
                    continue;
                if (IsRecord(property.PropertyType))
                    schema.Properties[name] = await ReferenceAsync(property.PropertyType, hubMessage);
                else if (ElementOf(property.PropertyType) is { } element && IsRecord(element))
                    inline.Items = await ReferenceAsync(element, hubMessage);
            }
        }

        private static bool IsRecord(Type type) =>
            type is { IsClass: true, Namespace: not null } && type.Namespace.StartsWith("KamaChat.", StringComparison.Ordinal);

        private static Type? ElementOf(Type type) =>
            type.IsArray ? type.GetElementType()
            : type.IsGenericType && type.GetGenericTypeDefinition() is var definition
              && (definition == typeof(IReadOnlyList<>) || definition == typeof(List<>) || definition == typeof(IEnumerable<>))
                ? type.GetGenericArguments()[0]
                : null;

        /// <summary>A stream's scope is a string in both hub protocols, one of three.</summary>
        private static void DescribeAsSent(IOpenApiSchema schema)
        {
            if (schema is not OpenApiSchema inline)
                return;
            if (inline.Properties?.TryGetValue("scope", out var scope) == true && scope is OpenApiSchema { Type: JsonSchemaType.String } scopeSchema)
                scopeSchema.Enum = [.. Enum.GetValues<EventScope>().Select(ScopeName)];
            foreach (var property in inline.Properties?.Values ?? [])
                DescribeAsSent(property);
            if (inline.Items is { } items)
                DescribeAsSent(items);
            if (inline.AdditionalProperties is { } values)
                DescribeAsSent(values);
        }
    }
}

using System.Reflection;
using System.Text.Json;
using KamaChat.Server.Features.Events;
using KamaChat.Server.Features.Gateway;
using KamaChat.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace KamaChat.Tests.Gateway;

/// <summary>The gateway's contract is in the OpenAPI document, so clients generate their types from it.</summary>
public sealed class GatewayContractTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    // Found here by reflection, not through EventCatalog, so a record the catalogue missed would fail the test.
    private static readonly Type[] EventRecords = typeof(IEvent).Assembly.GetTypes()
        .Where(t => t is { IsAbstract: false, IsInterface: false } && typeof(IEvent).IsAssignableFrom(t))
        .ToArray();

    [Fact]
    public void The_hub_endpoints_carry_no_minimal_api_validation_filter()
    {
        var hubEndpoints = app.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .Where(e => e.Metadata.GetMetadata<Microsoft.AspNetCore.SignalR.HubMetadata>() is not null)
            .ToList();

        // The negotiate endpoint and the connection's own: the filter's frames would live as long as the connection.
        Assert.Equal(2, hubEndpoints.Count);
        Assert.All(hubEndpoints, e => Assert.NotNull(e.Metadata.GetMetadata<Microsoft.AspNetCore.Http.Metadata.IDisableValidationMetadata>()));
    }

    [Fact]
    public async Task The_document_names_exactly_the_event_records_in_its_union_of_events()
    {
        var schemas = await SchemasAsync();

        var names = EventRecords.Select(NameOf).Order(StringComparer.Ordinal).ToList();
        Assert.True(names.Count >= 30, $"only {names.Count} event records found");
        var union = schemas.GetProperty("GatewayEventData");
        Assert.Equal("type", union.GetProperty("discriminator").GetProperty("propertyName").GetString());
        var mapping = union.GetProperty("discriminator").GetProperty("mapping").EnumerateObject().ToList();
        Assert.Equal(names, mapping.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.All(mapping, m => Assert.Equal($"#/components/schemas/{m.Name}Event", m.Value.GetString()));
        Assert.Equal(names.Count, union.GetProperty("oneOf").GetArrayLength());
    }

    [Fact]
    public async Task Every_event_record_appears_with_its_type_its_scope_and_the_schema_of_the_data_it_sends()
    {
        var schemas = await SchemasAsync();

        Assert.All(EventRecords, record =>
        {
            var name = NameOf(record);
            Assert.True(schemas.TryGetProperty(name + "Event", out var schema), $"{name}Event is missing");
            var properties = schema.GetProperty("properties");
            Assert.Equal([name], properties.GetProperty("type").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal([ScopeOf(record)], properties.GetProperty("scope").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));

            var dataType = record.GetInterfaces().Single(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEvent<>)).GetGenericArguments()[0];
            Assert.Equal($"#/components/schemas/{dataType.Name}", properties.GetProperty("data").GetProperty("$ref").GetString());
            // The data schema lists the properties the event's JSON has.
            var expected = JsonSerializerOptions.Web.GetTypeInfo(dataType).Properties.Select(p => p.Name).Order(StringComparer.Ordinal);
            var published = schemas.GetProperty(dataType.Name).GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal);
            Assert.Equal(expected, published);
        });
    }

    [Fact]
    public async Task The_hub_messages_are_published_with_numbers_as_the_hub_sends_them()
    {
        var schemas = await SchemasAsync();

        foreach (var message in GatewayContract.HubMessages)
            Assert.True(schemas.TryGetProperty(message.Name, out _), $"{message.Name} is missing");
        var gatewayEvent = schemas.GetProperty("GatewayEvent").GetProperty("properties");
        Assert.Equal("integer", gatewayEvent.GetProperty("sequence").GetProperty("type").GetString());
        Assert.Equal(["channel", "server", "user"], gatewayEvent.GetProperty("scope").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("#/components/schemas/GatewayEvent",
            schemas.GetProperty("ResumeResult").GetProperty("properties").GetProperty("events").GetProperty("items").GetProperty("$ref").GetString());
        Assert.Equal("#/components/schemas/MeResponse",
            schemas.GetProperty("ReadyPayload").GetProperty("properties").GetProperty("user").GetProperty("$ref").GetString());
    }

    private async Task<JsonElement> SchemasAsync() =>
        JsonDocument.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json")).RootElement.GetProperty("components").GetProperty("schemas");

    private static string NameOf(Type record) => (string)record.GetProperty("Type", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!;

    private static string ScopeOf(Type record) =>
        record.GetInterfaces().Where(i => i.IsGenericType).Select(i => i.GetGenericTypeDefinition()).Single(d =>
            d == typeof(IChannelEvent<>) || d == typeof(IServerEvent<>) || d == typeof(IUserEvent<>)) switch
        {
            var d when d == typeof(IChannelEvent<>) => "channel",
            var d when d == typeof(IServerEvent<>) => "server",
            _ => "user",
        };
}

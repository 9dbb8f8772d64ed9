using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using KamaChat.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using static KamaChat.Tests.ApiDocs.OpenApiWalk;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.ApiDocs;

/// <summary>
/// The project's rule "no data leaking across permissions", checked across the whole API: an owner's world (a server with
/// a public and a private channel, messages with reactions, pins and attachments, roles, an invite, a DM and a group
/// DM, a secret marker in every name, topic and content) and every operation in /openapi/v1.json called with its ids and
/// a valid body by a stranger (signed in, sharing nothing) and by a member whose roles grant nothing beyond @everyone.
/// The stranger is refused everything with 404; the member gets 404 for the private channel and the DMs and 403
/// missing_permission for what @everyone may not do; a moderator (every permission but Administrator, the private channel
/// hidden from them too) reads every GET, and calls every write aimed above and beside their place (ModeratorWriteWalk.cs);
/// no answer carries a marker of a place the caller cannot see, and on SQLite a refused request writes nothing.
/// </summary>
public abstract partial class PermissionWalkTests(KamaChatApp app)
{
    private KamaChatApp App => app;

    // What this walk does not call, and why:
    // - the gateway hub is not an operation of the document: the hub and gateway tests below call its methods and listen;
    // - operations that name nothing of the world (no id of it in the path or the body) and are not a list or a search:
    //   registering, signing in, the caller's own profile, password, email, 2FA, avatar, push subscriptions, creating a
    //   server of their own. They act on the caller's account alone; several (sign-out, password change, deleting the
    //   account) would also end the walker's session for the operations after it;
    // - POST /api/v1/invites/{code}/join by the stranger: the code is the key, so holding it is meant to let them in
    //   (and a member they would stay for the rest of the walk); the member's call is walked;
    // - DELETE /api/v1/servers/{id}/members/@me by the member: leaving is theirs to do, and would end the walk for them.
    private static readonly HashSet<string> NotWalked =
    [
        "POST /api/v1/invites/{code}/join as stranger",
        "DELETE /api/v1/servers/{id}/members/@me as member",
    ];

    [Fact]
    public async Task No_operation_lets_a_stranger_or_a_member_without_permissions_see_or_change_what_they_may_not()
    {
        var document = JsonNode.Parse(await app.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        var world = await PermissionWorld.CreateAsync(app);
        await using var writes = await CommitWatch.OpenAsync(app);
        var failures = new List<string>();
        var walked = new HashSet<string>();
        var sent = 0;

        // Deletes last: a delete that (wrongly) went through would take the owner's things from the rest.
        foreach (var (path, method, operation) in Operations(document).OrderBy(o => o.Method == "DELETE"))
        {
            // The moderator reads here; their writes have a walk of their own (ModeratorWriteWalk.cs), aimed where they may and may not.
            foreach (var actor in method is "GET" or "HEAD" ? [world.Stranger, world.Member, world.Moderator] : new[] { world.Stranger, world.Member })
            {
                var role = actor == world.Stranger ? "stranger" : actor == world.Member ? "member" : "moderator";
                if (NotWalked.Contains($"{method} {path} as {role}"))
                    continue;
                foreach (var call in Calls(document, path, method, operation, world, actor))
                {
                    sent++;
                    walked.Add($"{method} {path}");
                    var before = writes is null ? 0 : await writes.VersionAsync();
                    using var response = await actor.Client.SendAsync(call.Request());
                    var wrote = writes is not null && before != await writes.VersionAsync();
                    var failure = await JudgeAsync(response, wrote, call, world, actor);
                    if (failure is not null)
                        failures.Add($"{role} {method} {path} [{call.Target}]: {failure}");
                }
            }
        }

        Assert.True(walked.Count >= Walked && sent >= Sent, $"Only {walked.Count} operations and {sent} requests walked (of {Walked} and {Sent}): the walk is broken.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} requests broke the rule:\n" + string.Join('\n', failures));
    }

    [Fact]
    public async Task A_file_of_a_place_one_cannot_see_is_served_only_through_the_signed_url_its_readers_were_given()
    {
        var world = await PermissionWorld.CreateAsync(app);
        var anonymous = app.CreateClient();
        foreach (var place in world.Places.Values)
        {
            var url = await world.FileUrlAsync(place);
            Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(url)).StatusCode);
            var bare = url.Split('?')[0];
            var other = await world.FileUrlAsync(world.Places.Values.First(p => p != place));
            foreach (var guess in new[] { bare, bare + "?" + other.Split('?')[1], url.Replace("sig=", "sig=0", StringComparison.Ordinal) })
                foreach (var caller in new[] { anonymous, world.Stranger.Client, world.Member.Client })
                    await (await caller.GetAsync(guess)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        }
    }

    [Fact]
    public async Task The_gateway_tells_a_stranger_and_a_member_without_permissions_nothing_of_the_private_channel_and_the_dms()
    {
        var world = await PermissionWorld.CreateAsync(app);
        using var stranger = (await RawGatewaySocket.OpenAsync(app, world.Stranger.Tokens.AccessToken))!;
        using var member = (await RawGatewaySocket.OpenAsync(app, world.Member.Tokens.AccessToken))!;
        await using var owner = await GatewayClient.ConnectAsync(app, world.Owner.Tokens.AccessToken);
        await owner.ReadyAsync();
        await using var friend = await GatewayClient.ConnectAsync(app, world.Friend.Tokens.AccessToken);
        await friend.ReadyAsync();
        using var listening = new CancellationTokenSource();
        var heard = new[] { stranger, member }.Select(socket => socket.FramesUntilAsync(listening.Token)).ToList();

        // What the owner does where the two cannot see, each with a marker of its place (a role is the server's).
        var (o, view) = (world.Owner.Client, ((long)P.ViewChannel).ToString(System.Globalization.CultureInfo.InvariantCulture));
        var role = await world.Owner.CreateRoleAsync(world.ServerId, $"{PermissionWorld.ServerMarker} new role", P.ViewChannel);
        await world.Owner.AssignRoleAsync(world.ServerId, world.Friend, role.Id);
        foreach (var (name, place) in world.Places.Where(p => p.Key != "public"))
        {
            var channel = place.ChannelId;
            var sent = await o.SendOkAsync(channel, $"{place.Marker} live <@{world.Member.Id}> <@{world.Stranger.Id}> <@&{role.Id}> @everyone");
            Assert.True((await o.PatchAsJsonAsync($"/api/v1/channels/{channel}/messages/{sent.Id}", new { content = $"{place.Marker} edited" })).IsSuccessStatusCode);
            Assert.True((await o.PutAsync(ChatApi.Reactions(channel, sent.Id, "🎉") + "/@me", null)).IsSuccessStatusCode);
            Assert.True((await o.PutAsync($"/api/v1/channels/{channel}/pins/{sent.Id}", null)).IsSuccessStatusCode);
            Assert.True((await o.DeleteAsync($"/api/v1/channels/{channel}/pins/{sent.Id}")).IsSuccessStatusCode);
            await owner.Connection.InvokeAsync("StartTyping", channel.ToString());
            await o.SendJsonAsync(HttpMethod.Post, $"/api/v1/channels/{channel}/messages/{place.MessageId}/ack", null);
            Assert.True((await o.DeleteAsync($"/api/v1/channels/{channel}/messages/{sent.Id}")).IsSuccessStatusCode);
            if (name == "private")
            {
                Assert.True((await o.PatchAsJsonAsync($"/api/v1/channels/{channel}", new { name = $"{place.Marker}-renamed", topic = $"{place.Marker} new topic" })).IsSuccessStatusCode);
                Assert.True((await o.SendJsonAsync(HttpMethod.Put, $"/api/v1/channels/{channel}/permissions/role/{role.Id}", new { allow = view, deny = "0" })).IsSuccessStatusCode);
            }
            if (name == "group")
            {
                Assert.True((await o.PatchAsJsonAsync($"/api/v1/channels/{channel}/group", new { name = $"{place.Marker} renamed group" })).IsSuccessStatusCode);
                Assert.True((await o.DeleteAsync($"/api/v1/channels/{channel}/recipients/{world.Friend2.Id}")).IsSuccessStatusCode);
                Assert.True((await o.PutAsync($"/api/v1/channels/{channel}/recipients/{world.Friend2.Id}", null)).IsSuccessStatusCode);
            }
        }
        // The last thing done: once the friend has it, what went out before it went out too.
        var last = await o.SendOkAsync(world.Places["group"].ChannelId, "the end");
        await friend.WaitForEventsAsync(events => events.Any(e => e.Type == "MessageCreated" && e.Data.Contains(last.Id.ToString(), StringComparison.Ordinal)));

        // A reconnect: Ready, and Resume asking for every stream of the world from the start.
        using var strangerAgain = (await RawGatewaySocket.OpenAsync(app, world.Stranger.Tokens.AccessToken))!;
        using var memberAgain = (await RawGatewaySocket.OpenAsync(app, world.Member.Tokens.AccessToken))!;
        var resume = RawGatewaySocket.ResumeFrame(world.Places.Values.Select(p => p.ChannelId.ToString()), [world.ServerId.ToString()]);
        foreach (var socket in new[] { strangerAgain, memberAgain })
            await socket.SendFrameAsync(resume);
        heard.AddRange(new[] { strangerAgain, memberAgain }.Select(socket => socket.FramesUntilAsync(listening.Token)));
        await GatewayClient.SettleAsync();
        await listening.CancelAsync();
        var frames = await Task.WhenAll(heard);

        var said = new[]
        {
            ("stranger", world.Stranger, new[] { stranger.Ready! }.Concat(frames[0])),
            ("member", world.Member, new[] { member.Ready! }.Concat(frames[1])),
            ("stranger after reconnecting", world.Stranger, new[] { strangerAgain.Ready! }.Concat(frames[2])),
            ("member after reconnecting", world.Member, new[] { memberAgain.Ready! }.Concat(frames[3])),
        };
        // Ids too, but the private channel's to the member: the server's stream tells them it is gone from their view
        // (ChannelDeleted with its id), by design (Gateway/PrivateChannelEventTests).
        var fromStranger = world.HiddenFrom(world.Stranger).Append(world.ServerId.ToString()).ToList();
        var fromMember = world.HiddenFrom(world.Member).Where(secret => secret != world.Places["private"].ChannelId.ToString()).ToList();
        var leaks = (from s in said
                     from frame in s.Item3
                     from marker in s.Item2 == world.Stranger ? fromStranger : fromMember
                     where frame.Contains(marker, StringComparison.OrdinalIgnoreCase)
                     select $"{s.Item1} heard {marker}: {(frame.Length > 300 ? frame[..300] + "…" : frame)}").ToList();
        // Ready is no event: nothing in it names the private channel (a read state, a mention count).
        var privateId = world.Places["private"].ChannelId.ToString();
        leaks.AddRange(new[] { member.Ready!, memberAgain.Ready! }.Where(ready => ready.Contains(privateId, StringComparison.Ordinal)).Select(ready => "member's Ready names the private channel: " + ready));
        Assert.True(leaks.Count == 0, string.Join('\n', leaks));
        // The member did hear the server's own news (the walk listened where something was said).
        Assert.Contains(frames[1], frame => frame.Contains(PermissionWorld.ServerMarker, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_hub_method_that_names_a_place_refuses_a_stranger_and_a_member_who_cannot_see_it()
    {
        var world = await PermissionWorld.CreateAsync(app);
        await using var owner = await GatewayClient.ConnectAsync(app, world.Owner.Tokens.AccessToken);
        await owner.ReadyAsync();
        // A call under way in the DM, for the others to try to answer, decline, leave or signal into.
        await owner.Connection.InvokeAsync<Server.Features.Calls.DmCallJoined>("StartCall", world.Places["dm"].ChannelId.ToString());
        var signal = new Server.Features.Calls.CallSignal("offer", "v=0", null);
        var camera = new Server.Features.Calls.DmCallMedia(Video: true, Stream: false);
        var failures = new List<string>();
        var calls = 0;
        var walked = new HashSet<string>();
        foreach (var (actor, role) in new[] { (world.Stranger, "stranger"), (world.Member, "member") })
        {
            await using var client = await GatewayClient.ConnectAsync(app, actor.Tokens.AccessToken);
            await client.ReadyAsync();
            var hidden = world.Places.Where(p => actor == world.Stranger || p.Key != "public").ToList();
            foreach (var (name, place) in hidden)
            {
                // A connection per place: the walk's calls on one connection would outrun its call burst (rate_limited).
                await using var placeClient = await GatewayClient.ConnectAsync(app, actor.Tokens.AccessToken);
                await placeClient.ReadyAsync();
                var (channel, message, owned) = (place.ChannelId.ToString(), place.MessageId.ToString(), world.Owner.Id.ToString());
                foreach (var (method, args) in new (string, object?[])[]
                {
                    ("StartTyping", [channel]), ("Ack", [channel, message]), ("StartCall", [channel]), ("AcceptCall", [channel]),
                    ("DeclineCall", [channel]), ("LeaveCall", [channel]), ("SendCallSignal", [channel, owned, signal]), ("SetCallMedia", [channel, camera]),
                    ("JoinVoice", [channel]), ("MoveVoice", [owned, channel]),
                })
                {
                    calls++;
                    walked.Add(method);
                    var before = await app.SnapshotAsync();
                    try
                    {
                        await placeClient.Connection.InvokeCoreAsync(method, typeof(object), args);
                        if (!OwnCallSteps.Contains(method))
                            failures.Add($"{role} {method} in {name}: answered");
                    }
                    catch (Microsoft.AspNetCore.SignalR.HubException e) when (e.Message.Contains("not_found:", StringComparison.Ordinal))
                    {
                    }
                    catch (Microsoft.AspNetCore.SignalR.HubException e)
                    {
                        failures.Add($"{role} {method} in {name}: {e.Message}");
                    }
                    if (before != await app.SnapshotAsync())
                        failures.Add($"{role} {method} in {name}: wrote");
                }
            }
            calls++;
            try
            {
                await client.Connection.InvokeAsync<object>("WatchPresences", world.ServerId.ToString(), new[] { world.Owner.Id.ToString() });
                if (actor == world.Stranger)
                    failures.Add("stranger WatchPresences: answered");
            }
            catch (Microsoft.AspNetCore.SignalR.HubException e) when (actor == world.Stranger && e.Message.Contains("not_found:", StringComparison.Ordinal))
            {
            }
        }
        // The declines and hang-ups changed nothing of the call: it still rings for the friend.
        await using var friend = await GatewayClient.ConnectAsync(app, world.Friend.Tokens.AccessToken);
        await friend.ReadyAsync();
        await friend.Connection.InvokeAsync<Server.Features.Calls.DmCallJoined>("AcceptCall", world.Places["dm"].ChannelId.ToString());
        Assert.True(calls >= 72, $"Only {calls} hub calls: the walk is broken.");
        // A hub method added later that names a channel must join the walk.
        var namingAChannel = typeof(Server.Features.Gateway.GatewayHub).GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly)
            .Where(m => m.GetParameters().Any(p => p.Name == "channelId")).Select(m => m.Name).ToHashSet();
        Assert.Subset(walked, namingAChannel);
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    /// <summary>
    /// Hub methods that act only on the caller's own ring or seat in a call: with none there they do nothing and answer
    /// alike whatever the channel (one that does not exist too), so they tell nothing and change nothing.
    /// </summary>
    private static readonly HashSet<string> OwnCallSteps = ["DeclineCall", "LeaveCall"];

    // What the walk reached when it was written: it fails if fewer are walked (a broken walk must not pass).
    private const int Walked = 88;
    private const int Sent = 536;

    /// <summary>What is wrong with the answer, or null when it keeps the rule.</summary>
    private static async Task<string?> JudgeAsync(HttpResponseMessage response, bool wrote, Call call, PermissionWorld world, TestUser actor)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        string? code = null;
        if (response.Content.Headers.ContentType?.MediaType == "application/problem+json")
            code = JsonDocument.Parse(body).RootElement.TryGetProperty("code", out var c) ? c.GetString() : null;
        var said = $"{status} {code} {(body.Length > 200 ? body[..200] + "…" : body)}";
        var hidden = world.HiddenFrom(actor).Where(secret => !call.Url.Contains(secret, StringComparison.Ordinal) && !call.Allows(secret))
            .FirstOrDefault(secret => body.Contains(secret, StringComparison.OrdinalIgnoreCase));
        if (hidden is not null)
            return $"the answer carries {hidden}: {said}";
        if (status >= 500)
            return said;
        if (status < 400)
            return call.Expected == Expect.Allowed || call.Expected == Expect.Either ? null : $"allowed, expected {call.Expected}: {said}";
        if (wrote)
            return "refused but wrote to the database: " + said;
        if (call.Expected == Expect.Allowed)
            return "refused, expected allowed: " + said;
        return call.Expected == Expect.Either || (status == call.Expected.Status && code == call.Expected.Code) ? null : $"expected {call.Expected}: {said}";
    }

    /// <summary>What the answer must be: a refusal with this status and code, any success, or (Either) judged only by what it carries.</summary>
    private sealed record Expect(int Status, string Code)
    {
        public static readonly Expect NotFound = new(404, "not_found");
        public static readonly Expect MissingPermission = new(403, "missing_permission");
        public static readonly Expect Allowed = new(200, "");
        public static readonly Expect Either = new(0, "");

        public override string ToString() => this == Allowed ? "allowed" : $"{Status} {Code}";
    }

    private sealed record Call(string Target, string Url, string Method, Func<HttpContent?> Body, Expect Expected, IReadOnlyDictionary<string, string>? Headers = null, Func<string, bool>? Allowed = null)
    {
        public bool Allows(string secret) => Allowed?.Invoke(secret) ?? false;

        public HttpRequestMessage Request()
        {
            var request = new HttpRequestMessage(new HttpMethod(Method), Url) { Content = Body() };
            request.Headers.Add("Tus-Resumable", "1.0.0");
            foreach (var (name, value) in Headers ?? new Dictionary<string, string>())
                request.Headers.TryAddWithoutValidation(name, value);
            return request;
        }
    }

    private static IEnumerable<Call> Calls(JsonNode document, string path, string method, JsonNode operation, PermissionWorld world, TestUser actor)
    {
        var stranger = actor == world.Stranger;
        var pathParameters = Parameters(operation, "path");
        var key = $"{method} {path}";
        if (pathParameters.Count == 0)
        {
            // The caller's own lists and searches: nothing hidden may be in them.
            if (method == "GET")
            {
                var queries = Parameters(operation, "query").Contains("q")
                    ? new[] { PermissionWorld.ServerMarker, PermissionWorld.PrivateMarker, PermissionWorld.DmMarker, "message" }.Select(q => $"?q={q}")
                        .Concat([$"?mentions={actor.Id}", $"?authorId={world.Owner.Id}", "?pinned=true", "?has=file"])
                    : [""];
                foreach (var query in queries)
                    yield return new Call("own list" + query, path + query, method, () => null, Expect.Allowed);
            }
            else if (OwnWithWorldIds.TryGetValue(key, out var body))
                yield return new Call("naming the owner", path, method, () => JsonContent.Create(body(world), options: Api.Json), Expect.Either);
            yield break;
        }

        var channelScoped = path.StartsWith("/api/v1/channels/", StringComparison.Ordinal) || path.Contains("{channelId}", StringComparison.Ordinal);
        var targets = channelScoped ? world.Places.Select(p => (p.Key, p.Value, p.Value)).ToList() : [("server", world.Places["public"], world.Places["public"])];
        // A place one may see with the ids of things in one they may not: each id must be looked for where the path says.
        if (!stranger && channelScoped && pathParameters.Any(name => name is "messageId" or "attachmentId" or "uploadId"))
            targets.AddRange(world.Places.Where(p => p.Key != "public").Select(p => ($"public with {p.Key}'s ids", world.Places["public"], p.Value)));
        foreach (var (target, place, things) in targets)
        {
            var url = pathParameters.Aggregate(path, (u, name) => u.Replace($"{{{name}}}", Uri.EscapeDataString(world.RealValue(method, path, name, place, things, actor))));
            var expected = target.StartsWith("public with", StringComparison.Ordinal) ? Expect.NotFound
                : actor == world.Moderator ? (target is "private" or "dm" or "group" ? Expect.NotFound : Expect.Either)
                : Expected(key, stranger, target);
            var (content, headers) = BodyOf(document, key, operation, world, actor, place);
            Func<string, bool>? allowed = stranger && key == "GET /api/v1/invites/{code}" ? secret => secret == PermissionWorld.ServerMarker
                : actor == world.Moderator && ModeratorSees.Contains(key) ? secret => !world.Places["dm"].Secrets.Contains(secret) && !world.Places["group"].Secrets.Contains(secret) && secret != PermissionWorld.DmMarker
                : null;
            if (Parameters(operation, "query").Contains("q"))
            {
                foreach (var q in new[] { PermissionWorld.ServerMarker, PermissionWorld.PrivateMarker, PermissionWorld.DmMarker, "message" })
                    yield return new Call($"{target} ?q={q}", $"{url}?q={q}", method, content, expected, headers, allowed);
                // The filters alone: what mentions the caller, what the owner wrote, what is pinned or has a file.
                foreach (var filter in new[] { $"mentions={actor.Id}", $"authorId={world.Owner.Id}", "pinned=true", "has=file" })
                    yield return new Call($"{target} ?{filter}", $"{url}?{filter}", method, content, expected, headers, allowed);
                // Searching in a place one cannot see, by its id.
                foreach (var (name, hidden) in world.Places.Where(p => p.Key != "public"))
                    yield return new Call($"{target} in {name}", $"{url}?q={hidden.Marker}&channelId={hidden.ChannelId}", method, content, Expect.Either, headers, allowed);
            }
            else
                yield return new Call(target, url, method, content, expected, headers, allowed);

            // A page of a place one may see whose cursor is a message of a place one may not.
            var cursors = Parameters(operation, "query").Intersect(["before", "after", "around"]).ToList();
            if (!stranger && target == "public" && method == "GET" && path.EndsWith("/messages", StringComparison.Ordinal))
                foreach (var (name, hidden) in world.Places.Where(p => p.Key != "public"))
                    foreach (var cursor in cursors)
                        yield return new Call($"public {cursor} {name}'s message", $"{url}?{cursor}={hidden.MessageId}", method, content, Expect.Either, headers);

            // A message in a place one may see that points at things of places one may not.
            if (!stranger && target == "public" && key == "POST /api/v1/channels/{id}/messages")
                foreach (var (name, hidden) in world.Places.Where(p => p.Key != "public"))
                {
                    yield return new Call($"public replying to {name}", url, method, () => JsonContent.Create(new { content = "walked", replyTo = hidden.MessageId }, options: Api.Json), Expect.Either);
                    yield return new Call($"public with {name}'s upload", url, method, () => JsonContent.Create(new { content = "walked", attachmentIds = new[] { hidden.UploadId } }, options: Api.Json), Expect.Either);
                }
        }
    }

    /// <summary>Operations of the caller's own that take ids or names of others in their body.</summary>
    private static readonly Dictionary<string, Func<PermissionWorld, object>> OwnWithWorldIds = new()
    {
        ["POST /api/v1/users/@me/channels"] = w => new { recipientId = w.Owner.Id },
        ["POST /api/v1/users/@me/group-channels"] = w => new { recipientIds = new[] { w.Owner.Id, w.Friend.Id }, name = "walk" },
        ["POST /api/v1/users/@me/relationships"] = w => new { username = w.Owner.Username },
    };

    private static Expect Expected(string key, bool stranger, string target)
    {
        if (stranger)
            return StrangerMay.Contains(key) ? Expect.Allowed : Expect.NotFound;
        if (target is "private" or "dm" or "group")
            return Expect.NotFound;
        return MemberMay.Contains(key) ? Expect.Allowed : MemberRefused.GetValueOrDefault(key, Expect.MissingPermission);
    }

    /// <summary>
    /// Where a moderator (every permission but Administrator) reads of the private channel hidden from them. Left for the
    /// coordinator to decide: the audit log records every channel's creation and changes (name, topic, overwrites) and
    /// is shown whole to whoever has ViewAuditLog, as Discord's is; filtering it by what the reader can see is a design change.
    /// </summary>
    private static readonly HashSet<string> ModeratorSees = ["GET /api/v1/servers/{id}/audit-log"];

    /// <summary>What a stranger may do with the world's ids.</summary>
    private static readonly HashSet<string> StrangerMay =
    [
        "GET /api/v1/users/{id}", // profiles are public
        "GET /api/v1/invites/{code}", // the code is the key: its preview names the server
        // A friend request to anyone, and withdrawing it: the owner's privacy settings decide (everyone, by default).
        "PUT /api/v1/users/@me/relationships/{userId}",
        "DELETE /api/v1/users/@me/relationships/{userId}",
    ];

    /// <summary>What @everyone may do in the server and its public channel (and what a stranger may, as a member too).</summary>
    private static readonly HashSet<string> MemberMay =
    [
        .. StrangerMay,
        "GET /api/v1/servers/{id}", "GET /api/v1/servers/{id}/members", "GET /api/v1/servers/{id}/members/{userId}",
        "PATCH /api/v1/servers/{id}/members/@me", "GET /api/v1/servers/{id}/roles", "GET /api/v1/servers/{id}/channels",
        "POST /api/v1/servers/{id}/invites", "POST /api/v1/invites/{code}/join", "GET /api/v1/servers/{id}/messages/search",
        "PUT /api/v1/users/@me/notification-settings/servers/{serverId}", "PUT /api/v1/users/@me/notification-settings/channels/{channelId}",
        "PUT /api/v1/users/@me/privacy/servers/{id}", "DELETE /api/v1/users/@me/privacy/servers/{id}",
        "GET /api/v1/channels/{id}", "POST /api/v1/channels/{id}/messages", "GET /api/v1/channels/{id}/messages",
        "GET /api/v1/channels/{id}/messages/{messageId}", "POST /api/v1/channels/{channelId}/messages/{messageId}/ack",
        "PUT /api/v1/channels/{id}/messages/{messageId}/reactions/{emoji}/@me", "DELETE /api/v1/channels/{id}/messages/{messageId}/reactions/{emoji}/@me",
        "GET /api/v1/channels/{id}/messages/{messageId}/reactions/{emoji}", "GET /api/v1/channels/{id}/pins",
        "POST /api/v1/channels/{id}/attachments", "POST /api/v1/channels/{id}/attachments/tus",
    ];

    /// <summary>What the member is refused otherwise than by a missing permission (the rest needs one @everyone lacks).</summary>
    private static readonly Dictionary<string, Expect> MemberRefused = new()
    {
        ["POST /api/v1/servers/{id}/transfer"] = new(403, "owner_only"),
        ["DELETE /api/v1/servers/{id}"] = new(403, "owner_only"),
        ["PATCH /api/v1/channels/{id}/messages/{messageId}"] = new(403, "not_author"),
        // Someone else's session and uploads are not the member's to see.
        ["DELETE /api/v1/auth/sessions/{id}"] = Expect.NotFound,
        ["DELETE /api/v1/channels/{id}/attachments/{attachmentId}"] = Expect.NotFound,
        ["HEAD /api/v1/channels/{id}/attachments/tus/{uploadId}"] = Expect.NotFound,
        ["PATCH /api/v1/channels/{id}/attachments/tus/{uploadId}"] = Expect.NotFound,
        ["DELETE /api/v1/channels/{id}/attachments/tus/{uploadId}"] = Expect.NotFound,
        // The public channel is not a group DM.
        ["PUT /api/v1/channels/{id}/recipients/{userId}"] = new(400, "not_group_dm"),
        ["DELETE /api/v1/channels/{id}/recipients/{userId}"] = new(400, "not_group_dm"),
        ["PATCH /api/v1/channels/{id}/group"] = new(400, "not_group_dm"),
        ["PUT /api/v1/channels/{id}/group/icon"] = new(400, "not_group_dm"),
        ["DELETE /api/v1/channels/{id}/group/icon"] = new(400, "not_group_dm"),
    };

    private static (Func<HttpContent?> Body, IReadOnlyDictionary<string, string>? Headers) BodyOf(JsonNode document, string key, JsonNode operation, PermissionWorld world, TestUser actor, PermissionPlace place)
    {
        if (key.EndsWith("/tus", StringComparison.Ordinal) && key.StartsWith("POST", StringComparison.Ordinal))
            return (() => null, new Dictionary<string, string> { ["Upload-Length"] = "10" });
        if (key.StartsWith("PATCH", StringComparison.Ordinal) && key.Contains("/tus/", StringComparison.Ordinal))
            return (() => Bytes("application/offset+octet-stream"), new Dictionary<string, string> { ["Upload-Offset"] = "0" });
        var content = operation["requestBody"]?["content"]?.AsObject();
        if (content is null)
            return (() => null, null);
        if (!content.ContainsKey("application/json"))
            return (() => Bytes("application/octet-stream"), null);
        if (ValidBodies.TryGetValue(key, out var body))
            return (() => JsonContent.Create(body(world, actor, place), options: Api.Json), null);
        throw new InvalidOperationException($"No valid body for {key}: add one to ValidBodies.");
    }

    private static ByteArrayContent Bytes(string type)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes("walk bytes"));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(type);
        return content;
    }

    /// <summary>A body each JSON operation with an id of the world accepts when the caller may do it.</summary>
    private static readonly Dictionary<string, Func<PermissionWorld, TestUser, PermissionPlace, object>> ValidBodies = new()
    {
        ["PUT /api/v1/users/@me/notification-settings/servers/{serverId}"] = (_, _, _) => new { level = "all", muted = true, muteMinutes = (int?)null },
        ["PUT /api/v1/users/@me/notification-settings/channels/{channelId}"] = (_, _, _) => new { level = "all", muted = true, muteMinutes = (int?)null },
        ["PATCH /api/v1/servers/{id}"] = (_, _, _) => new { name = "walked", description = "walked", iconUrl = (string?)null },
        ["DELETE /api/v1/servers/{id}"] = (w, _, _) => new { confirmName = w.ServerName },
        ["POST /api/v1/servers/{id}/transfer"] = (_, a, _) => new { newOwnerId = a.Id, password = Api.GoodPassword },
        ["PATCH /api/v1/servers/{id}/members/{userId}"] = (_, _, _) => new { nickname = "walked" },
        ["PATCH /api/v1/servers/{id}/members/@me"] = (_, _, _) => new { nickname = "walked" },
        ["PUT /api/v1/servers/{id}/members/{userId}/timeout"] = (_, _, _) => new { until = DateTimeOffset.UtcNow.AddHours(1) },
        ["PUT /api/v1/servers/{id}/bans/{userId}"] = (_, _, _) => new { reason = "walked", deleteMessageSeconds = 0 },
        ["POST /api/v1/servers/{id}/invites"] = (_, _, _) => new { maxUses = 0, maxAgeSeconds = 0, temporary = false },
        ["POST /api/v1/servers/{id}/roles"] = (_, _, _) => new { name = "walked", permissions = "0", color = 0, mentionable = false },
        ["PATCH /api/v1/servers/{id}/roles/positions"] = (w, _, _) => new[] { new { id = w.RoleId, position = 1 } },
        ["PATCH /api/v1/servers/{id}/roles/{roleId}"] = (_, _, _) => new { name = "walked", permissions = "0", color = 0, mentionable = false },
        ["POST /api/v1/servers/{id}/channels"] = (_, _, _) => new { name = "walked", type = "text", topic = (string?)null, parentId = (string?)null, slowModeSeconds = 0 },
        ["PATCH /api/v1/servers/{id}/channels/positions"] = (w, _, p) => new[] { new { id = p.ChannelId, position = 0 } },
        ["PATCH /api/v1/channels/{id}"] = (_, _, _) => new { name = "walked", topic = "walked", slowModeSeconds = 0, parentId = (string?)null },
        ["PUT /api/v1/channels/{id}/permissions/{targetType}/{targetId}"] = (_, _, _) => new { allow = "0", deny = "0" },
        ["POST /api/v1/channels/{id}/messages"] = (_, _, _) => new { content = "walked" },
        ["PATCH /api/v1/channels/{id}/messages/{messageId}"] = (_, _, _) => new { content = "walked" },
        ["PATCH /api/v1/channels/{id}/group"] = (_, _, _) => new { name = "walked", iconUrl = (string?)null },
        ["PUT /api/v1/users/@me/relationships/{userId}"] = (_, _, _) => new { type = "friend" },
        ["PUT /api/v1/users/@me/privacy/servers/{id}"] = (_, _, _) => new { allowDms = true },
    };
}


public sealed class SqlitePermissionWalkTests(QuietSqliteApp app) : PermissionWalkTests(app), IClassFixture<QuietSqliteApp>;

public sealed class PostgresPermissionWalkTests(PostgresApp app) : PermissionWalkTests(app), IClassFixture<PostgresApp>;

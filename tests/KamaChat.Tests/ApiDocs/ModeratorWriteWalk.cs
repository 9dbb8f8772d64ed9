using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using KamaChat.Server.Features.Servers;
using KamaChat.Tests.Infrastructure;
using static KamaChat.Tests.ApiDocs.OpenApiWalk;
using P = KamaChat.Server.Features.Permissions.Permissions;

namespace KamaChat.Tests.ApiDocs;

/// <summary>
/// The moderator's writes: every write operation of /openapi/v1.json called by a moderator (every permission but
/// Administrator, the private channel hidden from them) aimed at what is hidden from them, at those at or above them in
/// the role hierarchy, at a permission they do not hold, and at what is below them and visible, which they may change.
/// </summary>
public abstract partial class PermissionWalkTests
{
    // What the moderator's walk does not call, and why:
    // - operations that name nothing of the world (no id in the path): the caller's own account, or a server of their own;
    // - the caller's own account with an id in the path (their relationships, their sessions): no moderator power
    //   reaches them, and the member's walk calls them with the world's ids;
    // - DELETE /api/v1/servers/{id}/members/@me: leaving is theirs to do, and would end the walk for them.
    private static readonly Dictionary<string, string> ModeratorNotWalked = new()
    {
        ["PUT /api/v1/users/@me/relationships/{userId}"] = "the caller's own friends: no moderator power in it",
        ["DELETE /api/v1/users/@me/relationships/{userId}"] = "the caller's own friends: no moderator power in it",
        ["DELETE /api/v1/auth/sessions/{id}"] = "the caller's own sessions: no moderator power in it",
        ["DELETE /api/v1/servers/{id}/members/@me"] = "leaving is the moderator's own to do, and would end the walk",
    };

    // What the moderator's walk reached when it was written: it fails if fewer are walked.
    private const int ModeratorWalked = 52;
    private const int ModeratorSent = 221;

    private static readonly Expect RoleHierarchy = new(403, "role_hierarchy");
    private static readonly Expect OwnerOnly = new(403, "owner_only");
    private static readonly Expect Invalid = new(400, "validation_failed");
    private static readonly Expect NotGroupDm = new(400, "not_group_dm");
    private static readonly Expect NotAnImage = new(400, "not_an_image");

    /// <summary>
    /// What the moderator gets aimed at the visible and the below (a fresh channel of the server with the owner's
    /// message, a member whose highest role is below theirs, a role below theirs); anything not here succeeds.
    /// </summary>
    private static readonly Dictionary<string, Expect> ModeratorGetsBelow = new()
    {
        ["DELETE /api/v1/servers/{id}"] = OwnerOnly, // deleting the server is the owner's alone
        ["POST /api/v1/servers/{id}/transfer"] = OwnerOnly, // so is giving it away (here to the moderator themself)
        ["PATCH /api/v1/channels/{id}/messages/{messageId}"] = new(403, "not_author"), // the owner's words are the owner's to edit
        // Someone else's uploads are not the moderator's to see, whatever their permissions.
        ["DELETE /api/v1/channels/{id}/attachments/{attachmentId}"] = Expect.NotFound,
        ["PATCH /api/v1/channels/{id}/attachments/tus/{uploadId}"] = Expect.NotFound,
        ["DELETE /api/v1/channels/{id}/attachments/tus/{uploadId}"] = Expect.NotFound,
        // A server channel is no group DM.
        ["PUT /api/v1/channels/{id}/recipients/{userId}"] = NotGroupDm,
        ["DELETE /api/v1/channels/{id}/recipients/{userId}"] = NotGroupDm,
        ["PATCH /api/v1/channels/{id}/group"] = NotGroupDm,
        ["PUT /api/v1/channels/{id}/group/icon"] = NotGroupDm,
        ["DELETE /api/v1/channels/{id}/group/icon"] = NotGroupDm,
        // The walk's bytes are no image: the permission let it through to the image check (ProfileImageTests upload real ones).
        ["PUT /api/v1/servers/{id}/icon"] = NotAnImage,
        ["PUT /api/v1/servers/{id}/banner"] = NotAnImage,
    };

    /// <summary>What the moderator gets aimed at a person at or above them (the owner, a peer, themself, a member of a higher role), where not role_hierarchy.</summary>
    private static readonly Dictionary<string, Expect> ModeratorGetsAbove = new()
    {
        ["DELETE /api/v1/servers/{id}/bans/{userId}"] = Expect.NotFound, // none of them is banned: there is no ban to lift (a ban is lifted whoever it was)
    };

    /// <summary>
    /// A timed-out moderator keeps only View Channel and Read Message History (Discord's rule; administrators and the
    /// owner are never timed out): whatever they aim at a member below is refused while it lasts, as timed_out.
    /// </summary>
    private static readonly Expect TimedOut = new(403, "timed_out");

    /// <summary>A moderator's own nickname is theirs to change (Change Nickname); everyone else's at or above them is not.</summary>
    private static readonly HashSet<string> ModeratorMayOnThemself = ["PATCH /api/v1/servers/{id}/members/{userId}"];

    [Fact]
    public async Task A_moderator_changes_nothing_hidden_from_them_or_at_or_above_them_nor_grants_what_they_lack_and_does_the_rest()
    {
        var document = JsonNode.Parse(await App.CreateClient().GetStringAsync("/openapi/v1.json"))!;
        var m = await ModeratorWorld.CreateAsync(App);
        await using var writes = await CommitWatch.OpenAsync(App);
        var failures = new List<string>();
        var walked = new HashSet<string>();
        var unwalked = new List<string>();
        var sent = 0;

        foreach (var (path, method, operation) in Operations(document).Where(o => o.Method is not ("GET" or "HEAD")))
        {
            var key = $"{method} {path}";
            var parameters = Parameters(operation, "path");
            if (parameters.Count == 0 || ModeratorNotWalked.ContainsKey(key))
                continue;
            var aims = m.AimsOf(method, path, parameters).ToList();
            if (aims.Count == 0)
                unwalked.Add(key);
            foreach (var aim in aims)
            {
                var (values, place, body) = await aim.Prepare();
                var url = parameters.Aggregate(path, (u, name) => u.Replace($"{{{name}}}", Uri.EscapeDataString(values[name]), StringComparison.Ordinal));
                var (content, headers) = body is null
                    ? BodyOf(document, key, operation, m.World, m.World.Moderator, place)
                    : (() => JsonContent.Create(body, options: Api.Json), null);
                var call = new Call(aim.Target, url, method, content, aim.Expected, headers);
                var actor = aim.By ?? m.World.Moderator;
                sent++;
                walked.Add(key);
                var before = writes is null ? 0 : await writes.VersionAsync();
                using var response = await actor.Client.SendAsync(call.Request());
                var wrote = writes is not null && before != await writes.VersionAsync();
                if (await JudgeAsync(response, wrote, call, m.World, actor) is { } failure)
                    failures.Add($"moderator {key} [{aim.Target}]: {failure}");
            }
        }

        Assert.True(unwalked.Count == 0, "Write operations the moderator's walk has no aim for (add them, or to ModeratorNotWalked with a reason):\n" + string.Join('\n', unwalked));
        Assert.True(walked.Count >= ModeratorWalked && sent >= ModeratorSent, $"Only {walked.Count} operations and {sent} requests walked (of {ModeratorWalked} and {ModeratorSent}): the walk is broken.");
        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} requests broke the rule:\n" + string.Join('\n', failures));
    }

    /// <summary>Where one request is aimed: what it must get, and how its ids (and a body, when not the walk's valid one) are made ready.</summary>
    private sealed record Aim(string Target, Expect Expected, Func<Task<Aimed>> Prepare, TestUser? By = null);

    private sealed record Aimed(Dictionary<string, string> Values, PermissionPlace Place, object? Body = null);

    /// <summary>
    /// The world as the moderator stands in it. Roles, bottom up: @everyone, the member's role, the moderators' (the
    /// moderator's highest, a peer's too), a role above (held by <see cref="Higher"/>). What an aim consumes (a member
    /// kicked, a role deleted, a channel deleted) is made fresh for it by the owner.
    /// </summary>
    private sealed class ModeratorWorld(KamaChatApp app, PermissionWorld world, Snowflake own, Snowflake above, TestUser peer, TestUser higher, TestUser timedOut, Snowflake hiddenCategory)
    {
        public PermissionWorld World => world;

        private static readonly string View = ((long)P.ViewChannel).ToString(CultureInfo.InvariantCulture);
        private static readonly string Administrator = ((long)P.Administrator).ToString(CultureInfo.InvariantCulture);

        public static async Task<ModeratorWorld> CreateAsync(KamaChatApp app)
        {
            var world = await PermissionWorld.CreateAsync(app);
            var (owner, server) = (world.Owner, world.ServerId);
            var roles = await (await owner.Client.GetAsync($"/api/v1/servers/{server}/roles")).ReadAsync<List<RoleResponse>>();
            var own = roles.Single(r => r.Name == $"{PermissionWorld.ServerMarker} moderators").Id;
            var above = (await owner.CreateRoleAsync(server, $"{PermissionWorld.ServerMarker} above", P.ViewChannel)).Id;
            var order = new[] { world.RoleId, own, above }.Select((id, i) => new { id, position = i + 1 });
            Assert.Equal(HttpStatusCode.OK, (await owner.Client.PatchAsJsonAsync($"/api/v1/servers/{server}/roles/positions", order)).StatusCode);
            var peer = await app.UserAsync();
            await peer.JoinAsync(owner, server);
            await owner.AssignRoleAsync(server, peer, own);
            var higher = await app.UserAsync();
            await higher.JoinAsync(owner, server);
            await owner.AssignRoleAsync(server, higher, above);
            var timedOut = await app.UserAsync();
            await timedOut.JoinAsync(owner, server);
            await owner.AssignRoleAsync(server, timedOut, own);
            Assert.Equal(HttpStatusCode.OK, (await owner.Client.SendJsonAsync(HttpMethod.Put, $"/api/v1/servers/{server}/members/{timedOut.Id}/timeout", new { until = DateTimeOffset.UtcNow.AddHours(1) })).StatusCode);
            // A category hidden from them too: no channel of theirs goes into it.
            var hiddenCategory = (await (await owner.Client.PostAsJsonAsync($"/api/v1/servers/{server}/channels", new
            {
                name = $"{PermissionWorld.PrivateMarker} category",
                type = "category",
                permissionOverwrites = new[] { new { targetType = "role", targetId = server, allow = "0", deny = View } },
            })).ReadAsync<Server.Features.Channels.ChannelResponse>(HttpStatusCode.Created)).Id;
            return new ModeratorWorld(app, world, own, above, peer, higher, timedOut, hiddenCategory);
        }

        private TestUser Owner => world.Owner;

        /// <summary>
        /// Parents no channel of theirs goes under, answered alike (400 validation_failed on the body's parentId): one
        /// hidden from them, and one that does not exist, so the answer cannot tell a hidden category from no category.
        /// </summary>
        private (string Name, Snowflake Id)[] CategoriesNotTheirs => [("the hidden category", hiddenCategory), ("a category that does not exist", new Snowflake(long.MaxValue))];

        private Snowflake ServerId => world.ServerId;

        /// <summary>Those at or above the moderator, by name.</summary>
        private (string Name, Snowflake Id)[] AtOrAbove =>
            [("owner", Owner.Id), ("peer", peer.Id), ("themself", world.Moderator.Id), ("higher member", higher.Id)];

        /// <summary>A fresh member below the moderator (the member's role is theirs).</summary>
        private async Task<TestUser> BelowAsync()
        {
            var user = await app.UserAsync();
            await user.JoinAsync(Owner, ServerId);
            await Owner.AssignRoleAsync(ServerId, user, world.RoleId);
            return user;
        }

        /// <summary>A fresh role at the bottom, below the moderator's.</summary>
        private async Task<Snowflake> LowRoleAsync() => (await Owner.CreateRoleAsync(ServerId, $"{PermissionWorld.ServerMarker} low", P.None)).Id;

        private async Task<int> PositionAsync(Snowflake roleId) =>
            (await (await Owner.Client.GetAsync($"/api/v1/servers/{ServerId}/roles")).ReadAsync<List<RoleResponse>>()).Single(r => r.Id == roleId).Position;

        /// <summary>A fresh channel everyone sees, with the owner's message (reacted to, pinned, with a file), an upload pending and a resumable one.</summary>
        private async Task<PermissionPlace> PublicAsync()
        {
            var channel = await (await Owner.Client.PostAsJsonAsync($"/api/v1/servers/{ServerId}/channels", new { name = $"{PermissionWorld.ServerMarker}-fresh", type = "text" }))
                .ReadAsync<Server.Features.Channels.ChannelResponse>(HttpStatusCode.Created);
            return await PermissionPlace.CreateAsync(app, Owner, channel.Id, PermissionWorld.ServerMarker, [world.Member]);
        }

        private Dictionary<string, string> Values(PermissionPlace place, string method, string path, Snowflake? user = null, string targetType = "role", Snowflake? target = null) => new()
        {
            ["id"] = path.StartsWith("/api/v1/channels/", StringComparison.Ordinal) ? place.ChannelId.ToString() : ServerId.ToString(),
            ["serverId"] = ServerId.ToString(),
            ["channelId"] = place.ChannelId.ToString(),
            ["messageId"] = place.MessageId.ToString(),
            ["attachmentId"] = place.UploadId.ToString(),
            ["uploadId"] = place.TusUploadId,
            ["emoji"] = "👍",
            ["userId"] = (user ?? (path.Contains("/recipients/", StringComparison.Ordinal) ? method == "PUT" ? world.Moderator.Id : world.Friend.Id : Owner.Id)).ToString(),
            ["targetType"] = targetType,
            ["targetId"] = (target ?? world.RoleId).ToString(),
            ["code"] = world.InviteCode,
        };

        private static Aim On(string target, Expect expected, Func<Task<Aimed>> prepare, TestUser? by = null) => new(target, expected, prepare, by);

        private Aim Now(string target, Expect expected, Dictionary<string, string> values, object? body = null) =>
            new(target, expected, () => Task.FromResult(new Aimed(values, world.Places["public"], body)));

        public IEnumerable<Aim> AimsOf(string method, string path, List<string> parameters)
        {
            var key = $"{method} {path}";
            var below = ModeratorGetsBelow.GetValueOrDefault(key, Expect.Allowed);
            var publicPlace = world.Places["public"];
            if (path.StartsWith("/api/v1/channels/", StringComparison.Ordinal) || parameters.Contains("channelId"))
            {
                // 1. The hidden channel and what is in it, and the DMs they are not in: as if none of it existed.
                foreach (var name in new[] { "private", "dm", "group" })
                    yield return new Aim(name, Expect.NotFound, () => Task.FromResult(new Aimed(Values(world.Places[name], method, path), world.Places[name])));
                if (parameters.All(name => name is "id" or "channelId" or "targetType" or "targetId"))
                    yield return new Aim("the hidden category", Expect.NotFound, () =>
                    {
                        var values = Values(world.Places["private"], method, path);
                        values["id"] = values["channelId"] = hiddenCategory.ToString();
                        return Task.FromResult(new Aimed(values, world.Places["private"]));
                    });
                if (key == "PATCH /api/v1/channels/{id}")
                    foreach (var (name, category) in CategoriesNotTheirs)
                        yield return Now($"a visible channel into {name}", Invalid, Values(publicPlace, method, path), new { parentId = category.ToString() });
                if (parameters.Contains("targetType"))
                {
                    foreach (var aim in OverwriteAims(method, path))
                        yield return aim;
                    yield break;
                }
                // 4. A channel they see, fresh (a delete takes it), with the owner's things in it.
                yield return On("visible", below, async () =>
                {
                    var place = await PublicAsync();
                    return new Aimed(Values(place, method, path), place);
                });
                yield break;
            }

            if (path.StartsWith("/api/v1/invites/{code}", StringComparison.Ordinal))
            {
                // A revoke takes the code: a fresh one of the owner's (ManageServer revokes anyone's).
                yield return On("the owner's invite", below, async () =>
                {
                    var values = Values(publicPlace, method, path);
                    values["code"] = (await Owner.InviteAsync(ServerId)).Code;
                    return new Aimed(values, publicPlace);
                });
                yield break;
            }

            var hasUser = parameters.Contains("userId");
            var hasRole = parameters.Contains("roleId");
            if (hasUser && hasRole)
            {
                // 2 and 3. A role to or from someone: both the role and the person must be below the moderator. Stricter
                // than Discord, which lets a moderator give themself (or take from themself) a role below their highest:
                // here they are not below themself, so even a low role of their own is the owner's or a higher role's to change.
                foreach (var (name, id) in AtOrAbove)
                    yield return On($"{name} with a low role", RoleHierarchy, async () =>
                        new Aimed(WithRole(Values(publicPlace, method, path, id), await LowRoleAsync()), publicPlace));
                yield return Now("themself with the role above", RoleHierarchy, WithRole(Values(publicPlace, method, path, world.Moderator.Id), above));
                foreach (var (name, role) in new[] { ("their own role", own), ("the role above", above) })
                    yield return On($"a member below with {name}", RoleHierarchy, async () =>
                        new Aimed(WithRole(Values(publicPlace, method, path, (await BelowAsync()).Id), role), publicPlace));
                // A named exception, Discord's rule: handing out a role is judged by its place alone, not by what it
                // grants. A role below the moderator that holds Administrator (the owner put it there) is theirs to give
                // to a member below (to an account of their own, too); only to themself is it refused (above).
                yield return On("a member below with a low role holding Administrator", below, async () =>
                {
                    var (user, role) = (await BelowAsync(), (await Owner.CreateRoleAsync(ServerId, $"{PermissionWorld.ServerMarker} low admin", P.Administrator)).Id);
                    if (method == "DELETE")
                        await Owner.AssignRoleAsync(ServerId, user, role);
                    return new Aimed(WithRole(Values(publicPlace, method, path, user.Id), role), publicPlace);
                });
                yield return On("a member below with a low role", below, async () =>
                {
                    var (user, role) = (await BelowAsync(), await LowRoleAsync());
                    if (method == "DELETE")
                        await Owner.AssignRoleAsync(ServerId, user, role);
                    return new Aimed(WithRole(Values(publicPlace, method, path, user.Id), role), publicPlace);
                });
                yield break;
            }
            if (hasUser)
            {
                // 2. Kick, ban, timeout, nickname: never those at or above, nothing while timed out; a fresh member below (a kick or ban takes them).
                foreach (var (name, id) in AtOrAbove)
                {
                    var expected = name == "themself" && ModeratorMayOnThemself.Contains(key) ? Expect.Allowed : ModeratorGetsAbove.GetValueOrDefault(key, RoleHierarchy);
                    yield return Now(name, expected, Values(publicPlace, method, path, id));
                }
                yield return On("a member below, by a timed-out moderator", TimedOut, async () =>
                    new Aimed(Values(publicPlace, method, path, (await BelowAsync()).Id), publicPlace), timedOut);
                yield return On("a member below", below, async () =>
                {
                    var user = await BelowAsync();
                    if (key == "DELETE /api/v1/servers/{id}/bans/{userId}")
                        Assert.Equal(HttpStatusCode.NoContent, (await Owner.Client.SendJsonAsync(HttpMethod.Put, $"/api/v1/servers/{ServerId}/bans/{user.Id}", new { reason = "walked" })).StatusCode);
                    return new Aimed(Values(publicPlace, method, path, user.Id), publicPlace);
                });
                yield break;
            }
            if (hasRole)
            {
                // 2. A role at or above their own is not theirs to edit or delete; 3. nor to hand out what they lack.
                foreach (var (name, role) in new[] { ("their own role", own), ("the role above", above) })
                    yield return Now(name, RoleHierarchy, WithRole(Values(publicPlace, method, path), role));
                if (method == "PATCH")
                {
                    yield return Now("@everyone granted Administrator", PermissionMissing, WithRole(Values(publicPlace, method, path), ServerId), new { permissions = Administrator });
                    yield return On("a low role granted Administrator", PermissionMissing, async () =>
                        new Aimed(WithRole(Values(publicPlace, method, path), await LowRoleAsync()), publicPlace, new { permissions = Administrator }));
                }
                else
                    yield return Now("@everyone", Invalid, WithRole(Values(publicPlace, method, path), ServerId));
                yield return On("a low role", below, async () => new Aimed(WithRole(Values(publicPlace, method, path), await LowRoleAsync()), publicPlace));
                yield break;
            }

            var server = Values(publicPlace, method, path);
            switch (key)
            {
                case "PATCH /api/v1/servers/{id}/roles/positions":
                    // 3. No role moved to or above their own, nor their own or one above moved at all.
                    foreach (var (name, role) in new[] { ("their own role", own), ("the role above", above) })
                        yield return Now($"{name} to the bottom", RoleHierarchy, server, new[] { new { id = role, position = 1 } });
                    foreach (var (name, step) in new[] { ("a low role to their own position", 0), ("a low role above their own", 1) })
                        yield return On(name, RoleHierarchy, async () =>
                        {
                            var role = await LowRoleAsync();
                            return new Aimed(server, publicPlace, new[] { new { id = role, position = await PositionAsync(own) + step } });
                        });
                    yield return On("a low role among those below", below, async () =>
                    {
                        var role = await LowRoleAsync();
                        return new Aimed(server, publicPlace, new[] { new { id = role, position = await PositionAsync(own) - 1 } });
                    });
                    break;
                case "PATCH /api/v1/servers/{id}/channels/positions":
                    yield return Now("the hidden channel", Expect.NotFound, server, new[] { new { id = world.Places["private"].ChannelId, position = 0 } });
                    yield return Now("the hidden category", Expect.NotFound, server, new[] { new { id = hiddenCategory, position = 0 } });
                    foreach (var (name, category) in CategoriesNotTheirs)
                        yield return Now($"a visible channel into {name}", Invalid, server, new[] { new { id = publicPlace.ChannelId, position = 0, parentId = category } });
                    yield return Now("a visible channel", below, server, new[] { new { id = publicPlace.ChannelId, position = 0 } });
                    break;
                case "POST /api/v1/servers/{id}/roles":
                    yield return Now("granting Administrator", PermissionMissing, server, new { name = "walked", permissions = Administrator, color = 0, mentionable = false });
                    yield return Now("granting what they hold", below, server);
                    break;
                case "POST /api/v1/servers/{id}/channels":
                    yield return Now("an overwrite for the role above", RoleHierarchy, server, NewChannel(new { targetType = "role", targetId = above, allow = "0", deny = View }));
                    yield return Now("an overwrite for the owner", RoleHierarchy, server, NewChannel(new { targetType = "member", targetId = Owner.Id, allow = "0", deny = View }));
                    yield return Now("@everyone granted Administrator", PermissionMissing, server, NewChannel(new { targetType = "role", targetId = ServerId, allow = Administrator, deny = "0" }));
                    foreach (var (name, category) in CategoriesNotTheirs)
                        yield return Now($"in {name}", Invalid, server, new { name = "walked", type = "text", parentId = category.ToString() });
                    yield return Now("hidden from @everyone", below, server, NewChannel(new { targetType = "role", targetId = ServerId, allow = "0", deny = View }));
                    break;
                case "PATCH /api/v1/servers/{id}":
                    yield return Now("the hidden channel as system channel", Invalid, server, new { systemChannelId = world.Places["private"].ChannelId.ToString() });
                    yield return Now("the server", below, server);
                    break;
                default:
                    yield return Now("the server", below, server);
                    break;
            }
        }

        /// <summary>A channel's overwrites: 2. never for a role or member at or above them; 3. never granting what they lack.</summary>
        private IEnumerable<Aim> OverwriteAims(string method, string path)
        {
            var publicPlace = world.Places["public"];
            foreach (var (name, role) in new[] { ("their own role", own), ("the role above", above) })
                yield return Now(name, RoleHierarchy, Values(publicPlace, method, path, target: role));
            foreach (var (name, id) in AtOrAbove)
                yield return Now(name, RoleHierarchy, Values(publicPlace, method, path, targetType: "member", target: id));
            if (method == "PUT")
            {
                yield return Now("@everyone granted Administrator", PermissionMissing, Values(publicPlace, method, path, target: ServerId), new { allow = Administrator, deny = "0" });
                yield return On("a low role granted Administrator", PermissionMissing, async () =>
                    new Aimed(Values(publicPlace, method, path, target: await LowRoleAsync()), publicPlace, new { allow = Administrator, deny = "0" }));
            }
            foreach (var targetType in new[] { "role", "member" })
                yield return On($"a {targetType} below", Expect.Allowed, async () =>
                {
                    var target = targetType == "role" ? await LowRoleAsync() : (await BelowAsync()).Id;
                    if (method == "DELETE")
                        Assert.True((await Owner.Client.SendJsonAsync(HttpMethod.Put, $"/api/v1/channels/{publicPlace.ChannelId}/permissions/{targetType}/{target}", new { allow = "0", deny = View })).IsSuccessStatusCode);
                    return new Aimed(Values(publicPlace, method, path, targetType: targetType, target: target), publicPlace, method == "PUT" ? new { allow = "0", deny = View } : null);
                });
        }

        private static object NewChannel(object overwrite) => new { name = "walked", type = "text", permissionOverwrites = new[] { overwrite } };

        private static Dictionary<string, string> WithRole(Dictionary<string, string> values, Snowflake role)
        {
            values["roleId"] = role.ToString();
            return values;
        }
    }

    private static Expect PermissionMissing => Expect.MissingPermission;
}

using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;
using static IpvsTools.Tests.Kube.JsonSnapshotPaths;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// Valid JSON snapshots mutated at random (fixed seed, so every run is the same): values replaced by
/// others of every JSON type, properties removed and renamed, kinds changed, text cut short. The reader
/// (fast path first) must give what the old path gives: the same snapshot, or the same error with the
/// same message, line and column. The one exception is the documented one (<see cref="Kube.JsonSnapshotReader"/>):
/// where the old path refuses and the fast path reads, the old path must read the same snapshot once the
/// fields the fast path never reads are taken out, which shows that the refusal was about one of those.
/// </summary>
public class JsonSnapshotFuzzTests
{
    private static readonly int Iterations = FuzzIterations.Scaled(1_500);

    private static readonly string[] Kinds = ["List", "ServiceList", "EndpointSliceList", "Service", "EndpointSlice", "Node", "Pod", ""];

    private static readonly Func<Random, JsonNode?>[] Values =
    [
        _ => null, _ => true, _ => false, _ => 0, _ => -1, _ => 80, _ => 65536, _ => 1.5, _ => JsonNode.Parse("1e3"),
        _ => 99_999_999_999, _ => "", _ => "80", _ => "abc", _ => "None", _ => "TCP", _ => "ICMP", _ => "ClientIP",
        _ => "Local", _ => "LoadBalancer", _ => "NodePort", _ => "IPv6", _ => "FQDN", _ => "10.96.0.300", _ => "fd00::1",
        _ => "192.0.2.1", _ => "10.0.0.0/8", _ => "2026-11-20T09:12:01Z", _ => "not a time", _ => "null",
        _ => new JsonObject(), _ => new JsonArray(), _ => new JsonArray((JsonNode?)null), _ => new JsonArray("10.0.0.1"),
        _ => new JsonArray(new JsonObject()), _ => new JsonObject { ["name"] = "z" }, _ => new JsonObject { ["port"] = 80 },
        r => Kinds[r.Next(Kinds.Length)],
    ];

    private static readonly string[] Names = ["kind", "items", "metadata", "name", "namespace", "labels", "spec", "ports", "port", "Port", "type", "clusterIP",
        "clusterIPs", "status", "endpoints", "addresses", "conditions", "ready", "creationTimestamp", "targetPort", "nodePort", "addressType", "hints", "x"];

    [Fact]
    [Trait("Category", "Fuzz")]
    public void FastPathMatchesTheOldPathOnMutatedSnapshots()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Snapshots");
        var seeds = new List<string> { File.ReadAllText(Path.Combine(folder, "kind-cluster.json")), JsonSnapshotFastPathTests.BenchmarkSnapshot(3, 2) };
        seeds.AddRange(YamlToJson.Convert(File.ReadAllText(Path.Combine(folder, "features.yaml"))));
        var random = new Random(20261124);
        var outcomes = new Dictionary<string, int>();
        string? difference = null;
        for (var i = 0; i < Iterations; i++)
        {
            var seed = seeds[random.Next(seeds.Count)];
            string text;
            if (random.Next(10) == 0)
            {
                text = seed.Substring(0, random.Next(seed.Length)); // cut short: not valid JSON, but for the one at its end
            }
            else
            {
                var root = JsonNode.Parse(seed)!;
                for (var n = random.Next(1, 4); n > 0; n--) Mutate(root, random);
                text = root.ToJsonString(new JsonSerializerOptions { WriteIndented = random.Next(2) == 0 });
            }

            var fastReads = FastReads(text);
            var old = Outcome(() => Yaml(text, "fuzz.json"));
            var reader = Outcome(() => Reader(text, "fuzz.json"));
            string outcome;
            if (old == reader)
            {
                outcome = (fastReads ? "fast path read" : "left to the old path") + (old.StartsWith("read", StringComparison.Ordinal) ? ", read" : ", refused");
            }
            else
            {
                // Only the documented difference: the old path refused, the fast path read, and without the
                // fields the fast path never reads, the old path reads the same.
                Assert.True(fastReads && old.StartsWith("refused", StringComparison.Ordinal) && reader.StartsWith("read", StringComparison.Ordinal),
                    $"the reader and the old path differ on:\n{text}\nold path: {old}\nreader: {reader}");
                var pruned = FieldsTheFastPathReads(JsonNode.Parse(text)!).ToJsonString();
                Assert.True(reader == Outcome(() => Yaml(pruned, "fuzz.json")), $"the old path refused\n{text}\nfor a field the fast path reads: {old}");
                outcome = "old path refused a field the fast path does not read";
                difference ??= old;
            }
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        TestContext.Current.SendDiagnosticMessage("JSON fast-path fuzz outcomes: " + string.Join(", ", outcomes.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key} {kv.Value}"))
            + (difference is null ? "" : "; a refusal passed over: " + difference));
        Assert.True(outcomes.GetValueOrDefault("fast path read, read") > Iterations / 10, "the fast path read too few mutated snapshots to say anything");
        Assert.True(outcomes.GetValueOrDefault("left to the old path, refused") > Iterations / 10, "too few mutated snapshots were refused to say anything");
    }

    /// <summary>One change somewhere in the tree: a value replaced, a property removed or renamed, a kind or property added.</summary>
    private static void Mutate(JsonNode root, Random random)
    {
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        var target = nodes[random.Next(nodes.Count)];
        switch (random.Next(5))
        {
            case 0 or 1 when target.Parent is not null: // replace the value
                var value = Values[random.Next(Values.Length)](random);
                if (target.Parent is JsonObject o) o[target.GetPropertyName()] = value;
                else ((JsonArray)target.Parent)[target.GetElementIndex()] = value;
                break;
            case 2 when target.Parent is JsonObject parent: // remove or rename the property
                var name = target.GetPropertyName();
                parent.Remove(name);
                if (random.Next(2) == 0 && !parent.ContainsKey(name + "s")) parent[random.Next(2) == 0 ? name + "s" : name.ToUpperInvariant()] = target;
                break;
            case 3 when target is JsonObject obj: // set a kind
                obj["kind"] = Kinds[random.Next(Kinds.Length)];
                break;
            case 4 when target is JsonObject obj: // add a known property with any value
                obj[Names[random.Next(Names.Length)]] = Values[random.Next(Values.Length)](random);
                break;
            default: // an array loses an element, or nothing happens
                if (target is JsonArray { Count: > 0 } array) array.RemoveAt(random.Next(array.Count));
                break;
        }
    }

    private static void Collect(JsonNode? node, List<JsonNode> nodes)
    {
        if (node is null) return;
        nodes.Add(node);
        if (node is JsonObject o) foreach (var (_, child) in o) Collect(child, nodes);
        if (node is JsonArray a) foreach (var child in a) Collect(child, nodes);
    }

    /// <summary>
    /// The snapshot with only the fields JsonKubeFields reads of each object for its kind (of an object of
    /// another kind or none, what it reads of any); everything else taken out.
    /// </summary>
    private static JsonNode FieldsTheFastPathReads(JsonNode root)
    {
        var kind = KindOf(root);
        var itemKind = kind is not null && kind.EndsWith("List", StringComparison.Ordinal) && kind != "List" ? kind[..^4] : null;
        if (root is JsonObject o && o["items"] is JsonArray items)
        {
            foreach (var item in items) Prune(item, Schema.For(KindOf(item) ?? itemKind));
        }
        Prune(root, Schema.Root(kind));
        return root;
    }

    private static string? KindOf(JsonNode? node)
        => node is JsonObject o && o["kind"] is JsonValue v && v.TryGetValue<string>(out var kind) ? kind : null;

    private static void Prune(JsonNode? node, Schema schema)
    {
        if (node is JsonArray array && schema.Items is not null)
        {
            foreach (var item in array) Prune(item, schema.Items);
        }
        else if (node is JsonObject obj && schema.Fields is not null)
        {
            foreach (var name in obj.Select(kv => kv.Key).ToList())
            {
                if (schema.Fields.TryGetValue(name, out var field)) Prune(obj[name], field);
                else obj.Remove(name);
            }
        }
    }

    /// <summary>The fields read: an object's named fields, a list's items, or a value kept whole.</summary>
    private sealed record Schema(Dictionary<string, Schema>? Fields = null, Schema? Items = null)
    {
        public static readonly Schema Value = new();

        private static Schema Of(params string[] names) => new(names.ToDictionary(n => n, _ => Value));

        private static Schema ListOf(Schema item) => new(Items: item);

        private static Schema With(Schema schema, string name, Schema field) => new(new Dictionary<string, Schema>(schema.Fields!) { [name] = field });

        private static readonly Schema Metadata = Of("name", "namespace", "labels");

        private static readonly Schema Spec = With(With(Of("type", "clusterIP", "clusterIPs", "ipFamilies", "externalIPs", "loadBalancerSourceRanges", "sessionAffinity",
                "internalTrafficPolicy", "externalTrafficPolicy", "healthCheckNodePort", "trafficDistribution", "externalName"),
            "ports", ListOf(Of("name", "protocol", "port", "nodePort", "targetPort"))),
            "sessionAffinityConfig", With(Of(), "clientIP", Of("timeoutSeconds")));

        private static readonly Schema Status = With(With(Of(),
            "loadBalancer", With(Of(), "ingress", ListOf(Of("ip", "hostname", "ipMode")))),
            "addresses", ListOf(Of("type", "address")));

        private static readonly Schema Endpoint = With(With(Of("addresses", "nodeName", "zone"),
            "conditions", Of("ready", "serving", "terminating")),
            "hints", With(With(Of(), "forZones", ListOf(Of("name"))), "forNodes", ListOf(Of("name"))));

        private static readonly Schema Service = With(With(With(Of("kind"), "metadata", Metadata), "spec", Spec),
            "status", With(Of(), "loadBalancer", With(Of(), "ingress", ListOf(Of("ip", "hostname", "ipMode")))));

        private static readonly Schema Node = With(With(With(Of("kind"), "metadata", Metadata), "spec", Of("podCIDR", "podCIDRs")),
            "status", With(Of(), "addresses", ListOf(Of("type", "address"))));

        private static readonly Schema EndpointSlice = With(With(With(Of("kind", "addressType"), "metadata", Metadata),
            "endpoints", ListOf(Endpoint)), "ports", ListOf(Of("name", "protocol", "port")));

        // Before its kind is read, an object's spec is read as a Service's and a Node's at once.
        private static readonly Schema Any = With(With(With(With(With(Of("kind", "addressType"), "metadata", Metadata),
                "spec", With(With(Spec, "podCIDR", Value), "podCIDRs", Value)), "status", Status),
            "endpoints", ListOf(Endpoint)), "ports", ListOf(Of("name", "protocol", "port")));

        /// <summary>What is read of an object of this kind.</summary>
        public static Schema For(string? kind) => kind switch
        {
            "Service" => Service,
            "Node" => Node,
            "EndpointSlice" => EndpointSlice,
            _ => Any,
        };

        /// <summary>What is read of the document's object (its items are pruned apart).</summary>
        public static Schema Root(string? kind) => With(For(kind), "items", Value);
    }
}

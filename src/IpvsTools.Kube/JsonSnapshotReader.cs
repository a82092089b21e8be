using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using IpvsTools.Cluster;

namespace IpvsTools.Kube;

/// <summary>
/// The fast path for JSON snapshots: one pass of System.Text.Json's <see cref="Utf8JsonReader"/> over the
/// file that keeps only the fields <see cref="KubeObjectMapper"/> reads (<see cref="JsonKubeFields"/>),
/// hands their values to <see cref="KubeObjectMapper"/>'s rules, the same code that maps what YamlDotNet
/// deserializes on the YAML path, and builds the cluster types with no KubernetesClient model objects between. Every other value is skipped (still checked as
/// JSON syntax, to the same depth limit as <see cref="SnapshotReader.MaxDepth"/>).
/// <para>
/// It never reports an error itself: whatever it does not read exactly as the YAML path would (JSON that is
/// not valid, a shape <see cref="SnapshotScanner"/> refuses, a 'kind' that is not a string, a value of
/// another JSON type than the model's, a value <see cref="KubeObjectMapper"/> refuses) makes it give up,
/// and the caller reads the whole file the old way, which names the line and column of the fault.
/// One difference is left on purpose: a value of the wrong type in a field the proxy never reads
/// (metadata.creationTimestamp, spec.selector...) is passed over here, where YamlDotNet refuses it.
/// </para>
/// </summary>
internal static class JsonSnapshotReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads the objects of a JSON snapshot into the lists and returns true; or returns false and leaves the
    /// lists as they were.
    /// </summary>
    public static bool TryRead(string text, List<KubeService> services, List<KubeEndpointSlice> slices, List<KubeNode> nodes)
    {
        byte[] utf8;
        try
        {
            // Strict: text with a lone surrogate is left to the old path as it is, not read with '?' in its place.
            utf8 = StrictUtf8.GetBytes(text);
        }
        catch (ArgumentException)
        {
            return false;
        }
        return TryRead(utf8, services, slices, nodes);
    }

    /// <summary>
    /// Reads the objects of a snapshot file's bytes when they are JSON in UTF-8 (an optional byte-order mark,
    /// then ASCII blanks and '{') and returns true; or returns false and leaves the lists as they were.
    /// Bytes that are not valid UTF-8 are left to the text path, which reads them as File.ReadAllText does.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> utf8, List<KubeService> services, List<KubeEndpointSlice> slices, List<KubeNode> nodes)
    {
        if (utf8.StartsWith(Utf8Bom)) utf8 = utf8.Slice(Utf8Bom.Length);
        if (!StartsAsJson(utf8) || !Utf8.IsValid(utf8)) return false;
        var before = (Services: services.Count, Slices: slices.Count, Nodes: nodes.Count);
        var outer = JsonStringPool.Current;
        JsonStringPool.Current = new JsonStringPool();
        try
        {
            var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = SnapshotReader.MaxDepth });
            ReadRoot(ref reader, services, slices, nodes);
            if (reader.Read()) throw JsonKubeFields.GiveUp(); // the reader throws first: one JSON value per file
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // JsonException, MappingException, FormatException...: the old path gives the message and position.
            services.RemoveRange(before.Services, services.Count - before.Services);
            slices.RemoveRange(before.Slices, slices.Count - before.Slices);
            nodes.RemoveRange(before.Nodes, nodes.Count - before.Nodes);
            return false;
        }
        finally
        {
            JsonStringPool.Current = outer;
        }
    }

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    /// <summary>The first byte that is not an ASCII blank (as char.IsWhiteSpace has it) is '{'.</summary>
    private static bool StartsAsJson(ReadOnlySpan<byte> utf8)
    {
        foreach (var b in utf8)
        {
            if (b < 0x80 && char.IsWhiteSpace((char)b)) continue;
            return b == (byte)'{';
        }
        return false;
    }

    /// <summary>The document's object: a List (or ServiceList...) of items, or one object.</summary>
    private static void ReadRoot(ref Utf8JsonReader reader, List<KubeService> services, List<KubeEndpointSlice> slices, List<KubeNode> nodes)
    {
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) throw JsonKubeFields.GiveUp();
        List<object>? items = null;
        var root = JsonKubeFields.ReadObject(ref reader, (ref Utf8JsonReader r) => items = ReadItems(ref r));
        if (root.Kind is { } kind && kind.EndsWith("List", StringComparison.Ordinal))
        {
            // Items without a kind take the typed list's (ServiceList: Service); a plain List's need their own.
            var itemKind = kind == "List" ? null : kind.Substring(0, kind.Length - 4);
            foreach (var item in items ?? [])
            {
                switch (item)
                {
                    case KubeService service:
                        services.Add(service);
                        break;
                    case KubeEndpointSlice slice:
                        slices.Add(slice);
                        break;
                    case KubeNode node:
                        nodes.Add(node);
                        break;
                    case JsonKubeObject pending:
                        Add(pending, itemKind, services, slices, nodes);
                        break;
                }
            }
        }
        else
        {
            Add(root, root.Kind, services, slices, nodes);
        }
    }

    /// <summary>
    /// 'items' (current: its name): a list of objects. The scanner passes over only YAML's empty nulls ('- '),
    /// and refuses JSON's null, whether as the list or as an item: giving up leaves that error to it.
    /// kubectl writes the List's kind after its items, so each item that names its kind is mapped at once
    /// (what was kept of its fields dies young) and kept in order with the ones that do not, which wait for the List's
    /// kind; an item of another kind is kept as nothing.
    /// </summary>
    private static List<object> ReadItems(ref Utf8JsonReader reader)
    {
        JsonKubeFields.Next(ref reader);
        if (reader.TokenType != JsonTokenType.StartArray) throw JsonKubeFields.GiveUp();
        var items = new List<object>();
        while (true)
        {
            JsonKubeFields.Next(ref reader);
            if (reader.TokenType == JsonTokenType.EndArray) return items;
            if (reader.TokenType != JsonTokenType.StartObject) throw JsonKubeFields.GiveUp();
            var item = JsonKubeFields.ReadObject(ref reader, null);
            object? read = item.Kind switch
            {
                "Service" => item.MapService(),
                "EndpointSlice" => item.MapEndpointSlice(),
                "Node" => item.MapNode(),
                null => item,
                _ => null,
            };
            if (read is not null) items.Add(read);
        }
    }

    /// <summary>Maps one object of the given kind; other kinds are passed over, as the YAML path passes them over.</summary>
    private static void Add(JsonKubeObject o, string? kind, List<KubeService> services, List<KubeEndpointSlice> slices, List<KubeNode> nodes)
    {
        switch (kind)
        {
            case "Service":
                services.Add(o.MapService());
                break;
            case "EndpointSlice":
                slices.Add(o.MapEndpointSlice());
                break;
            case "Node":
                nodes.Add(o.MapNode());
                break;
            case null:
                throw JsonKubeFields.GiveUp(); // no kind: the old path says so, with the position
            default:
                break;
        }
    }
}

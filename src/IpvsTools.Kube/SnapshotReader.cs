using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;
using k8s;
using k8s.Models;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace IpvsTools.Kube;

/// <summary>
/// Reads what `kubectl get svc,endpointslices[,nodes] -A -o yaml|json` prints: a List, a typed list
/// (ServiceList...), a single object, or several YAML documents, each holding Services, EndpointSlices
/// and Nodes (other kinds are passed over). A malformed file raises a <see cref="ClusterSourceException"/>
/// naming the file, the line and the column.
/// </summary>
public static class SnapshotReader
{
    /// <summary>Deeper nesting than this is refused (Services are about 10 deep) so hostile input cannot exhaust the stack.</summary>
    public const int MaxDepth = 64;

    /// <summary>Reads and merges the given files, in order.</summary>
    public static ClusterSnapshot ReadFiles(IEnumerable<string> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var services = new List<KubeService>();
        var slices = new List<KubeEndpointSlice>();
        var nodes = new List<KubeNode>();
        var names = new List<string>();
        foreach (var path in paths)
        {
            string text;
            try
            {
                text = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new ClusterSourceException("The snapshot file does not exist.", FailureKind.NotFound, path, inner: ex);
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                throw new ClusterSourceException("The snapshot file cannot be read: " + ex.Message, FailureKind.PermissionDenied, path, inner: ex);
            }
            Read(text, path, services, slices, nodes);
            names.Add(path);
        }
        return new ClusterSnapshot(services, slices, nodes, string.Join(", ", names));
    }

    /// <summary>Reads one snapshot from text; <paramref name="sourceName"/> names it in errors.</summary>
    public static ClusterSnapshot ReadText(string text, string sourceName)
    {
        var services = new List<KubeService>();
        var slices = new List<KubeEndpointSlice>();
        var nodes = new List<KubeNode>();
        Read(text, sourceName, services, slices, nodes);
        return new ClusterSnapshot(services, slices, nodes, sourceName);
    }

    private static void Read(string text, string source, List<KubeService> services, List<KubeEndpointSlice> slices, List<KubeNode> nodes)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.Length > 0 && trimmed[0] == '{') CheckJson(text, source);
        var ends = CheckStructure(text, source);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw Error(source, ex.Start, Clean(ex), ex);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            throw new ClusterSourceException("The YAML cannot be read: " + ex.Message, FailureKind.InvalidArgument, source, inner: ex);
        }
        foreach (var document in stream.Documents)
        {
            var root = document.RootNode;
            if (root is YamlScalarNode { Value: null or "" } && root.Tag.IsEmpty) continue; // an empty document
            if (root is not YamlMappingNode map)
                throw Error(source, root.Start, "A snapshot document is an object (a List or a Service, EndpointSlice or Node), not " + Describe(root) + ".");
            var kind = Scalar(map, "kind");
            if (kind is not null && kind.EndsWith("List", StringComparison.Ordinal))
            {
                var itemKind = kind == "List" ? null : kind.Substring(0, kind.Length - 4);
                if (!map.Children.TryGetValue(new YamlScalarNode("items"), out var items) || items is YamlScalarNode { Value: null or "" }) continue;
                if (items is not YamlSequenceNode sequence)
                    throw Error(source, items.Start, $"'items' of a {kind} is a list, not {Describe(items)}.");
                foreach (var item in sequence.Children)
                {
                    if (item is YamlScalarNode { Value: null or "" } && item.Tag.IsEmpty) continue;
                    if (item is not YamlMappingNode itemMap)
                        throw Error(source, item.Start, $"An item of a {kind} is an object, not {Describe(item)}.");
                    ReadObject(text, source, ends, itemMap, Scalar(itemMap, "kind") ?? itemKind, services, slices, nodes);
                }
            }
            else
            {
                ReadObject(text, source, ends, map, kind, services, slices, nodes);
            }
        }
    }

    private static void ReadObject(string text, string source, Dictionary<long, long> ends, YamlMappingNode node, string? kind,
        List<KubeService> services, List<KubeEndpointSlice> slices, List<KubeNode> nodes)
    {
        switch (kind)
        {
            case "Service":
                services.Add(Map(text, source, ends, node, kind, (V1Service o) => KubeObjectMapper.Service(o)));
                break;
            case "EndpointSlice":
                slices.Add(Map(text, source, ends, node, kind, (V1EndpointSlice o) => KubeObjectMapper.EndpointSlice(o)));
                break;
            case "Node":
                nodes.Add(Map(text, source, ends, node, kind, (V1Node o) => KubeObjectMapper.Node(o)));
                break;
            case null:
                throw Error(source, node.Start, "The object has no 'kind' (Service, EndpointSlice, Node or List).");
            default:
                break; // Endpoints, Pods and the rest of `kubectl get all` are not the proxy's business.
        }
    }

    /// <summary>
    /// Deserializes one object from its own span of the file, indented as in the file, so the
    /// deserializer's positions are the file's (shifted by the object's first line).
    /// </summary>
    private static TModel Map<TObject, TModel>(string text, string source, Dictionary<long, long> ends, YamlMappingNode node, string kind, Func<TObject, TModel> map)
    {
        var start = (int)node.Start.Index;
        var end = (int)Math.Min(ends.TryGetValue(node.Start.Index, out var e) ? e : text.Length, text.Length);
        var slice = new string(' ', (int)Math.Max(0, node.Start.Column - 1)) + text.Substring(start, Math.Max(0, end - start));
        TObject obj;
        try
        {
            obj = KubernetesYaml.Deserialize<TObject>(slice);
        }
        catch (YamlException ex)
        {
            // The span starts at the object's line, indented as in the file: columns are the file's.
            var line = node.Start.Line + ex.Start.Line - 1;
            throw new ClusterSourceException($"{kind} {Identify(node)}: {Clean(ex)}", FailureKind.InvalidArgument, source, (int)line, (int)ex.Start.Column, ex);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or InvalidCastException or ArgumentException or InvalidOperationException or JsonException)
        {
            throw Error(source, node.Start, $"{kind} {Identify(node)}: {ex.Message}", ex);
        }
        if (obj is null) throw Error(source, node.Start, $"{kind} {Identify(node)} is empty.");
        try
        {
            return map(obj);
        }
        catch (MappingException ex)
        {
            var at = Find(node, ex.Field) ?? node;
            throw Error(source, at.Start, $"{kind} {Identify(node)}: {ex.Field}: {ex.Message}", ex);
        }
    }

    /// <summary>JSON gets JSON's own error messages and positions.</summary>
    private static void CheckJson(string text, string source)
    {
        try
        {
            using var _ = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = MaxDepth });
        }
        catch (JsonException ex)
        {
            var message = ex.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0) message = message.Substring(0, cut).TrimEnd();
            throw new ClusterSourceException("Not valid JSON: " + message, FailureKind.InvalidArgument, source,
                (int)(ex.LineNumber ?? 0) + 1, (int)(ex.BytePositionInLine ?? 0) + 1, ex);
        }
    }

    /// <summary>
    /// One pass over the parser's events: refuses nesting deeper than <see cref="MaxDepth"/> before
    /// anything recurses, and notes where each mapping's text ends (the representation model does not
    /// keep that): a block mapping ends where the token after it starts, a flow mapping after its '}'.
    /// </summary>
    private static Dictionary<long, long> CheckStructure(string text, string source)
    {
        var parser = new Parser(new StringReader(text));
        var ends = new Dictionary<long, long>();
        var open = new Stack<(long Start, bool Flow)>();
        var depth = 0;
        var last = Mark.Empty;
        try
        {
            while (parser.MoveNext())
            {
                last = parser.Current!.End;
                switch (parser.Current)
                {
                    case MappingStart m:
                        if (++depth > MaxDepth) throw Error(source, m.Start, $"The snapshot nests deeper than {MaxDepth} levels.");
                        open.Push((m.Start.Index, m.Style == MappingStyle.Flow));
                        break;
                    case SequenceStart q:
                        if (++depth > MaxDepth) throw Error(source, q.Start, $"The snapshot nests deeper than {MaxDepth} levels.");
                        break;
                    case MappingEnd end:
                        depth--;
                        var (start, flow) = open.Pop();
                        ends[start] = flow ? end.Start.Index + 1 : end.Start.Index;
                        break;
                    case SequenceEnd:
                        depth--;
                        break;
                }
            }
        }
        catch (YamlException ex)
        {
            throw Error(source, ex.Start, Clean(ex), ex);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's parser gives up this way on some broken input; the last good event is the best position there is.
            throw Error(source, last, "The YAML cannot be parsed after this point.", ex);
        }
        return ends;
    }

    /// <summary>The node at a field path such as spec.ports[0].port, or null.</summary>
    internal static YamlNode? Find(YamlNode node, string path)
    {
        YamlNode? current = node;
        foreach (var part in path.Split('.'))
        {
            var name = part;
            var index = -1;
            var bracket = part.IndexOf('[');
            if (bracket >= 0)
            {
                name = part.Substring(0, bracket);
                if (!int.TryParse(part.AsSpan(bracket + 1, part.Length - bracket - 2), out index)) return current;
            }
            if (current is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(name), out var child)) return current;
            current = child;
            if (index >= 0)
            {
                if (current is not YamlSequenceNode seq || index >= seq.Children.Count) return current;
                current = seq.Children[index];
            }
        }
        return current;
    }

    private static string? Scalar(YamlMappingNode map, string key)
        => map.Children.TryGetValue(new YamlScalarNode(key), out var v) && v is YamlScalarNode s ? s.Value : null;

    private static string Identify(YamlMappingNode node)
    {
        if (!node.Children.TryGetValue(new YamlScalarNode("metadata"), out var m) || m is not YamlMappingNode meta) return "(no metadata)";
        var ns = Scalar(meta, "namespace");
        var name = Scalar(meta, "name") ?? "(no name)";
        return ns is null ? name : ns + "/" + name;
    }

    private static string Describe(YamlNode node) => node switch
    {
        YamlSequenceNode => "a list",
        YamlScalarNode s => $"the value '{s.Value}'",
        _ => "that",
    };

    private static string Clean(YamlException ex)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; the position is reported separately.
        var message = ex.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && cut > 0) message = message.Substring(cut + 3);
        if (ex.InnerException is not null && ex.InnerException is not YamlException) message += " " + ex.InnerException.Message;
        return message;
    }

    private static ClusterSourceException Error(string source, Mark mark, string message, Exception? inner = null)
        => new(message, FailureKind.InvalidArgument, source, (int)mark.Line, (int)mark.Column, inner);
}

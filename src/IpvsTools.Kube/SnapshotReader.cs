using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Json;
using k8s;
using k8s.Models;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;
using IpvsTools.Cluster;

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
            byte[] bytes;
            try
            {
                bytes = File.ReadAllBytes(path);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                throw new ClusterSourceException("The snapshot file does not exist.", FailureKind.NotFound, path, inner: ex);
            }
            catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
            {
                throw new ClusterSourceException("The snapshot file cannot be read: " + ex.Message, FailureKind.PermissionDenied, path, inner: ex);
            }
            // JSON in UTF-8 is read from the bytes; anything else (or JSON the fast path leaves) from the text
            // as File.ReadAllText decodes it, as before.
            if (!JsonSnapshotReader.TryRead(bytes, services, slices, nodes))
            {
                using var decoder = new StreamReader(new MemoryStream(bytes), Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
                Read(decoder.ReadToEnd(), path, services, slices, nodes, jsonFastPath: false);
            }
            names.Add(path);
        }
        return new ClusterSnapshot(services, slices, nodes, string.Join(", ", names));
    }

    /// <summary>Reads one snapshot from text; <paramref name="sourceName"/> names it in errors.</summary>
    public static ClusterSnapshot ReadText(string text, string sourceName) => ReadText(text, sourceName, jsonFastPath: true);

    /// <summary>
    /// Reads one snapshot from text; without <paramref name="jsonFastPath"/>, JSON is read the YAML way
    /// (every object by YamlDotNet), which tests and the benchmark compare with the fast path.
    /// </summary>
    internal static ClusterSnapshot ReadText(string text, string sourceName, bool jsonFastPath)
    {
        var services = new List<KubeService>();
        var slices = new List<KubeEndpointSlice>();
        var nodes = new List<KubeNode>();
        Read(text, sourceName, services, slices, nodes, jsonFastPath);
        return new ClusterSnapshot(services, slices, nodes, sourceName);
    }

    /// <summary>
    /// JSON (the first character that is not blank is '{') is read in one pass by <see cref="JsonSnapshotReader"/>.
    /// When that gives up, and for YAML, JSON is checked by System.Text.Json (its own messages and positions),
    /// then the objects are found by <see cref="SnapshotScanner"/> and read by YamlDotNet, which names the
    /// line and column of whatever is wrong.
    /// </summary>
    private static void Read(string text, string source, List<KubeService> services, List<KubeEndpointSlice> slices, List<KubeNode> nodes, bool jsonFastPath = true)
    {
        ArgumentNullException.ThrowIfNull(text);
        var trimmed = text.AsSpan().TrimStart();
        if (trimmed.Length > 0 && trimmed[0] == '{')
        {
            if (jsonFastPath && JsonSnapshotReader.TryRead(text, services, slices, nodes)) return;
            CheckJson(text, source);
        }
        foreach (var o in SnapshotScanner.Scan(text, source))
        {
            switch (o.Kind)
            {
                case "Service":
                    services.Add(Map(text, source, o, (V1Service x) => KubeObjectMapper.Service(x)));
                    break;
                case "EndpointSlice":
                    slices.Add(Map(text, source, o, (V1EndpointSlice x) => KubeObjectMapper.EndpointSlice(x)));
                    break;
                case "Node":
                    nodes.Add(Map(text, source, o, (V1Node x) => KubeObjectMapper.Node(x)));
                    break;
                case null:
                    throw Error(source, o.Start, "The object has no 'kind' (Service, EndpointSlice, Node or List).");
                default:
                    break; // Endpoints, Pods and the rest of `kubectl get all` are not the proxy's business.
            }
        }
    }

    /// <summary>
    /// Deserializes one object from its own span of the file, indented as in the file, so the
    /// deserializer's positions are the file's (shifted by the object's first line).
    /// </summary>
    private static TModel Map<TObject, TModel>(string text, string source, SnapshotObject o, Func<TObject, TModel> map)
    {
        var start = (int)o.Start.Index;
        var end = (int)Math.Min(o.End, text.Length);
        var slice = new string(' ', (int)Math.Max(0, o.Start.Column - 1)) + text.Substring(start, Math.Max(0, end - start));
        TObject obj;
        try
        {
            obj = KubernetesYaml.Deserialize<TObject>(slice);
        }
        catch (YamlException ex)
        {
            // The span starts at the object's line, indented as in the file: columns are the file's.
            throw new ClusterSourceException($"{o.Kind} {o.Identity}: {Clean(ex)}", FailureKind.InvalidArgument, source, (int)(o.Start.Line + ex.Start.Line - 1), (int)ex.Start.Column, ex);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or InvalidCastException or ArgumentException or InvalidOperationException or JsonException)
        {
            throw Error(source, o.Start, $"{o.Kind} {o.Identity}: {ex.Message}", ex);
        }
        if (obj is null) throw Error(source, o.Start, $"{o.Kind} {o.Identity} is empty.");
        try
        {
            return map(obj);
        }
        catch (MappingException ex)
        {
            var (line, column) = FieldPosition(slice, o, ex.Field);
            throw new ClusterSourceException($"{o.Kind} {o.Identity}: {ex.Field}: {ex.Message}", FailureKind.InvalidArgument, source, line, column, ex);
        }
    }

    /// <summary>Where a field (spec.ports[0].port) of an object is in the file; the object's start when it cannot be found.</summary>
    private static (int Line, int Column) FieldPosition(string slice, SnapshotObject o, string field)
    {
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(slice));
            var node = Find(stream.Documents[0].RootNode, field);
            if (node is not null) return ((int)(o.Start.Line + node.Start.Line - 1), (int)node.Start.Column);
        }
        catch (Exception ex) when (ex is YamlException or InvalidOperationException or ArgumentException)
        {
        }
        return ((int)o.Start.Line, (int)o.Start.Column);
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

    internal static string Clean(YamlException ex)
    {
        // YamlDotNet prefixes "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; the position is reported separately.
        var message = ex.Message;
        var cut = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith("(Line:", StringComparison.Ordinal) && cut > 0) message = message.Substring(cut + 3);
        if (ex.InnerException is not null && ex.InnerException is not YamlException) message += " " + ex.InnerException.Message;
        return message;
    }

    internal static ClusterSourceException Error(string source, Mark mark, string message, Exception? inner = null)
        => new(message, FailureKind.InvalidArgument, source, (int)mark.Line, (int)mark.Column, inner);
}

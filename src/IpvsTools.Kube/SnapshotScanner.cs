using System;
using System.Collections.Generic;
using System.IO;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace IpvsTools.Kube;

/// <summary>Where one object of a snapshot lies in the file, with what identifies it.</summary>
internal sealed class SnapshotObject
{
    public SnapshotObject(Mark start, long end, string? kind, string? name, string? ns)
    {
        Start = start;
        End = end;
        Kind = kind;
        Name = name;
        Namespace = ns;
    }

    /// <summary>The position of the object's first character.</summary>
    public Mark Start { get; }

    /// <summary>The index just past the object's text.</summary>
    public long End { get; }

    public string? Kind { get; }
    public string? Name { get; }
    public string? Namespace { get; }

    /// <summary>"namespace/name" or "name".</summary>
    public string Identity => Name is null ? "(no name)" : Namespace is null ? Name : Namespace + "/" + Name;
}

/// <summary>
/// One pass over the YAML parser's events (JSON is YAML too) that finds the objects of a snapshot:
/// each document's object, or each item of a List; with their kind, name and namespace and where
/// their text starts and ends. Values are skipped, not built: the objects themselves are read from
/// their text afterwards. Nesting deeper than <see cref="SnapshotReader.MaxDepth"/> is refused here,
/// before anything recurses.
/// </summary>
internal sealed class SnapshotScanner
{
    private readonly Parser _parser;
    private readonly string _source;
    private int _depth;
    private Mark _last = Mark.Empty;

    private SnapshotScanner(string text, string source)
    {
        _parser = new Parser(new StringReader(text));
        _source = source;
    }

    public static List<SnapshotObject> Scan(string text, string source)
    {
        var scanner = new SnapshotScanner(text, source);
        try
        {
            return scanner.ScanStream();
        }
        catch (YamlException ex)
        {
            throw SnapshotReader.Error(source, ex.Start, SnapshotReader.Clean(ex), ex);
        }
        catch (InvalidOperationException ex)
        {
            // YamlDotNet's parser gives up this way on some broken input; the last good event is the best position there is.
            throw SnapshotReader.Error(source, scanner._last, "The YAML cannot be parsed after this point.", ex);
        }
    }

    private ParsingEvent Current => _parser.Current!;

    private void Next()
    {
        if (!_parser.MoveNext()) throw SnapshotReader.Error(_source, _last, "The YAML ends too early.");
        var e = _parser.Current!;
        _last = e.End;
        if (e is MappingStart or SequenceStart)
        {
            if (++_depth > SnapshotReader.MaxDepth) throw SnapshotReader.Error(_source, e.Start, $"The snapshot nests deeper than {SnapshotReader.MaxDepth} levels.");
        }
        else if (e is MappingEnd or SequenceEnd)
        {
            _depth--;
        }
    }

    private List<SnapshotObject> ScanStream()
    {
        var objects = new List<SnapshotObject>();
        Next(); // StreamStart
        Next();
        while (Current is DocumentStart)
        {
            Next();
            switch (Current)
            {
                case Scalar s when IsNull(s):
                    break; // an empty document
                case MappingStart:
                    ReadDocument(objects);
                    break;
                default:
                    throw SnapshotReader.Error(_source, Current.Start,
                        "A snapshot document is an object (a List or a Service, EndpointSlice or Node), not " + Describe(Current) + ".");
            }
            Next(); // DocumentEnd
            Next();
        }
        return objects;
    }

    /// <summary>A document's root mapping (current: its MappingStart): a List of objects, or one object.</summary>
    private void ReadDocument(List<SnapshotObject> objects)
    {
        var start = (MappingStart)Current;
        string? kind = null, name = null, ns = null;
        List<SnapshotObject>? items = null;
        Mark itemsMark = Mark.Empty;
        Next();
        while (Current is not MappingEnd)
        {
            var key = (Current as Scalar)?.Value;
            Next();
            switch (key)
            {
                case "kind" when Current is Scalar k:
                    kind = k.Value;
                    break;
                case "metadata" when Current is MappingStart:
                    (name, ns) = ReadMetadata();
                    break;
                case "items":
                    itemsMark = Current.Start;
                    items = ReadItems();
                    break;
                default:
                    Skip();
                    break;
            }
            Next();
        }
        if (kind is not null && kind.EndsWith("List", StringComparison.Ordinal))
        {
            if (items is null) return;
            var itemKind = kind == "List" ? null : kind.Substring(0, kind.Length - 4);
            foreach (var item in items) objects.Add(item.Kind is null ? new SnapshotObject(item.Start, item.End, itemKind, item.Name, item.Namespace) : item);
            _ = itemsMark;
        }
        else
        {
            objects.Add(new SnapshotObject(start.Start, EndOf(start, (MappingEnd)Current), kind, name, ns));
        }
    }

    /// <summary>The items sequence (current: its value); null items are passed over, anything but an object refused.</summary>
    private List<SnapshotObject>? ReadItems()
    {
        if (Current is Scalar s && IsNull(s)) return null;
        if (Current is not SequenceStart)
            throw SnapshotReader.Error(_source, Current.Start, $"'items' is a list, not {Describe(Current)}.");
        var items = new List<SnapshotObject>();
        Next();
        while (Current is not SequenceEnd)
        {
            if (Current is Scalar n && IsNull(n))
            {
                Next();
                continue;
            }
            if (Current is not MappingStart start)
                throw SnapshotReader.Error(_source, Current.Start, $"An item of a List is an object, not {Describe(Current)}.");
            string? kind = null, name = null, ns = null;
            Next();
            while (Current is not MappingEnd)
            {
                var key = (Current as Scalar)?.Value;
                Next();
                switch (key)
                {
                    case "kind" when Current is Scalar k:
                        kind = k.Value;
                        break;
                    case "metadata" when Current is MappingStart:
                        (name, ns) = ReadMetadata();
                        break;
                    default:
                        Skip();
                        break;
                }
                Next();
            }
            items.Add(new SnapshotObject(start.Start, EndOf(start, (MappingEnd)Current), kind, name, ns));
            Next();
        }
        return items;
    }

    /// <summary>metadata's name and namespace (current: its MappingStart; on return: its MappingEnd).</summary>
    private (string? Name, string? Namespace) ReadMetadata()
    {
        string? name = null, ns = null;
        Next();
        while (Current is not MappingEnd)
        {
            var key = (Current as Scalar)?.Value;
            Next();
            if (key == "name" && Current is Scalar n) name = n.Value;
            else if (key == "namespace" && Current is Scalar s) ns = s.Value;
            else Skip();
            Next();
        }
        return (name, ns);
    }

    /// <summary>Skips the node whose first event is current; on return its last event is current.</summary>
    private void Skip()
    {
        if (Current is not (MappingStart or SequenceStart)) return;
        var depth = _depth;
        while (true)
        {
            Next();
            if (Current is (MappingEnd or SequenceEnd) && _depth < depth) return;
        }
    }

    /// <summary>A block mapping ends where the token after it starts, a flow mapping just after its '}'.</summary>
    private static long EndOf(MappingStart start, MappingEnd end) => start.Style == MappingStyle.Flow ? end.Start.Index + 1 : end.Start.Index;

    private static bool IsNull(Scalar s) => string.IsNullOrEmpty(s.Value) && s.Style == ScalarStyle.Plain && s.Tag.IsEmpty;

    private static string Describe(ParsingEvent e) => e switch
    {
        SequenceStart => "a list",
        Scalar s => $"the value '{s.Value}'",
        _ => "that",
    };
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// Turns the documents of a YAML snapshot into the JSON kubectl would print for them (indented, as `-o json`):
/// mappings become objects, sequences arrays, and a plain scalar null, a boolean or a number as YAML's core
/// schema reads it; every other scalar (and every quoted one) a string.
/// </summary>
internal static partial class YamlToJson
{
    /// <summary>Each document of the YAML text as one JSON text.</summary>
    public static IReadOnlyList<string> Convert(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var result = new List<string>();
        foreach (var document in stream.Documents)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            {
                Write(writer, document.RootNode);
            }
            result.Add(Encoding.UTF8.GetString(buffer.ToArray()));
        }
        return result;
    }

    private static void Write(Utf8JsonWriter writer, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                writer.WriteStartObject();
                foreach (var (key, value) in map.Children)
                {
                    writer.WritePropertyName(((YamlScalarNode)key).Value!);
                    Write(writer, value);
                }
                writer.WriteEndObject();
                break;
            case YamlSequenceNode seq:
                writer.WriteStartArray();
                foreach (var item in seq.Children) Write(writer, item);
                writer.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                WriteScalar(writer, scalar);
                break;
            default:
                throw new InvalidOperationException("not a snapshot: " + node.NodeType);
        }
    }

    private static void WriteScalar(Utf8JsonWriter writer, YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain) writer.WriteStringValue(value);
        else if (value is "" or "null" or "~") writer.WriteNullValue();
        else if (value is "true" or "false") writer.WriteBooleanValue(value == "true");
        else if (Integer().IsMatch(value)) writer.WriteNumberValue(long.Parse(value, CultureInfo.InvariantCulture));
        else writer.WriteStringValue(value);
    }

    [GeneratedRegex("^-?(0|[1-9][0-9]{0,17})$")]
    private static partial Regex Integer();
}

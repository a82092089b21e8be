using IpvsTools.Kube;
using Xunit;
using IpvsTools.Cluster;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// The two ways a JSON snapshot can be read: the fast path alone (<see cref="JsonSnapshotReader"/>, which
/// must not give up) and the old path (every object through YamlDotNet); and the outcome of a read as text,
/// so that two reads compare whole: the same snapshot field by field, or the same error.
/// </summary>
internal static class JsonSnapshotPaths
{
    /// <summary>The fast path's snapshot; fails the test when it gives up (so the old path did not stand in).</summary>
    public static ClusterSnapshot Fast(string json)
    {
        var services = new List<KubeService>();
        var slices = new List<KubeEndpointSlice>();
        var nodes = new List<KubeNode>();
        Assert.True(JsonSnapshotReader.TryRead(json, services, slices, nodes), "the JSON fast path gave up on:\n" + json);
        return new ClusterSnapshot(services, slices, nodes, "fast");
    }

    /// <summary>True when the fast path reads the text itself.</summary>
    public static bool FastReads(string json) => JsonSnapshotReader.TryRead(json, [], [], []);

    /// <summary>The old path: the scanner and YamlDotNet, after System.Text.Json's check.</summary>
    public static ClusterSnapshot Yaml(string text, string source = "snapshot") => SnapshotReader.ReadText(text, source, jsonFastPath: false);

    /// <summary>The reader as callers see it (the fast path, the old one when it gives up).</summary>
    public static ClusterSnapshot Reader(string text, string source = "snapshot") => SnapshotReader.ReadText(text, source);

    /// <summary>The snapshot's fields, or the error's type, message (file:line:column: reason), position and kind.</summary>
    public static string Outcome(Func<ClusterSnapshot> read)
    {
        try
        {
            return "read\n" + ClusterSnapshotText.Of(read());
        }
        catch (ClusterSourceException ex)
        {
            return $"refused: {ex.Message} | source {ex.SourceName} line {ex.Line} column {ex.Column} kind {ex.Kind} reason {ex.Reason}";
        }
        catch (Exception ex)
        {
            return $"threw {ex.GetType().FullName}: {ex.Message}";
        }
    }
}

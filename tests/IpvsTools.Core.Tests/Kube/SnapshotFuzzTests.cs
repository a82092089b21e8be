using System.Text;
using IpvsTools.Kube;
using Xunit;
using IpvsTools.Cluster;

namespace IpvsTools.Tests.Kube;

/// <summary>
/// Random, truncated, spliced and oversized snapshots (fixed seed, so every run is the same) give a
/// snapshot or a <see cref="ClusterSourceException"/> with a position: never another exception or a hang.
/// </summary>
public class SnapshotFuzzTests
{
    private static readonly int Iterations = FuzzIterations.Scaled(3_000);

    [Fact]
    [Trait("Category", "Fuzz")]
    public void ReaderSurvivesHostileInput()
    {
        var seeds = new[]
        {
            File.ReadAllText(SnapshotReaderTests.Sample("kind-cluster.yaml")),
            File.ReadAllText(SnapshotReaderTests.Sample("kind-cluster.json")),
        };
        var random = new Random(20261123);
        var outcomes = new Dictionary<string, int>();
        const string alphabet = "{}[]:,-'\"\n \t#&*!|>%@`?abcdeIPv4TCPUDP0123456789.\\";
        for (var i = 0; i < Iterations; i++)
        {
            var seed = seeds[random.Next(seeds.Length)];
            var text = new StringBuilder(seed);
            switch (random.Next(6))
            {
                case 0: // truncate
                    text.Length = random.Next(seed.Length);
                    break;
                case 1: // flip characters
                    for (var n = random.Next(1, 8); n > 0; n--) text[random.Next(text.Length)] = alphabet[random.Next(alphabet.Length)];
                    break;
                case 2: // splice a piece elsewhere
                    var from = random.Next(seed.Length);
                    var length = random.Next(Math.Min(400, seed.Length - from));
                    text.Insert(random.Next(text.Length), seed.Substring(from, length));
                    break;
                case 3: // delete a piece
                    var at = random.Next(seed.Length);
                    text.Remove(at, random.Next(Math.Min(200, seed.Length - at)));
                    break;
                case 4: // oversized value or deep nesting
                    var big = random.Next(2) == 0 ? new string('9', 100_000) : new string('[', 5_000) + new string(']', 5_000);
                    text.Insert(random.Next(text.Length), big);
                    break;
                default: // random text
                    text.Clear();
                    for (var n = random.Next(1, 300); n > 0; n--) text.Append(alphabet[random.Next(alphabet.Length)]);
                    break;
            }
            string outcome;
            try
            {
                var s = SnapshotReader.ReadText(text.ToString(), "fuzz");
                outcome = "read";
                Assert.NotNull(s.Services);
            }
            catch (ClusterSourceException ex)
            {
                Assert.Equal("fuzz", ex.SourceName);
                Assert.StartsWith("fuzz:", ex.Message);
                outcome = ex.Line > 0 ? "refused with position" : "refused";
            }
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        TestContext.Current.SendDiagnosticMessage("snapshot fuzz outcomes: " + string.Join(", ", outcomes.Select(kv => $"{kv.Key} {kv.Value}")));
        Assert.True(outcomes.GetValueOrDefault("read") > 0, "no mutated input was read at all");
        Assert.True(outcomes.GetValueOrDefault("refused with position") > 0);
    }
}

using System.Text;
using Xunit;
using IpvsTools.Iptables;

namespace IpvsTools.Tests.Iptables;

/// <summary>
/// Random, truncated, shuffled, word-mangled and oversized iptables-save text (fixed seed, so every
/// run is the same) must give either a ruleset or an <see cref="IptablesParseException"/>, never
/// another exception; and every rule it accepts must print a line that parses back to itself.
/// </summary>
public class IptablesSaveFuzzTests
{
    private static readonly int Iterations = FuzzIterations.Scaled(6_000);
    private static readonly string[] Words = ["!", "\"", "\\", "-m", "-j", "-g", "-A", "-s", "-f", "-c", "--comment", "--match-set", "[1:2]", "[", ":", "*nat", "COMMIT", "--x", "\"a b\"", "''", "\t", "#"];

    [Fact]
    [Trait("Category", "Fuzz")]
    public void ParserSurvivesHostileInput()
    {
        var random = new Random(20261124);
        var seeds = new[] { IptablesSamples.NftWithCounters, IptablesSamples.LegacyOddForms };
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < Iterations; i++)
        {
            var (kind, input) = Mutate(random, seeds[random.Next(seeds.Length)]);
            string outcome;
            try
            {
                var set = IptablesSaveParser.Parse(input, IptablesFamily.IPv4);
                foreach (var rule in set.Rules)
                {
                    var again = IptablesSaveParser.ParseRule(rule.ToString(), IptablesFamily.IPv4, rule.Table);
                    Assert.True(rule.ToString() == again.ToString(), $"{kind} input, iteration {i}: '{rule}' printed back as '{again}'");
                }
                outcome = "parsed";
            }
            catch (IptablesParseException)
            {
                outcome = "refused";
            }
            counts[kind + "/" + outcome] = counts.GetValueOrDefault(kind + "/" + outcome) + 1;
        }
        foreach (var kind in new[] { "random", "truncated", "lines", "words", "oversized" })
            Assert.Contains(counts.Keys, k => k.StartsWith(kind + "/"));
        Assert.Contains(counts.Keys, k => k.EndsWith("/refused"));
        Assert.Contains(counts.Keys, k => k.EndsWith("/parsed"));
        TestContext.Current.SendDiagnosticMessage("fuzz outcomes: " + string.Join(", ", counts.OrderBy(k => k.Key).Select(k => $"{k.Key}={k.Value}")));
    }

    private static (string Kind, string Input) Mutate(Random random, string seed)
    {
        switch (random.Next(5))
        {
            case 0:
                var noise = new StringBuilder();
                const string alphabet = "*:[]-!\"\\ \t\n#0123456789ACMOTabcdefgjmnpsx,/";
                for (var n = random.Next(0, 400); n > 0; n--) noise.Append(random.Next(8) == 0 ? (char)random.Next(1, 0x3000) : alphabet[random.Next(alphabet.Length)]);
                return ("random", noise.ToString());
            case 1:
                return ("truncated", seed.Substring(0, random.Next(seed.Length)));
            case 2:
                var lines = seed.Split('\n').ToList();
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    var at = random.Next(lines.Count);
                    switch (random.Next(3))
                    {
                        case 0: lines.RemoveAt(at); break;
                        case 1: lines.Insert(random.Next(lines.Count), lines[at]); break;
                        default: (lines[at], lines[^1]) = (lines[^1], lines[at]); break;
                    }
                    if (lines.Count == 0) break;
                }
                return ("lines", string.Join('\n', lines));
            case 3:
                var rows = seed.Split('\n');
                var row = random.Next(rows.Length);
                var words = rows[row].Split(' ').ToList();
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    var at = random.Next(words.Count + 1);
                    if (random.Next(2) == 0 && at < words.Count) words.RemoveAt(at);
                    else words.Insert(at, Words[random.Next(Words.Length)]);
                }
                rows[row] = string.Join(' ', words);
                return ("words", string.Join('\n', rows));
            default:
                var big = new StringBuilder(seed);
                switch (random.Next(3))
                {
                    case 0:
                        // One enormous rule line.
                        big.Insert(seed.IndexOf("COMMIT", StringComparison.Ordinal), "-A KUBE-X -m comment --comment \"" + new string('x', 200_000) + "\" -j RETURN\n");
                        break;
                    case 1:
                        // Counters past 64 bits.
                        big.Replace("[0:0]", "[99999999999999999999:0]");
                        break;
                    default:
                        // Thousands of rules.
                        var extra = new StringBuilder();
                        for (var n = 0; n < 5_000; n++) extra.Append("-A KUBE-X -s 10.0.").Append(n % 250).Append(".1/32 -j RETURN\n");
                        big.Insert(seed.IndexOf("COMMIT", StringComparison.Ordinal), extra.ToString());
                        break;
                }
                return ("oversized", big.ToString());
        }
    }
}

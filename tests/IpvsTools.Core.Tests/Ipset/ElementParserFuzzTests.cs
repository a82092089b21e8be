using Xunit;
using IpvsTools.Ipsets;

namespace IpvsTools.Tests.Ipset;

/// <summary>
/// Random, mutated, truncated and oversized element strings (fixed seed: every run is the same) give an
/// element or an <see cref="IpsetSyntaxException"/>, never another exception; and every element read
/// prints a text that reads back to itself.
/// </summary>
public class ElementParserFuzzTests
{
    private static readonly int Iterations = FuzzIterations.Scaled(40_000);
    private static readonly string[] Families = ["inet", "inet6"];
    private const string Alphabet = "0123456789abcdefABCDEF.:,/-[]% tcpudsicmvgrelx\t\n\0ÿ";

    private static readonly string[] Seeds =
    [
        "10.96.0.10,tcp:53", "10.96.0.10,udp:53", "10.0.0.0/30,tcp:80-81", "10.0.0.5-10.0.0.6,sctp:9", "10.0.0.1,icmp:8/0",
        "10.0.0.1,icmp:echo-request", "fd00:10:96::a,udp:53", "[fd00::2],tcp:53", "fd00::3,ipv6-icmp:1/0", "10.244.0.5,tcp:53,10.244.0.5",
        "203.0.113.10,tcp:80,192.168.0.0/16", "2001:db8::10,tcp:443,2001:db8:1::/48", "10.96.0.10", "10.1.0.0/16", "30080", "udp:1600-1602",
        "10.0.0.1,gre:0", "1.1.1.1,tcp:80,10.0.0.1-10.0.0.3",
    ];

    [Fact]
    [Trait("Category", "Fuzz")]
    public void TheParserSurvivesHostileInput()
    {
        var random = new Random(20261124);
        var types = IpsetTypeInfo.Names.Select(IpsetTypeInfo.Get).ToArray();
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < Iterations; i++)
        {
            var (kind, input) = Mutate(random);
            var type = types[random.Next(types.Length)];
            var family = type.IsBitmap ? (random.Next(8) == 0 ? "inet" : null) : (random.Next(16) == 0 ? "bogus" : Families[random.Next(2)]);
            string outcome;
            try
            {
                var element = IpsetElementParser.Parse(input, type, family);
                var again = IpsetElementParser.Parse(element.Text, type, family);
                Assert.True(element.Text == again.Text, $"'{input}' ({type} {family}) printed '{element.Text}', which reads back as '{again.Text}'");
                outcome = "parsed";
            }
            catch (IpsetSyntaxException)
            {
                outcome = "refused";
            }
            catch (Exception ex)
            {
                Assert.Fail($"iteration {i}: '{input}' ({type} {family}) raised {ex.GetType().Name}: {ex.Message}");
                return;
            }
            counts[kind + "/" + outcome] = counts.GetValueOrDefault(kind + "/" + outcome) + 1;
        }
        foreach (var kind in new[] { "random", "truncated", "oversized", "spliced", "flipped" })
            Assert.Contains(counts.Keys, k => k.StartsWith(kind + "/"));
        Assert.Contains(counts.Keys, k => k.EndsWith("/parsed"));
        Assert.Contains(counts.Keys, k => k.EndsWith("/refused"));
        TestContext.Current.SendDiagnosticMessage("element fuzz outcomes: " + string.Join(", ", counts.OrderBy(k => k.Key).Select(k => $"{k.Key}={k.Value}")));
    }

    private static (string Kind, string Input) Mutate(Random random)
    {
        var seed = Seeds[random.Next(Seeds.Length)];
        switch (random.Next(5))
        {
            case 0:
                return ("random", new string(Enumerable.Range(0, random.Next(0, 48)).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray()));
            case 1:
                return ("truncated", seed[..random.Next(0, seed.Length + 1)]);
            case 2:
                // Huge numbers, huge repeats, or a whole oversized element.
                return random.Next(3) switch
                {
                    0 => ("oversized", seed.Replace("53", new string('9', random.Next(5, 400)))),
                    1 => ("oversized", string.Join(",", Enumerable.Repeat(seed, random.Next(2, 200)))),
                    _ => ("oversized", new string('1', random.Next(1000, 100_000))),
                };
            case 3:
                var other = Seeds[random.Next(Seeds.Length)];
                var cut = random.Next(seed.Length + 1);
                var from = random.Next(other.Length + 1);
                return ("spliced", seed[..cut] + other[from..]);
            default:
                var chars = seed.ToCharArray();
                for (var n = random.Next(1, 4); n > 0; n--) chars[random.Next(chars.Length)] = Alphabet[random.Next(Alphabet.Length)];
                return ("flipped", new string(chars));
        }
    }
}

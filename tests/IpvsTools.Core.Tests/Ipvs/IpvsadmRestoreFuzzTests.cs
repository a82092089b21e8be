using Xunit;
using IpvsTools.Ipvs;

namespace IpvsTools.Tests.Ipvs;

/// <summary>
/// Random, truncated, spliced, oversized and mutated restore files (fixed seed: every run is the same)
/// give operations and line errors, never another exception, and never more errors than lines.
/// </summary>
public class IpvsadmRestoreFuzzTests
{
    private static readonly int Iterations = FuzzIterations.Scaled(20_000);

    private static readonly string[] Seeds =
    [
        "-A -t 10.96.0.10:53 -s rr\n-a -t 10.96.0.10:53 -r 10.244.1.5:53 -m -w 1\n",
        "-A -u 10.96.0.1:5060 -s sh -p 30 -M 255.255.255.0 --pe sip -o -b sh-port\n",
        "-A -t [fd00:10:96::a]:53 -s rr -p 60 -M 64\n-a -t [fd00:10:96::a]:53 -r [fd00:10:244::5]:53 -m -w 1\n",
        "-A -f 6 -6 -s rr -p 20 -M 64\n-a -f 6 -6 -r [fd00::9]:80 -g -w 1\n",
        "-a -t 10.96.0.10:53 -r 10.244.0.4:53 -i -w 1 --tun-type gue --tun-port 6080 --tun-csum\n",
        "--set 900 120 300\n--start-daemon backup --mcast-interface eth1 --syncid 6 --mcast-group 239.1.1.1\n--stop-daemon master\n-Z\n-C\n",
        "ipvsadm -At 10.0.0.1:80 -srr -p30\n--add-server --tcp-service=10.0.0.1:80 --real-server 10.0.0.2 --masquerading --weight=7\n",
    ];

    private const string Alphabet = " \t\r\n-:[]=.,#0123456789abcdefABCDEFtumsfprgiwxyMADEaedCZ6obn";

    [Fact]
    [Trait("Category", "Fuzz")]
    public void TheReaderSurvivesHostileInput()
    {
        var random = new Random(20261125);
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < Iterations; i++)
        {
            var (kind, text) = Mutate(random);
            IReadOnlyList<IpvsConfigOperation> operations;
            IReadOnlyList<IpvsConfigLineError> errors;
            try
            {
                (operations, errors) = IpvsadmRestoreText.Parse(text);
            }
            catch (Exception ex)
            {
                throw new Xunit.Sdk.XunitException($"iteration {i} ({kind}) threw {ex.GetType().Name}: {ex.Message}\ninput: {text[..Math.Min(text.Length, 300)]}");
            }
            var lines = text.Split('\n').Length;
            Assert.True(operations.Count + errors.Count <= lines, $"iteration {i}: {operations.Count} operations and {errors.Count} errors from {lines} lines");
            foreach (var op in operations)
            {
                // Every operation can describe itself (what -WhatIf prints).
                Assert.False(string.IsNullOrEmpty(op.Target + op.Description + op));
            }
            var outcome = errors.Count > 0 ? (operations.Count > 0 ? "mixed" : "refused") : "parsed";
            counts[kind + "/" + outcome] = counts.GetValueOrDefault(kind + "/" + outcome) + 1;
        }
        foreach (var kind in new[] { "random", "truncated", "spliced", "oversized", "mutated" })
            Assert.Contains(counts.Keys, k => k.StartsWith(kind + "/"));
        Assert.Contains(counts.Keys, k => k.EndsWith("/refused"));
        Assert.Contains(counts.Keys, k => k.EndsWith("/parsed"));
        TestContext.Current.SendDiagnosticMessage("restore fuzz outcomes: " + string.Join(", ", counts.OrderBy(k => k.Key).Select(k => $"{k.Key}={k.Value}")));
    }

    private static (string Kind, string Text) Mutate(Random random)
    {
        var seed = Seeds[random.Next(Seeds.Length)];
        switch (random.Next(5))
        {
            case 0:
                var chars = new char[random.Next(0, 200)];
                for (var i = 0; i < chars.Length; i++) chars[i] = random.Next(10) == 0 ? (char)random.Next(0, 0x3000) : Alphabet[random.Next(Alphabet.Length)];
                return ("random", new string(chars));
            case 1:
                return ("truncated", seed[..random.Next(seed.Length + 1)]);
            case 2:
                var other = Seeds[random.Next(Seeds.Length)];
                return ("spliced", seed[..random.Next(seed.Length + 1)] + other[random.Next(other.Length + 1)..]);
            case 3:
                return random.Next(2) == 0
                    ? ("oversized", seed.TrimEnd('\n') + new string('9', random.Next(10, 6000)) + "\n")
                    : ("oversized", string.Concat(Enumerable.Repeat(seed, random.Next(50, 300))));
            default:
                var text = seed.ToCharArray();
                for (var n = random.Next(1, 6); n > 0 && text.Length > 0; n--) text[random.Next(text.Length)] = Alphabet[random.Next(Alphabet.Length)];
                return ("mutated", new string(text));
        }
    }
}

using Xunit;
using IpvsTools.Ipsets;

namespace IpvsTools.Tests.Ipset;

/// <summary>
/// Random, mutated, truncated and oversized restore files (fixed seed: every run is the same): reading
/// them and playing them on a model of the kernel's sets gives commands and typed
/// <see cref="IpsetRestoreException"/>s naming real lines, never another exception.
/// </summary>
public class RestoreParserFuzzTests
{
    private static readonly int Iterations = FuzzIterations.Scaled(6_000);

    private const string Seed = """
        create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536 bucketsize 12 initval 0x02dccf24
        add KUBE-CLUSTER-IP 10.96.0.1,tcp:443
        add KUBE-CLUSTER-IP 10.96.0.10,udp:53 -exist
        create KUBE-LOOP-BACK hash:ip,port,ip family inet hashsize 1024 maxelem 65536
        add KUBE-LOOP-BACK 10.244.0.5,tcp:53,10.244.0.5
        create KUBE-6-LOAD-BALANCER-SOURCE-CID hash:ip,port,net family inet6 hashsize 1024 maxelem 65536
        add KUBE-6-LOAD-BALANCER-SOURCE-CID 2001:db8::10,tcp:443,2001:db8:1::/48
        create KUBE-NODE-PORT-TCP bitmap:port range 0-65535
        add KUBE-NODE-PORT-TCP 30080
        create EXTRAS hash:ip,port family inet hashsize 64 maxelem 1000 timeout 600 counters comment
        add EXTRAS 10.0.0.1,icmp:echo-request timeout 5 packets 5 bytes 300 comment "from the test"
        # a comment
        -N OLD iphash netmask 24
        a OLD 10.1.2.3
        swap KUBE-CLUSTER-IP EXTRAS
        rename OLD NEW
        del KUBE-LOOP-BACK 10.244.0.5,tcp:53,10.244.0.5
        test KUBE-NODE-PORT-TCP 30080
        flush NEW
        destroy NEW
        COMMIT

        """;

    private static readonly string[] Words = ["create", "add", "del", "test", "destroy", "flush", "rename", "swap", "-exist", "family", "inet6", "hashsize",
        "0x", "comment", "\"", "timeout", "range", "0-65535", "hash:ip", "bitmap:port", "KUBE-CLUSTER-IP", "10.96.0.1,tcp:443", "\t", "\r", "\n", "#", "-N", "x"];

    [Fact]
    [Trait("Category", "Fuzz")]
    public void ReadingAndCheckingSurviveHostileFiles()
    {
        var random = new Random(20261125);
        var counts = new Dictionary<string, int>();
        var kernel = new List<IpvsTools.Ipsets.Ipset>
        {
            new("KUBE-CLUSTER-IP", "hash:ip,port", 7, "inet", 1024, 65536, 12, 1, null, null, false, false, false, false, null, 2, 0, 0, []),
            new("LIST", "list:set", 3, null, null, null, null, null, null, null, false, false, false, false, null, 0, 0, 0, []),
        };
        for (var i = 0; i < Iterations; i++)
        {
            var (kind, input) = Mutate(random);
            IpsetRestoreScript script;
            IReadOnlyList<IpsetRestoreException> errors;
            try
            {
                script = IpsetRestoreParser.Parse(input);
                errors = IpsetRestoreValidator.Validate(script, kernel, name => name == "KUBE-CLUSTER-IP" ? ["10.96.0.1,tcp:443"] : [], exist: random.Next(2) == 0);
                _ = IpsetClient.Steps(script);
            }
            catch (Exception ex)
            {
                Assert.Fail($"iteration {i} ({kind}): {ex.GetType().Name}: {ex.Message}\n--- input ---\n{(input.Length > 2000 ? input[..2000] : input)}");
                return;
            }
            var lineCount = input.Split('\n').Length;
            Assert.All(script.Errors.Concat(errors), e => Assert.InRange(e.LineNumber, 1, lineCount));
            var outcome = script.Errors.Count > 0 ? "unreadable" : errors.Count > 0 ? "refused" : "accepted";
            counts[kind + "/" + outcome] = counts.GetValueOrDefault(kind + "/" + outcome) + 1;
        }
        foreach (var kind in new[] { "random", "truncated", "oversized", "shuffled", "flipped", "words" })
            Assert.Contains(counts.Keys, k => k.StartsWith(kind + "/"));
        Assert.Contains(counts.Keys, k => k.EndsWith("/accepted"));
        Assert.Contains(counts.Keys, k => k.EndsWith("/refused"));
        Assert.Contains(counts.Keys, k => k.EndsWith("/unreadable"));
        TestContext.Current.SendDiagnosticMessage("restore fuzz outcomes: " + string.Join(", ", counts.OrderBy(k => k.Key).Select(k => $"{k.Key}={k.Value}")));
    }

    private static (string Kind, string Input) Mutate(Random random)
    {
        switch (random.Next(6))
        {
            case 0:
                return ("random", new string(Enumerable.Range(0, random.Next(0, 400)).Select(_ => (char)random.Next(0, 0x250)).ToArray()));
            case 1:
                return ("truncated", Seed[..random.Next(0, Seed.Length + 1)]);
            case 2:
                return random.Next(3) switch
                {
                    0 => ("oversized", "add KUBE-CLUSTER-IP " + new string('9', random.Next(1000, 200_000))),
                    1 => ("oversized", string.Concat(Enumerable.Repeat(Seed, random.Next(2, 40)))),
                    _ => ("oversized", "create A hash:ip hashsize " + new string('7', random.Next(20, 5000)) + "\n"),
                };
            case 3:
                var lines = Seed.Split('\n').OrderBy(_ => random.Next()).ToArray();
                return ("shuffled", string.Join('\n', lines));
            case 4:
                var chars = Seed.ToCharArray();
                for (var n = random.Next(1, 12); n > 0; n--) chars[random.Next(chars.Length)] = (char)random.Next(0x20, 0x7f);
                return ("flipped", new string(chars));
            default:
                return ("words", string.Join(random.Next(3) == 0 ? "\n" : " ", Enumerable.Range(0, random.Next(1, 60)).Select(_ => Words[random.Next(Words.Length)])));
        }
    }
}

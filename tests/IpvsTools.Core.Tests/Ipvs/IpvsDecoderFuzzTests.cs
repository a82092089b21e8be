using System.Net;
using IpvsTools.IpvsWire;
using IpvsTools.Netlink;
using Xunit;

namespace IpvsTools.Tests.Ipvs;

/// <summary>
/// Random, truncated, oversized, mis-nested and bit-flipped IPVS replies (fixed seed, so every run is
/// the same) must give a model or a <see cref="NetlinkDecodeException"/>: never another exception, a
/// hang, or an allocation out of proportion to the input.
/// </summary>
public class IpvsDecoderFuzzTests
{
    private const int Iterations = 20_000;

    private static readonly IpvsServiceKey Service = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("10.96.0.10"), 53);

    [Fact]
    public void DecodersSurviveHostileInput()
    {
        var random = new Random(20261124);
        var seeds = new[]
        {
            IpvsDecoderTests.HandWrittenServiceReply,
            IpvsReplies.Service(10, fwmark: 5, scheduler: "wlc", flags: 0x1f, timeout: 60, netmask: [64, 0, 0, 0], engine: "sip"),
            IpvsReplies.Service(10, 6, "fd00::10", 80, withStats64: false),
            IpvsReplies.Destination("fd00::2", 80, forwarding: 2, tunnelType: 1, tunnelPort: 6080, tunnelFlags: 1, af: 10),
            IpvsReplies.Destination("10.244.1.7", 53),
            IpvsReplies.Info(0x010201, 4096),
            IpvsReplies.Config(900, 120, 300),
            Concat(IpvsReplies.Destination("10.244.1.7", 53, af: 2), IpvsReplies.Destination("10.244.2.3", 53, forwarding: 3, af: 2)),
        };
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < Iterations; i++)
        {
            var (kind, input) = Mutate(random, seeds[random.Next(seeds.Length)]);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var outcome = Run(input);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 64 * 1024 + 64L * input.Length, $"{kind} input of {input.Length} bytes allocated {allocated} bytes (iteration {i})");
            counts[kind + "/" + outcome] = counts.GetValueOrDefault(kind + "/" + outcome) + 1;
        }
        foreach (var kind in new[] { "random", "truncated", "oversized", "misnested", "bitflip" })
            Assert.Contains(counts.Keys, k => k.StartsWith(kind + "/"));
        Assert.Contains(counts.Keys, k => k.EndsWith("/refused"));
        Assert.Contains(counts.Keys, k => k.EndsWith("/decoded"));
        TestContext.Current.SendDiagnosticMessage("ipvs fuzz outcomes: " + string.Join(", ", counts.OrderBy(k => k.Key).Select(k => $"{k.Key}={k.Value}")));
    }

    /// <summary>Every decoder over every message; the models' text forms too, since they format what was decoded.</summary>
    private static string Run(byte[] input)
    {
        var decoded = 0;
        var refused = 0;
        try
        {
            var reader = new NetlinkMessageReader(input);
            while (reader.TryRead(out var message))
            {
                Try(message, m => IpvsadmText.FormatServiceLine(IpvsDecoder.DecodeService(m, null)) + IpvsDecoder.DecodeService(m, "x").Key);
                Try(message, m => IpvsadmText.FormatDestinationLine(IpvsDecoder.DecodeDestination(m, Service, null)));
                Try(message, m => IpvsDecoder.DecodeInfo(m).ToString());
                Try(message, m => IpvsDecoder.DecodeTimeouts(m).ToString());
            }
        }
        catch (NetlinkDecodeException)
        {
            refused++;
        }
        return decoded > 0 ? "decoded" : refused > 0 ? "refused" : "empty";

        void Try(NetlinkMessage message, Func<NetlinkMessage, string> decode)
        {
            try
            {
                _ = decode(message);
                decoded++;
            }
            catch (NetlinkDecodeException)
            {
                refused++;
            }
        }
    }

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();

    private static (string Kind, byte[] Input) Mutate(Random random, byte[] seed)
    {
        switch (random.Next(5))
        {
            case 0:
                var noise = new byte[random.Next(0, 512)];
                random.NextBytes(noise);
                // Half of the noise gets a plausible header so the attribute walkers see it.
                if (noise.Length >= 20 && random.Next(2) == 0)
                {
                    BitConverter.TryWriteBytes(noise.AsSpan(0), noise.Length);
                    BitConverter.TryWriteBytes(noise.AsSpan(4), IpvsReplies.Family);
                }
                return ("random", noise);
            case 1:
                return ("truncated", seed[..random.Next(0, seed.Length)]);
            case 2:
                var big = (byte[])seed.Clone();
                var at = random.Next(2) == 0 ? 0 : 20 + 4 * random.Next(Math.Max(1, (big.Length - 20) / 4));
                if (at + 2 <= big.Length) { big[at] = 0xff; big[at + 1] = 0xff; }
                return ("oversized", big);
            case 3:
                var nested = (byte[])seed.Clone();
                // Set NESTED flags and shuffle type bytes so leaves read as nests and nests as leaves.
                for (var i = 20; i + 4 <= nested.Length; i += 4)
                {
                    if (random.Next(4) == 0) nested[i + 3] ^= 0x80;
                    if (random.Next(8) == 0) nested[i + 2] = (byte)random.Next(16);
                }
                return ("misnested", nested);
            default:
                var flipped = (byte[])seed.Clone();
                for (var n = random.Next(1, 6); n > 0; n--) flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
                return ("bitflip", flipped);
        }
    }
}

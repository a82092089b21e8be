using IpvsTools.IpsetWire;
using IpvsTools.Netlink;
using IpvsTools.Tests.Ipset;
using Xunit;

namespace IpvsTools.Tests.Netlink;

/// <summary>
/// Random, truncated, oversized and mis-nested input (fixed seed, so every run is the same) must give
/// either a result or a <see cref="NetlinkDecodeException"/>: never another exception, a hang, or an
/// allocation out of proportion to the input.
/// </summary>
public class DecoderFuzzTests
{
    private const int Iterations = 20_000;

    [Fact]
    public void DecoderSurvivesHostileInput()
    {
        var random = new Random(20261123);
        var seeds = new[] { ListDecoderTests.ClusterIpReply(), ListDecoderTests.ClusterIpReply(true), GenericNetlink.BuildGetFamily("IPVS").ToArray() };
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
        // Every kind of mutation was exercised, and the decoder both accepted and refused inputs.
        foreach (var kind in new[] { "random", "truncated", "oversized", "misnested", "bitflip" })
            Assert.Contains(counts.Keys, k => k.StartsWith(kind + "/"));
        Assert.Contains(counts.Keys, k => k.EndsWith("/refused"));
        Assert.Contains(counts.Keys, k => k.EndsWith("/decoded"));
        TestContext.Current.SendDiagnosticMessage("fuzz outcomes: " + string.Join(", ", counts.OrderBy(k => k.Key).Select(k => $"{k.Key}={k.Value}")));
    }

    private static string Run(byte[] input)
    {
        try
        {
            var decoder = new IpsetListDecoder(null);
            var reader = new NetlinkMessageReader(input);
            while (reader.TryRead(out var message))
            {
                if (message.Type == 0x0607) decoder.Add(message);
                else if (message.Type == NetlinkConstants.TypeError) NetlinkSocket.ParseError(message);
                else if (message.Type == GenericNetlink.ControllerId) GenericNetlink.ParseFamily(message);
                Walk(message.Attributes(Math.Min(4, message.Payload.Length)), 0);
            }
            decoder.Build();
            return "decoded";
        }
        catch (NetlinkDecodeException)
        {
            return "refused";
        }
    }

    /// <summary>Reads every attribute as every shape, recursing into anything that might be a nest.</summary>
    private static void Walk(NetlinkAttributeReader reader, int depth)
    {
        while (reader.TryRead(out var a))
        {
            _ = a.GetString();
            for (var width = 0; width < 4; width++)
            {
                try
                {
                    _ = width switch { 0 => a.GetU8(), 1 => a.GetU16(), 2 => a.GetU32(), _ => a.GetU64() };
                }
                catch (NetlinkDecodeException)
                {
                }
            }
            if (depth < 8)
            {
                try { Walk(a.Nested(), depth + 1); } catch (NetlinkDecodeException) { }
            }
        }
    }

    private static (string Kind, byte[] Input) Mutate(Random random, byte[] seed)
    {
        switch (random.Next(5))
        {
            case 0:
                var noise = new byte[random.Next(0, 512)];
                random.NextBytes(noise);
                return ("random", noise);
            case 1:
                return ("truncated", seed[..random.Next(0, seed.Length)]);
            case 2:
                var big = (byte[])seed.Clone();
                // Claim a length far past the buffer, at the message or at some attribute.
                var at = random.Next(2) == 0 ? 0 : 20 + 4 * random.Next(Math.Max(1, (big.Length - 20) / 4));
                if (at + 2 <= big.Length) { big[at] = 0xff; big[at + 1] = 0xff; }
                return ("oversized", big);
            case 3:
                var nested = (byte[])seed.Clone();
                // Toggle NESTED flags and shuffle type bytes so leaves read as nests and nests as leaves.
                for (var i = 20; i + 4 <= nested.Length; i += 4)
                {
                    if (random.Next(4) == 0) nested[i + 3] ^= 0x80;
                    if (random.Next(8) == 0) nested[i + 2] = (byte)random.Next(32);
                }
                return ("misnested", nested);
            default:
                var flipped = (byte[])seed.Clone();
                for (var n = random.Next(1, 6); n > 0; n--) flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
                return ("bitflip", flipped);
        }
    }
}

using Xunit;

namespace IpvsTools.Tests.Netlink;

/// <summary>
/// The fixed-seed fuzz loop shared by the decoder fuzz tests: random, truncated, oversized,
/// mis-nested and bit-flipped variants of well-formed seed messages are fed to a decoder, which must
/// answer "decoded" or "refused" (a NetlinkDecodeException caught by the caller) and never allocate
/// out of proportion to its input. Every kind of mutation and both outcomes must occur.
/// </summary>
internal static class NetlinkFuzz
{
    public static readonly string[] Kinds = ["random", "truncated", "oversized", "misnested", "bitflip"];

    public static Dictionary<string, int> Run(int seed, int iterations, byte[][] seeds, Func<byte[], string> decode, ushort? plausibleType = null)
    {
        // Warm-up, unmeasured: one-time costs (JIT, the first exception's resources, lazily built
        // tables) are not allocations in proportion to an input.
        var warmUp = new Random(~seed);
        for (var i = 0; i < 500; i++) decode(Mutate(warmUp, seeds[warmUp.Next(seeds.Length)], plausibleType).Input);

        var random = new Random(seed);
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < iterations; i++)
        {
            var (kind, input) = Mutate(random, seeds[random.Next(seeds.Length)], plausibleType);
            var before = GC.GetAllocatedBytesForCurrentThread();
            var outcome = decode(input);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 64 * 1024 + 64L * input.Length, $"{kind} input of {input.Length} bytes allocated {allocated} bytes (iteration {i})");
            counts[kind + "/" + outcome] = counts.GetValueOrDefault(kind + "/" + outcome) + 1;
        }
        foreach (var kind in Kinds) Assert.Contains(counts.Keys, k => k.StartsWith(kind + "/"));
        Assert.Contains(counts.Keys, k => k.EndsWith("/refused"));
        Assert.Contains(counts.Keys, k => k.EndsWith("/decoded"));
        return counts;
    }

    public static string Describe(Dictionary<string, int> counts)
        => string.Join(", ", counts.OrderBy(k => k.Key).Select(k => $"{k.Key}={k.Value}"));

    /// <param name="plausibleType">When given, half of the random inputs get a netlink header of that type, so attribute walkers see them.</param>
    public static (string Kind, byte[] Input) Mutate(Random random, byte[] seed, ushort? plausibleType = null)
    {
        switch (random.Next(5))
        {
            case 0:
                var noise = new byte[random.Next(0, 512)];
                random.NextBytes(noise);
                if (plausibleType is { } type && noise.Length >= 20 && random.Next(2) == 0)
                {
                    BitConverter.TryWriteBytes(noise.AsSpan(0), noise.Length);
                    BitConverter.TryWriteBytes(noise.AsSpan(4), type);
                }
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

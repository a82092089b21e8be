using IpvsTools.Netlink;
using IpvsTools.Tests.Ipset;
using Xunit;
using IpvsTools.Ipsets;

namespace IpvsTools.Tests.Netlink;

/// <summary>
/// Random, truncated, oversized and mis-nested input (fixed seed, so every run is the same) must give
/// either a result or a <see cref="NetlinkDecodeException"/>: never another exception, a hang, or an
/// allocation out of proportion to the input.
/// </summary>
public class DecoderFuzzTests
{
    private static readonly int Iterations = FuzzIterations.Scaled(20_000);

    [Fact]
    [Trait("Category", "Fuzz")]
    public void DecoderSurvivesHostileInput()
    {
        var seeds = new[] { ListDecoderTests.ClusterIpReply(), ListDecoderTests.ClusterIpReply(true), GenericNetlink.BuildGetFamily("IPVS").ToArray() };
        var counts = NetlinkFuzz.Run(20261123, Iterations, seeds, Run);
        TestContext.Current.SendDiagnosticMessage("fuzz outcomes: " + NetlinkFuzz.Describe(counts));
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
}

using System.Net;
using IpvsTools.Netlink;
using IpvsTools.Tests.Netlink;
using Xunit;
using IpvsTools.Ipvs;

namespace IpvsTools.Tests.Ipvs;

/// <summary>
/// Random, truncated, oversized, mis-nested and bit-flipped IPVS replies (fixed seed, so every run is
/// the same) must give a model or a <see cref="NetlinkDecodeException"/>: never another exception, a
/// hang, or an allocation out of proportion to the input.
/// </summary>
public class IpvsDecoderFuzzTests
{
    private static readonly int Iterations = FuzzIterations.Scaled(20_000);

    private static readonly IpvsServiceKey Service = IpvsServiceKey.ForAddress(IpvsProtocol.Tcp, IPAddress.Parse("10.96.0.10"), 53);

    [Fact]
    [Trait("Category", "Fuzz")]
    public void DecodersSurviveHostileInput()
    {
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
        var counts = NetlinkFuzz.Run(20261124, Iterations, seeds, Run, IpvsReplies.Family);
        TestContext.Current.SendDiagnosticMessage("ipvs fuzz outcomes: " + NetlinkFuzz.Describe(counts));
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
}

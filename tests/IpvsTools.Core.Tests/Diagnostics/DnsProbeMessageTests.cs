using IpvsTools.Testing;
using Xunit;
using IpvsTools.Diagnostics;

namespace IpvsTools.Tests.Diagnostics;

public class DnsProbeMessageTests
{
    [Fact]
    public void TheQueryIsOneQuestionForAnARecord()
    {
        Assert.Equal("1234 0100 0001 0000 0000 0000 0161 0274 7300 0001 0001".Replace(" ", ""),
            Convert.ToHexString(DnsProbeMessage.Query(0x1234, "a.ts")).ToLowerInvariant());
    }

    [Fact]
    public void AnAnswerIsRecognisedByIdAndTheResponseBit()
    {
        var query = DnsProbeMessage.Query(0xBEEF);
        var answer = MiniDns.Answer(query, System.Net.IPAddress.Parse("10.244.1.10"), null)!; // the lab pods' DNS server
        Assert.True(DnsProbeMessage.IsAnswerTo(answer, 0xBEEF));
        Assert.Equal(0, DnsProbeMessage.ResponseCode(answer));
        Assert.False(DnsProbeMessage.IsAnswerTo(answer, 0xBEEE));
        Assert.False(DnsProbeMessage.IsAnswerTo(query, 0xBEEF)); // a query is not an answer
        Assert.False(DnsProbeMessage.IsAnswerTo(answer.AsSpan(0, 11), 0xBEEF));
    }
}

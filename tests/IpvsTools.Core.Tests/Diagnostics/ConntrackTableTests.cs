using System.Net;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.Diagnostics;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Diagnostics;

public class ConntrackTableTests
{
    // /proc/net/nf_conntrack lines as kernel 6.1 prints them (IPv6 in full groups).
    private const string Sample = """
        ipv4     2 udp      17 27 src=10.96.0.10 dst=10.96.0.10 sport=41234 dport=53 src=10.244.1.11 dst=10.96.0.10 sport=53 dport=41234 mark=0 zone=0 use=2
        ipv4     2 tcp      6 431999 ESTABLISHED src=172.18.0.3 dst=10.96.100.20 sport=50000 dport=80 src=10.244.1.10 dst=172.18.0.3 sport=8080 dport=50000 [ASSURED] mark=0 zone=0 use=2
        ipv4     2 udp      17 12 src=10.96.0.10 dst=10.96.0.10 sport=40000 dport=53 [UNREPLIED] src=10.96.0.10 dst=10.96.0.10 sport=53 dport=40000 mark=0 zone=0 use=2
        ipv6     10 udp      17 29 src=fd00:0000:0000:0000:0000:0000:0000:0001 dst=fd00:0096:0000:0000:0000:0000:0000:000a sport=5353 dport=53 src=fd00:0244:0000:0000:0000:0000:0000:000b dst=fd00:0000:0000:0000:0000:0000:0000:0001 sport=53 dport=5353 mark=0 zone=0 use=2
        garbage line
        """;

    [Fact]
    public void ReadsBothDirectionsOfEachEntry()
    {
        var entries = ConntrackTable.Parse(Sample);
        Assert.Equal(4, entries.Count);
        var udp = entries[0];
        Assert.Equal(("UDP", "10.96.0.10", (ushort)53, "10.244.1.11", (ushort)53, 27u),
            (udp.Protocol, udp.Destination.ToString(), udp.DestinationPort, udp.ReplySource.ToString(), udp.ReplySourcePort, udp.TimeoutSeconds));
        Assert.Equal(("TCP", (ushort)8080), (entries[1].Protocol, entries[1].ReplySourcePort));
        Assert.Equal(IPAddress.Parse("10.96.0.10"), entries[2].ReplySource); // unreplied, not NATed
        Assert.Equal(IPAddress.Parse("fd00:244::b"), entries[3].ReplySource);
        Assert.Equal("UDP 10.96.0.10:41234 -> 10.96.0.10:53 replies from 10.244.1.11:53 (27 s left)", udp.ToString());
    }

    [Fact]
    public void AnEmptyTableHasNoEntries() => Assert.Empty(ConntrackTable.Parse(""));

    [Fact]
    [Trait("Tier", "Host")]
    public void ANamespaceTableIsReadInsideIt()
    {
        using var node = new TestNamespace();
        node.Exec("iptables", "-w", "-A", "OUTPUT", "-m", "conntrack", "--ctstate", "NEW", "-j", "ACCEPT"); // a conntrack match turns tracking on in the namespace
        Lab.SendUdp(node, "127.0.0.1", 9);
        var entries = ConntrackTable.Read(IpvsTools.Namespaces.NetworkNamespace.Resolve(node.Name));
        Assert.NotNull(entries);
        Assert.Contains(entries, e => e.Protocol == "UDP" && e.DestinationPort == 9 && e.Destination.Equals(IPAddress.Loopback));
        Assert.Contains("dport=9 ", node.Exec("cat", "/proc/net/nf_conntrack"));
    }
}

using System.Net;
using System.Net.Sockets;
using Xunit;
using IpvsTools.Ipsets;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Tests.Kube;

/// <summary>kube-proxy's sets: names, member strings as kube-proxy writes them, and the join with IPVS virtual servers.</summary>
public class KubeIpsetTests
{
    /// <summary>The `ipset list` example of REFERENCE.md (a kind cluster's node), verbatim.</summary>
    private const string ReferenceExample = """
        Name: KUBE-CLUSTER-IP
        Type: hash:ip,port
        Revision: 5
        Header: family inet hashsize 1024 maxelem 65536
        Size in memory: 448
        References: 2
        Number of entries: 4
        Members:
        10.96.0.1,tcp:443
        10.96.0.10,tcp:53
        10.96.0.10,udp:53
        10.96.0.10,tcp:9153
        """;

    [Fact]
    public void TheReferenceExampleParsesToExactlyItsMembers()
    {
        var lines = ReferenceExample.Split('\n');
        var name = lines.Single(l => l.StartsWith("Name: "))["Name: ".Length..];
        Assert.Equal("hash:ip,port", KubeIpsetDefinition.Find(name)!.Value.Definition.Type);
        Assert.Equal(lines.Single(l => l.StartsWith("Type: "))["Type: ".Length..], KubeIpsetDefinition.Find(name)!.Value.Definition.Type);
        var memberLines = lines.SkipWhile(l => l != "Members:").Skip(1).ToList();
        Assert.Equal(int.Parse(lines.Single(l => l.StartsWith("Number of entries: "))["Number of entries: ".Length..]), memberLines.Count);

        var members = memberLines.Select(l => KubeIpsetMember.Parse(name, l)).ToList();
        Assert.Equal(
            [("10.96.0.1", "tcp", (ushort)443), ("10.96.0.10", "tcp", (ushort)53), ("10.96.0.10", "udp", (ushort)53), ("10.96.0.10", "tcp", (ushort)9153)],
            members.Select(m => (m.Address!.ToString(), m.Protocol!, m.Port!.Value)));
        Assert.All(members, m => Assert.Null(m.Address2));
        Assert.All(members, m => Assert.Null(m.Network));
        // The string form is exactly kube-proxy's, which is exactly the listed line.
        Assert.Equal(memberLines, members.Select(m => m.ToString()));
    }

    [Fact]
    public void IPv6NamesAreCutAt31CharactersAsKubeProxyCutsThem()
    {
        var byName = KubeIpsetDefinition.All.ToDictionary(s => s.Name, s => s.Ipv6Name);
        Assert.Equal("KUBE-6-CLUSTER-IP", byName["KUBE-CLUSTER-IP"]);
        Assert.Equal("KUBE-6-LOAD-BALANCER-SOURCE-CID", byName["KUBE-LOAD-BALANCER-SOURCE-CIDR"]);
        Assert.Equal("KUBE-6-LOAD-BALANCER-SOURCE-IP", byName["KUBE-LOAD-BALANCER-SOURCE-IP"]);
        Assert.Equal("KUBE-6-NODE-PORT-LOCAL-SCTP-HAS", byName["KUBE-NODE-PORT-LOCAL-SCTP-HASH"]);
        Assert.Equal("KUBE-6-HEALTH-CHECK-NODE-PORT", byName["KUBE-HEALTH-CHECK-NODE-PORT"]);
        Assert.All(KubeIpsetDefinition.Names, n => Assert.InRange(n.Length, 1, 31));
        Assert.Equal(17, KubeIpsetDefinition.All.Count);
        Assert.Equal(34, KubeIpsetDefinition.Names.Distinct().Count());
        Assert.All(KubeIpsetDefinition.All, s => Assert.False(string.IsNullOrWhiteSpace(s.Description)));
        Assert.Equal((KubeIpsetDefinition.All.Single(s => s.Name == "KUBE-LOAD-BALANCER-SOURCE-CIDR"), true), KubeIpsetDefinition.Find("KUBE-6-LOAD-BALANCER-SOURCE-CID"));
        Assert.Null(KubeIpsetDefinition.Find("KUBE-SOMETHING-ELSE"));
    }

    public static TheoryData<string, string, string?, string?, ushort?, string?, string?> KubeProxyStrings => new()
    {
        // set, member as kube-proxy writes it, address, protocol, port, address2, network
        { "KUBE-CLUSTER-IP", "10.96.0.10,udp:53", "10.96.0.10", "udp", 53, null, null },
        { "KUBE-6-CLUSTER-IP", "fd00:10:96::a,tcp:53", "fd00:10:96::a", "tcp", 53, null, null },
        { "KUBE-LOOP-BACK", "10.244.0.5,tcp:53,10.244.0.5", "10.244.0.5", "tcp", 53, "10.244.0.5", null },
        { "KUBE-LOAD-BALANCER-SOURCE-IP", "203.0.113.10,tcp:80,203.0.113.10", "203.0.113.10", "tcp", 80, "203.0.113.10", null },
        { "KUBE-LOAD-BALANCER-SOURCE-CIDR", "203.0.113.10,tcp:80,192.168.0.0/16", "203.0.113.10", "tcp", 80, null, "192.168.0.0/16" },
        { "KUBE-LOAD-BALANCER-SOURCE-CIDR", "203.0.113.10,tcp:80,10.1.2.3/32", "203.0.113.10", "tcp", 80, null, "10.1.2.3/32" },
        { "KUBE-6-LOAD-BALANCER-SOURCE-CID", "2001:db8::10,tcp:443,2001:db8:1::/48", "2001:db8::10", "tcp", 443, null, "2001:db8:1::/48" },
        { "KUBE-NODE-PORT-SCTP-HASH", "192.168.1.10,sctp:30999", "192.168.1.10", "sctp", 30999, null, null },
        { "KUBE-NODE-PORT-TCP", "30080", null, null, 30080, null, null },
        { "KUBE-6-NODE-PORT-UDP", "31053", null, null, 31053, null, null },
        { "KUBE-IPVS-IPS", "10.96.0.10", "10.96.0.10", null, null, null, null },
    };

    [Theory]
    [MemberData(nameof(KubeProxyStrings))]
    public void MembersPrintAsKubeProxyWritesThem(string set, string text, string? address, string? protocol, ushort? port, string? address2, string? network)
    {
        var member = KubeIpsetMember.Parse(set, text);
        Assert.Equal(text, member.ToString());
        Assert.Equal(address, member.Address?.ToString());
        Assert.Equal(protocol, member.Protocol);
        Assert.Equal(port, member.Port);
        Assert.Equal(address2, member.Address2?.ToString());
        Assert.Equal(network, member.Network);
    }

    [Fact]
    public void NotKubeProxysSetsAndMembersAreRefused()
    {
        Assert.Throws<IpsetSyntaxException>(() => KubeIpsetMember.Parse("MY-SET", "10.0.0.1"));
        Assert.Throws<IpsetSyntaxException>(() => KubeIpsetMember.Parse("KUBE-CLUSTER-IP", "fd00::1,tcp:53"));
        Assert.Throws<IpsetSyntaxException>(() => KubeIpsetMember.Parse("KUBE-CLUSTER-IP", "10.0.0.0/30,tcp:53"));
    }

    [Fact]
    public void EachMemberFindsTheVirtualServersItBelongsTo()
    {
        var sets = new[]
        {
            Set("KUBE-CLUSTER-IP", "hash:ip,port", "inet", ("10.96.0.10", "tcp", 53, null, null), ("10.96.0.99", "tcp", 80, null, null)),
            Set("KUBE-LOOP-BACK", "hash:ip,port,ip", "inet", ("10.244.1.5", "tcp", 53, "10.244.1.5", null)),
            Set("KUBE-LOAD-BALANCER-SOURCE-CIDR", "hash:ip,port,net", "inet", ("203.0.113.10", "tcp", 80, "192.168.0.0", 16)),
            Set("KUBE-NODE-PORT-TCP", "bitmap:port", null, (null, null, 30080, null, null)),
            Set("KUBE-HEALTH-CHECK-NODE-PORT", "bitmap:port", null, (null, null, 31000, null, null)),
            Set("KUBE-IPVS-IPS", "hash:ip", "inet", ("10.96.0.10", null, null, null, null)),
            Set("KUBE-6-CLUSTER-IP", "hash:ip,port", "inet6", ("fd00::a", "tcp", 53, null, null)),
            Set("NOT-KUBE", "hash:ip", "inet", ("1.1.1.1", null, null, null, null)),
        };
        IpvsService[] services =
        [
            Service(IpvsProtocol.Tcp, "10.96.0.10", 53, ("10.244.1.5", 53), ("10.244.2.7", 53)),
            Service(IpvsProtocol.Udp, "10.96.0.10", 53, ("10.244.1.5", 53)),
            Service(IpvsProtocol.Tcp, "10.96.0.10", 9153),
            Service(IpvsProtocol.Tcp, "203.0.113.10", 80),
            Service(IpvsProtocol.Tcp, "192.168.1.10", 30080),
            Service(IpvsProtocol.Tcp, "10.0.2.15", 30080),
            Service(IpvsProtocol.Udp, "192.168.1.10", 30080),
            Service(IpvsProtocol.Tcp, "fd00::a", 53),
        ];
        var kube = KubeIpsetReader.Read(sets, services, KubeIpvsLookup.Read).ToDictionary(s => s.Name);
        Assert.DoesNotContain("NOT-KUBE", kube.Keys);
        Assert.Equal(7, kube.Count);

        var clusterIp = kube["KUBE-CLUSTER-IP"].Members;
        Assert.Equal("TCP 10.96.0.10:53", clusterIp[0].VirtualServer!.ToString());
        Assert.Null(clusterIp[1].VirtualServer);
        Assert.Empty(clusterIp[1].VirtualServers);
        // The endpoint's Services: TCP and... only TCP, the protocol of the member.
        Assert.Equal(["TCP 10.96.0.10:53"], kube["KUBE-LOOP-BACK"].Members[0].VirtualServers.Select(s => s.ToString()));
        Assert.Equal("TCP 203.0.113.10:80", kube["KUBE-LOAD-BALANCER-SOURCE-CIDR"].Members[0].VirtualServer!.ToString());
        // A NodePort is a virtual server per node address, TCP only, none on kube-ipvs0.
        var nodePort = kube["KUBE-NODE-PORT-TCP"].Members[0];
        Assert.Equal(["TCP 192.168.1.10:30080", "TCP 10.0.2.15:30080"], nodePort.VirtualServers.Select(s => s.ToString()));
        Assert.Null(nodePort.VirtualServer);
        Assert.Empty(kube["KUBE-HEALTH-CHECK-NODE-PORT"].Members[0].VirtualServers);
        Assert.Equal(["TCP 10.96.0.10:53", "UDP 10.96.0.10:53", "TCP 10.96.0.10:9153"], kube["KUBE-IPVS-IPS"].Members[0].VirtualServers.Select(s => s.ToString()));
        Assert.Equal("TCP [fd00::a]:53", kube["KUBE-6-CLUSTER-IP"].Members[0].VirtualServer!.ToString());
        Assert.True(kube["KUBE-6-CLUSTER-IP"].IsIpv6);
        Assert.All(kube.Values, s => Assert.Equal(KubeIpvsLookup.Read, s.IpvsLookup));

        // Without an IPVS table the members are there, without virtual servers.
        var without = KubeIpsetReader.Read(sets, null, KubeIpvsLookup.NoIpvsTable);
        Assert.All(without, s => Assert.Equal(KubeIpvsLookup.NoIpvsTable, s.IpvsLookup));
        Assert.All(without.SelectMany(s => s.Members), m => Assert.Empty(m.VirtualServers));
        Assert.Equal("203.0.113.10,tcp:80,192.168.0.0/16", without.Single(s => s.Name == "KUBE-LOAD-BALANCER-SOURCE-CIDR").Members[0].ToString());
    }

    private static IpvsTools.Ipsets.Ipset Set(string name, string type, string? family, params (string? Address, string? Protocol, int? Port, string? Address2, int? Cidr2)[] members)
        => new(name, type, 1, family, null, null, null, null, null, null, false, false, false, false, type == "bitmap:port" ? "0-65535" : null, 1, 0, (uint)members.Length,
            members.Select(m => new IpsetMember(name, type, m.Address is null ? null : IPAddress.Parse(m.Address), null, m.Protocol, (ushort?)m.Port,
                m.Address2 is null ? null : IPAddress.Parse(m.Address2), (byte?)m.Cidr2)).ToList());

    private static IpvsService Service(IpvsProtocol protocol, string address, ushort port, params (string Address, ushort Port)[] destinations)
    {
        var key = IpvsServiceKey.ForAddress(protocol, IPAddress.Parse(address), port);
        var zero = new IpvsStatistics(0, 0, 0, 0, 0);
        var rates = new IpvsRates(0, 0, 0, 0, 0);
        var dests = destinations.Select(d => new IpvsDestination(key, key.AddressFamily, IPAddress.Parse(d.Address), d.Port, IpvsForwardingMethod.Masquerade,
            1, 0, 0, 0, 0, 0, null, null, null, zero, rates)).ToList();
        return new IpvsService(key, "rr", 0, 0, key.AddressFamily == AddressFamily.InterNetwork ? "255.255.255.255" : "128", null, dests, zero, rates);
    }
}

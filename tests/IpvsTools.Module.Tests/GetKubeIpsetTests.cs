using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>A node's kube-proxy sets (and one that is not kube-proxy's), as `ipset restore` reads them.</summary>
internal static class KubeNode
{
    public const string Sets = """
        create KUBE-CLUSTER-IP hash:ip,port family inet hashsize 1024 maxelem 65536
        add KUBE-CLUSTER-IP 10.96.0.1,tcp:443
        add KUBE-CLUSTER-IP 10.96.0.10,tcp:53
        add KUBE-CLUSTER-IP 10.96.0.10,udp:53
        add KUBE-CLUSTER-IP 10.96.0.99,tcp:80
        create KUBE-LOOP-BACK hash:ip,port,ip family inet hashsize 1024 maxelem 65536
        add KUBE-LOOP-BACK 10.244.1.5,tcp:53,10.244.1.5
        create KUBE-LOAD-BALANCER-SOURCE-CIDR hash:ip,port,net family inet hashsize 1024 maxelem 65536
        add KUBE-LOAD-BALANCER-SOURCE-CIDR 203.0.113.10,tcp:80,192.168.0.0/16
        add KUBE-LOAD-BALANCER-SOURCE-CIDR 203.0.113.10,tcp:80,10.1.2.3/32
        create KUBE-NODE-PORT-TCP bitmap:port range 0-65535
        add KUBE-NODE-PORT-TCP 30080
        create KUBE-HEALTH-CHECK-NODE-PORT bitmap:port range 0-65535
        create KUBE-IPVS-IPS hash:ip family inet hashsize 1024 maxelem 65536
        add KUBE-IPVS-IPS 10.96.0.10
        add KUBE-IPVS-IPS 203.0.113.10
        create KUBE-6-CLUSTER-IP hash:ip,port family inet6 hashsize 1024 maxelem 65536
        add KUBE-6-CLUSTER-IP fd00:10:96::a,tcp:53
        create MY-OWN-SET hash:ip family inet hashsize 1024 maxelem 65536
        add MY-OWN-SET 10.96.0.10

        """;

    /// <summary>The IPVS services of that node: two ClusterIP services, an LB service and a NodePort on two node addresses.</summary>
    public const string Services = """
        -A -t 10.96.0.10:53 -s rr
        -a -t 10.96.0.10:53 -r 10.244.1.5:53 -m -w 1
        -a -t 10.96.0.10:53 -r 10.244.2.7:53 -m -w 1
        -A -u 10.96.0.10:53 -s rr
        -a -u 10.96.0.10:53 -r 10.244.1.5:53 -m -w 1
        -A -t 10.96.0.1:443 -s rr
        -a -t 10.96.0.1:443 -r 172.18.0.2:6443 -m -w 1
        -A -t 203.0.113.10:80 -s rr
        -A -t 192.168.1.10:30080 -s rr
        -A -t 10.0.2.15:30080 -s rr
        -A -t [fd00:10:96::a]:53 -s rr

        """;
}

/// <summary>Get-KubeIpset on the host kernel, which has no IPVS: the sets and members are there, the lookup says there is no table.</summary>
[Trait("Tier", "Host")]
public class GetKubeIpsetHostTests(PowerShellSession session)
{
    [Fact]
    public void KubeProxysSetsWithTheirPurposeAndNoIpvsTable()
    {
        if (Directory.Exists("/sys/module/ip_vs"))
            throw new InvalidOperationException("This host-tier test needs a kernel without IPVS (the host's); ip_vs is loaded here. GetKubeIpsetLabTests covers the kernel with IPVS.");
        using var ns = IpsetWriteCmdletHostTests.Prepare(KubeNode.Sets);
        var sets = session.Ok("Get-KubeIpset -NetworkNamespace $ns", IpsetWriteCmdletHostTests.Vars(ns));
        Assert.Equal(["KUBE-CLUSTER-IP", "KUBE-LOOP-BACK", "KUBE-LOAD-BALANCER-SOURCE-CIDR", "KUBE-NODE-PORT-TCP", "KUBE-HEALTH-CHECK-NODE-PORT", "KUBE-IPVS-IPS", "KUBE-6-CLUSTER-IP"],
            sets.Select(s => (string)s.Properties["Name"].Value));
        Assert.All(sets, s =>
        {
            Assert.Equal("IpvsTools.KubeProxy.IpvsMode.KubeIpset", s.TypeNames[0]);
            Assert.Equal("NoIpvsTable", s.Properties["IpvsLookup"].Value.ToString());
            Assert.False(string.IsNullOrWhiteSpace((string)s.Properties["Description"].Value));
        });
        Assert.Contains("hairpin", (string)sets[1].Properties["Description"].Value);
    }

    [Fact]
    public void MembersAreKubeProxysStringsOfWhatTheKernelHolds()
    {
        using var ns = IpsetWriteCmdletHostTests.Prepare(KubeNode.Sets);
        var vars = IpsetWriteCmdletHostTests.Vars(ns);
        var members = session.Ok("(Get-KubeIpset -NetworkNamespace $ns).Members | ForEach-Object { \"$($_.SetName) $_\" }", vars).Select(o => (string)o.BaseObject).ToList();
        // Every member `ipset save` shows, as kube-proxy writes it: the same text, except that kube-proxy writes a /32 source network with its prefix.
        var expected = ns.Exec("ipset", "save").Split('\n').Where(l => l.StartsWith("add KUBE-")).Select(l => l[4..])
            .Select(l => l == "KUBE-LOAD-BALANCER-SOURCE-CIDR 203.0.113.10,tcp:80,10.1.2.3" ? l + "/32" : l);
        Assert.Equal(expected.Order(), members.Order());

        var member = session.Ok("(Get-KubeIpset KUBE-LOAD-BALANCER-SOURCE-CIDR -NetworkNamespace $ns).Members | Where-Object Network -eq '192.168.0.0/16'", vars).Single();
        Assert.Equal("IpvsTools.KubeProxy.IpvsMode.KubeIpsetMember", member.TypeNames[0]);
        Assert.Equal("203.0.113.10", member.Properties["Address"].Value.ToString());
        Assert.Equal("tcp", member.Properties["Protocol"].Value);
        Assert.Equal((ushort)80, member.Properties["Port"].Value);
        Assert.Null(member.Properties["VirtualServer"].Value);
        var loop = session.Ok("(Get-KubeIpset KUBE-LOOP-BACK -NetworkNamespace $ns).Members[0].Address2.ToString()", vars).Single();
        Assert.Equal("10.244.1.5", loop.BaseObject);
    }

    [Fact]
    public void NamesSelectAndMissesAreNamed()
    {
        using var ns = IpsetWriteCmdletHostTests.Prepare(KubeNode.Sets);
        var vars = IpsetWriteCmdletHostTests.Vars(ns);
        Assert.Equal(["KUBE-CLUSTER-IP", "KUBE-6-CLUSTER-IP"], session.Ok("(Get-KubeIpset '*cluster-ip' -NetworkNamespace $ns).Name", vars).Select(o => (string)o.BaseObject));
        Assert.Empty(session.Ok("Get-KubeIpset 'KUBE-EXTERNAL*' -NetworkNamespace $ns", vars));

        var result = session.Run("Get-KubeIpset KUBE-EXTERNAL-IP, MY-OWN-SET, KUBE-IPVS-IPS -NetworkNamespace $ns", vars);
        Assert.Equal("KUBE-IPVS-IPS", Assert.Single(result.Output).Properties["Name"].Value);
        var errors = result.AllErrors.ToList();
        Assert.Equal(2, errors.Count);
        Assert.Equal("GetKubeIpsetNotKubeProxySet,IpvsTools.Commands.GetKubeIpsetCommand", errors[0].FullyQualifiedErrorId);
        Assert.Equal("MY-OWN-SET", errors[0].TargetObject);
        Assert.Equal("GetKubeIpsetNotFound,IpvsTools.Commands.GetKubeIpsetCommand", errors[1].FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, errors[1].CategoryInfo.Category);
        Assert.Equal("KUBE-EXTERNAL-IP", errors[1].TargetObject);
    }

    [Fact]
    public void OutputSurvivesASerializationRoundTrip()
    {
        using var ns = IpsetWriteCmdletHostTests.Prepare(KubeNode.Sets);
        var differences = session.Ok("""
            foreach ($set in Get-KubeIpset -NetworkNamespace $ns) {
                $copy = [System.Management.Automation.PSSerializer]::Deserialize([System.Management.Automation.PSSerializer]::Serialize($set, 3))
                if ($copy.PSObject.TypeNames[0] -ne 'Deserialized.IpvsTools.KubeProxy.IpvsMode.KubeIpset') { "type name $($copy.PSObject.TypeNames[0])" }
                foreach ($p in $set.PSObject.Properties) {
                    if ($p.Name -eq 'Members' -or $p.Value -is [enum]) { continue }
                    if ("$($p.Value)" -ne "$($copy.($p.Name))") { "$($set.Name).$($p.Name): '$($p.Value)' became '$($copy.($p.Name))'" }
                }
                # Enums travel as numbers and convert back.
                if ([IpvsTools.KubeProxy.IpvsMode.KubeIpvsLookup]$copy.IpvsLookup -ne $set.IpvsLookup) { "IpvsLookup $($copy.IpvsLookup)" }
                if ([IpvsTools.KubeProxy.IpvsMode.KubeIpsetMemberKind]$copy.MemberKind -ne $set.MemberKind) { "MemberKind $($copy.MemberKind)" }
                $i = 0
                foreach ($m in $set.Members) {
                    $c = @($copy.Members)[$i++]
                    if ($c.PSObject.TypeNames[0] -ne 'Deserialized.IpvsTools.KubeProxy.IpvsMode.KubeIpsetMember') { "member type name $($c.PSObject.TypeNames[0])" }
                    foreach ($p in $m.PSObject.Properties) {
                        if ($p.Name -in 'VirtualServers') { continue }
                        if ("$($p.Value)" -ne "$($c.($p.Name))") { "$($set.Name) member $m.$($p.Name): '$($p.Value)' became '$($c.($p.Name))'" }
                    }
                    if ("$m" -ne "$c") { "member $m printed as $c" }
                }
            }
            """, IpsetWriteCmdletHostTests.Vars(ns));
        Assert.Empty(differences.Select(d => d.ToString()));
    }
}

/// <summary>Get-KubeIpset in the lab kernel, where IPVS exists: each member's virtual server, cross-checked with ipvsadm.</summary>
[Trait("Tier", "Lab")]
public class GetKubeIpsetLabTests
{
    private readonly PowerShellSession _session;

    public GetKubeIpsetLabTests(PowerShellSession session)
    {
        Lab.RequireIpvs();
        _session = session;
    }

    [Fact]
    public void EachMemberIsJoinedToItsVirtualServer()
    {
        using var ns = IpsetWriteCmdletHostTests.Prepare(KubeNode.Sets);
        Lab.IpvsadmRestore(ns, KubeNode.Services);
        var vars = IpsetWriteCmdletHostTests.Vars(ns);
        var joined = _session.Ok("""
            foreach ($set in Get-KubeIpset -NetworkNamespace $ns) {
                if ("$($set.IpvsLookup)" -ne 'Read') { throw "lookup $($set.IpvsLookup)" }
                foreach ($m in $set.Members) { "$($set.Name) $m => " + ((@($m.VirtualServers) | ForEach-Object { "$_" }) -join ', ') }
            }
            """, vars).Select(o => (string)o.BaseObject).ToList();
        var byMember = joined.ToDictionary(j => j[..j.IndexOf(" => ", StringComparison.Ordinal)], j => j[(j.IndexOf(" => ", StringComparison.Ordinal) + 4)..]);
        Assert.Equal("TCP 10.96.0.1:443", byMember["KUBE-CLUSTER-IP 10.96.0.1,tcp:443"]);
        Assert.Equal("TCP 10.96.0.10:53", byMember["KUBE-CLUSTER-IP 10.96.0.10,tcp:53"]);
        Assert.Equal("UDP 10.96.0.10:53", byMember["KUBE-CLUSTER-IP 10.96.0.10,udp:53"]);
        Assert.Equal("", byMember["KUBE-CLUSTER-IP 10.96.0.99,tcp:80"]);
        Assert.Equal("TCP 10.96.0.10:53", byMember["KUBE-LOOP-BACK 10.244.1.5,tcp:53,10.244.1.5"]);
        Assert.Equal("TCP 203.0.113.10:80", byMember["KUBE-LOAD-BALANCER-SOURCE-CIDR 203.0.113.10,tcp:80,192.168.0.0/16"]);
        Assert.Equal("TCP 203.0.113.10:80", byMember["KUBE-LOAD-BALANCER-SOURCE-CIDR 203.0.113.10,tcp:80,10.1.2.3/32"]);
        Assert.Equal(["TCP 10.0.2.15:30080", "TCP 192.168.1.10:30080"], byMember["KUBE-NODE-PORT-TCP 30080"].Split(", ").Order());
        Assert.Equal(["TCP 10.96.0.10:53", "UDP 10.96.0.10:53"], byMember["KUBE-IPVS-IPS 10.96.0.10"].Split(", ").Order());
        Assert.Equal("TCP [fd00:10:96::a]:53", byMember["KUBE-6-CLUSTER-IP fd00:10:96::a,tcp:53"]);

        // Cross-check with ipvsadm: a ClusterIP member has a virtual server exactly when ipvsadm lists that service.
        foreach (var (member, server) in byMember.Where(b => b.Key.StartsWith("KUBE-CLUSTER-IP ")))
        {
            var text = member["KUBE-CLUSTER-IP ".Length..];
            var (address, protocol, port) = (text.Split(',')[0], text.Split(',')[1].Split(':')[0], text.Split(':')[1]);
            var listed = ns.TryExec("ipvsadm", "-Ln", protocol == "tcp" ? "-t" : "-u", $"{address}:{port}").ExitCode == 0;
            Assert.Equal(listed, server.Length > 0);
        }
        // The joined service is the full object, with the real servers ipvsadm shows.
        var destinations = _session.Ok("((Get-KubeIpset KUBE-CLUSTER-IP -NetworkNamespace $ns).Members | Where-Object { \"$_\" -eq '10.96.0.10,tcp:53' }).VirtualServer.Destinations | ForEach-Object { \"$_\" }", vars)
            .Select(o => (string)o.BaseObject);
        Assert.Equal(["10.244.1.5:53", "10.244.2.7:53"], destinations.Order());
    }
}

using System.Collections;
using System.Management.Automation;
using IpvsTools.Testing;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// The same cluster on two nodes in two modes compares equal by value, with the intended differences named: kube-proxy's
/// own nftables-mode ruleset for TestOverallNFTablesRules (tests/Shared/Fixtures/KubeProxy/nftables-overall.nft) in one
/// namespace, and a node synced by Sync-KubeIpvs in IPVS mode from the same Services and EndpointSlices
/// (cluster-overall.json, written from that test's data) in another, both read with Get-KubeProxyService and compared
/// line by line as Compare-Object would.
/// </summary>
[Trait("Tier", "Lab")]
public sealed class KubeProxyEquivalenceLabTests : IDisposable
{
    private readonly PowerShellSession _session;
    private readonly TestNamespace _ipvs = new();
    private readonly TestNamespace _nftables = new();

    public KubeProxyEquivalenceLabTests(PowerShellSession session)
    {
        Lab.RequireIpvs();
        _session = session;
        // test-node: node IP 192.168.0.2 (the fixture's), a secondary address 192.168.5.2.
        _ipvs.Exec("ip", "link", "add", "eth0", "type", "dummy");
        _ipvs.Exec("ip", "addr", "add", "192.168.0.2/24", "dev", "eth0");
        _ipvs.Exec("ip", "addr", "add", "192.168.5.2/24", "dev", "eth0");
        _ipvs.Exec("ip", "link", "set", "eth0", "up");
    }

    public void Dispose()
    {
        _ipvs.Dispose();
        _nftables.Dispose();
    }

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "KubeProxy", name);

    /// <summary>
    /// Each front end as one comparable line: protocol, address (a NodePort's is 0.0.0.0 in every mode: IPVS mode's
    /// per-address virtual servers are folded into it, the addresses named apart), port, endpoints, affinity. Kind and
    /// the Service name are left out: nftables rules do not tell an external IP from a load-balancer IP, and the IPVS
    /// table names no Service.
    /// </summary>
    private const string Normalize = """
        function Get-FrontEndLine {
            param([Parameter(ValueFromPipeline)] $s)
            process {
                $address = if ("$($s.Kind)" -eq 'NodePort') { '0.0.0.0' } else { "$($s.Address)" }
                [string[]] $each = @(@($s.Endpoints) | ForEach-Object { "$($_.Address):$($_.Port)" })
                [System.Array]::Sort($each, [System.StringComparer]::Ordinal)
                $endpoints = $each -join ','
                "$("$($s.Protocol)".ToUpperInvariant()) ${address}:$($s.Port) [$endpoints] $($s.Affinity)"
            }
        }
        """;

    private HashSet<string> FrontEndLines(string ns) =>
        _session.Ok(Normalize + "\nGet-KubeProxyService -NetworkNamespace $ns | Get-FrontEndLine", new Hashtable { ["ns"] = ns })
            .Select(o => o.ToString()).ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void AnIpvsModeNodeAndAnNftablesModeNodeOfOneClusterCompareEqualButForTheNamedDifferences()
    {
        var vars = new Hashtable { ["path"] = Fixture("cluster-overall.json"), ["ipvs"] = _ipvs.Name, ["nft"] = _nftables.Name };
        _nftables.Exec("nft", "-f", Fixture("nftables-overall.nft"));
        _session.Ok("Sync-KubeIpvs -Path $path -NodeName test-node -NetworkNamespace $ipvs -Confirm:$false", vars);

        // IPVS mode answers NodePorts on every node address; nftables mode (nodePortAddresses unset: primary) on 192.168.0.2 only.
        var nodePortAddresses = _session.Ok("Get-KubeProxyService -NetworkNamespace $ipvs | Where-Object Kind -eq NodePort | ForEach-Object { \"$($_.Address)\" }", vars)
            .Select(o => o.ToString()).Distinct().ToList();
        Assert.Contains("192.168.0.2", nodePortAddresses);
        Assert.Contains("192.168.5.2", nodePortAddresses); // the intended difference "NodePorts on secondary addresses"
        Assert.All(nodePortAddresses, a => Assert.Contains(a, new[] { "192.168.0.2", "192.168.5.2", "127.0.0.1" })); // 127.0.0.1: "localhost NodePorts"

        // Compare-Object's view of the two sets of lines, in C#: "<=" for a line of the IPVS-mode node only, "=>" for a line
        // of the nftables-mode node only (the in-process runspace has no Compare-Object; the pwsh tier runs real pwsh).
        var ipvsLines = FrontEndLines(_ipvs.Name);
        var nftLines = FrontEndLines(_nftables.Name);
        Assert.True(ipvsLines.Count > 0 && nftLines.Count > 0, "a node read back no front ends");
        var differences = ipvsLines.Except(nftLines).Select(l => "<= " + l).Concat(nftLines.Except(ipvsLines).Select(l => "=> " + l))
            .Order(StringComparer.Ordinal).ToList();

        // The one other difference is intended too: svc2 (externalTrafficPolicy Local, no endpoint on this node). nftables
        // mode drops its external traffic; IPVS mode falls back to every endpoint (pkg/proxy/ipvs, Local policy with no
        // local endpoint). Every other front end is equal by value.
        var svc2External = new[] { "TCP 0.0.0.0:3001", "TCP 1.2.3.4:80", "TCP 192.168.99.22:80" };
        var unexplained = differences.Where(d => !svc2External.Any(f => d.Substring(3).StartsWith(f + " ", StringComparison.Ordinal))).ToList();
        Assert.True(unexplained.Count == 0, "front ends that differ between the modes:\n" + string.Join("\n", differences));
        // Where svc2's front ends differ, it is that: IPVS mode with its one (remote) endpoint, nftables mode with none.
        Assert.All(differences, d => Assert.Contains(d.StartsWith("<=", StringComparison.Ordinal) ? "[10.180.0.2:80]" : "[]", d));
    }
}

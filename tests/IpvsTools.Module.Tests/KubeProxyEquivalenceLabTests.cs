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
/// with Compare-Object.
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
                $endpoints = (@($s.Endpoints) | ForEach-Object { "$($_.Address):$($_.Port)" } | Sort-Object) -join ','
                "$("$($s.Protocol)".ToUpperInvariant()) ${address}:$($s.Port) [$endpoints] $($s.Affinity)"
            }
        }
        """;

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

        // Compare-Object is one of pwsh's utility cmdlets, which the in-process runspace lacks: the comparison runs in real pwsh.
        var script = Normalize + $$"""

            Import-Module '{{_session.ModuleManifest}}' -ErrorAction Stop
            $ipvsLines = Get-KubeProxyService -NetworkNamespace '{{_ipvs.Name}}' | Get-FrontEndLine | Sort-Object -Unique
            $nftLines = Get-KubeProxyService -NetworkNamespace '{{_nftables.Name}}' | Get-FrontEndLine | Sort-Object -Unique
            if (-not $ipvsLines -or -not $nftLines) { throw 'a node read back no front ends' }
            Compare-Object $ipvsLines $nftLines | ForEach-Object { "$($_.SideIndicator) $($_.InputObject)" }
            """;
        var home = Directory.CreateTempSubdirectory("ipvstools-pwsh-home-").FullName;
        var run = Tool.TryRun("env", "HOME=" + home, "DOTNET_CLI_HOME=" + home, "XDG_CACHE_HOME=" + home, "XDG_DATA_HOME=" + home, "XDG_CONFIG_HOME=" + home,
            "NO_COLOR=1", "POWERSHELL_TELEMETRY_OPTOUT=1", "/opt/ipvstools/pwsh/pwsh", "-NoLogo", "-NoProfile", "-NonInteractive", "-Command", script);
        Directory.Delete(home, recursive: true);
        Assert.True(run.ExitCode == 0, $"pwsh exited {run.ExitCode}: {run.Error}");
        var differences = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToList();

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

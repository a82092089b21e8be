using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.Iptables;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Iptables;

/// <summary>
/// kube-proxy's KUBE-IPVS-OUT-FILTER rule (`-s LBIP -m ipvs --vaddr LBIP --vproto tcp --vport 80 -j DROP`)
/// needs xt_ipvs, which only the lab kernel has: written as kube-proxy writes it, read back by the module
/// exactly as iptables-save prints it, on both backends.
/// </summary>
[Trait("Tier", "Lab")]
public class IptablesIpvsMatchLabTests
{
    public IptablesIpvsMatchLabTests()
    {
        Lab.RequireIpvs();
        // The legacy tools load ip_tables with the host's modprobe, which does not know the lab kernel's modules.
        if (!File.Exists("/proc/net/ip_tables_names")) LoadLabModules("ip_tables", "iptable_filter");
    }

    public static TheoryData<IptablesBackend> Backends => new() { IptablesBackend.NfTables, IptablesBackend.Legacy };

    [Theory]
    [MemberData(nameof(Backends))]
    public void TheIpvsDropRuleReadsAsIptablesSavePrintsIt(IptablesBackend backend)
    {
        using var ns = new TestNamespace();
        var tool = backend == IptablesBackend.Legacy ? "iptables-legacy" : "iptables-nft";
        var path = Path.GetTempFileName();
        // Line for line what proxier.go writeIptablesRules() writes for a LoadBalancer IP the node must not reach.
        File.WriteAllText(path, """
            *filter
            :KUBE-IPVS-OUT-FILTER - [0:0]
            -A KUBE-IPVS-OUT-FILTER -s 203.0.113.10 -m ipvs --vaddr 203.0.113.10 --vproto tcp --vport 80 -j DROP
            -A KUBE-IPVS-OUT-FILTER ! -s 203.0.113.11 -m ipvs ! --vaddr 203.0.113.11/32 --vproto udp ! --vport 53 --vdir ORIGINAL -j DROP
            COMMIT

            """);
        try { ns.Exec(tool + "-restore", "-w", "--noflush", path); } finally { File.Delete(path); }
        var saved = ns.Exec(tool + "-save").Split('\n').Where(l => l.StartsWith("-A ")).ToList();
        TestContext.Current.SendDiagnosticMessage($"{tool}-save printed:\n" + string.Join('\n', saved));

        var set = IptablesClient.Open(IptablesFamily.IPv4, backend, NetworkNamespace.Resolve(ns.Name)).Read();
        var rules = set.RulesOf("filter", "KUBE-IPVS-OUT-FILTER").ToList();
        Assert.Equal(saved, rules.Select(r => r.ToString()));
        Assert.Empty(set.Warnings);

        var drop = rules[0];
        Assert.Equal("203.0.113.10/32", drop.Source);
        Assert.Equal("DROP", drop.Target);
        var ipvs = Assert.Single(drop.Matches);
        Assert.Equal("ipvs", ipvs.Module);
        // iptables-save prints a /32 --vaddr without its mask, and the options in its own order.
        Assert.Equal("-m ipvs --vproto 6 --vaddr 203.0.113.10 --vport 80", ipvs.ToString());
        Assert.Equal("203.0.113.10", ipvs.Option("--vaddr")!.Value);
        Assert.False(ipvs.Option("--vaddr")!.IsNegated);
        Assert.Equal("80", ipvs.Option("--vport")!.Value);
        // xt_ipvs keeps the protocol as a number; iptables-save prints it so.
        Assert.Equal("6", ipvs.Option("--vproto")!.Value);

        var negated = rules[1].Matches[0];
        Assert.True(negated.Option("--vaddr")!.IsNegated);
        Assert.True(negated.Option("--vport")!.IsNegated);
        Assert.Equal("17", negated.Option("--vproto")!.Value);
        Assert.Equal("ORIGINAL", negated.Option("--vdir")!.Value);
        Assert.Equal("!203.0.113.11/32", rules[1].Source);
    }

    /// <summary>Loads modules of the lab kernel (unpacked under the lab cache, see tests/lab/README.md).</summary>
    private static void LoadLabModules(params string[] names)
    {
        var kernel = Environment.GetEnvironmentVariable("IPVSTOOLS_LAB_KERNEL") ?? throw new InvalidOperationException("IPVSTOOLS_LAB_KERNEL is not set: not in the lab?");
        var cache = Environment.GetEnvironmentVariable("IPVSTOOLS_LAB_CACHE") ?? "/var/cache/ipvstools-lab";
        var modules = Path.Combine(cache, "kernel-" + kernel);
        if (!Directory.Exists(modules))
            throw new InvalidOperationException($"The lab kernel's modules are not at {modules}: pass the cache with `lab.sh run --env IPVSTOOLS_LAB_CACHE`.");
        Tool.Run(["modprobe", "-a", "-d", modules, "-S", kernel, .. names]);
    }
}

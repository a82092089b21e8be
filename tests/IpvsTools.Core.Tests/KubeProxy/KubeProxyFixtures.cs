using System.Globalization;
using IpvsTools.KubeProxy;
using IpvsTools.Testing;
using IpvsTools.Iptables;

namespace IpvsTools.Tests.KubeProxy;

/// <summary>kube-proxy's expected rulesets (tests/Shared/Fixtures/KubeProxy), loaded into throwaway namespaces.</summary>
internal static class KubeProxyFixtures
{
    public static string PathOf(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "KubeProxy", name);

    /// <summary>Loads an nftables fixture with `nft -f`.</summary>
    public static void LoadNftables(TestNamespace ns, string name) => ns.Exec("nft", "-f", PathOf(name));

    /// <summary>Loads an iptables fixture with iptables-restore of the backend ("nft" or "legacy").</summary>
    public static void LoadIptables(TestNamespace ns, string name, IptablesBackend backend)
        => ns.Exec(backend == IptablesBackend.Legacy ? "iptables-legacy-restore" : "iptables-nft-restore", PathOf(name));

    /// <summary>
    /// One line per front end, every property but Mode and NetworkNamespace, sorted: what the assertions compare, so
    /// that a difference shows as a line.
    /// </summary>
    public static string[] Describe(IEnumerable<KubeProxyService> services, bool withKind = true)
        => services.Select(s => Describe(s, withKind)).Order(StringComparer.Ordinal).ToArray();

    public static string Describe(KubeProxyService s, bool withKind = true)
    {
        var endpoints = string.Join(", ", s.Endpoints.Select(e => e + (e.Probability is { } p ? " p=" + p.ToString("0.######", CultureInfo.InvariantCulture) : "")
            + (e.Weight is { } w ? " w=" + w : "")));
        return $"{s.FrontEnd}{(withKind ? " " + s.Kind : "")} {s.Service}:{s.PortName} [{endpoints}] affinity={(s.Affinity is { } a ? a.TotalSeconds.ToString(CultureInfo.InvariantCulture) : "none")}";
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Sockets;

namespace IpvsTools.KubeProxy.Migration;

/// <summary>
/// What nftables mode needs of the node: a kernel of 5.13 or later and nft 1.0.1 or later (kubernetes
/// pkg/util/kernel/constants.go, NFTablesKubeProxyKernelVersion; the website's reference/node/kernel-version-requirements
/// page: "requires version 1.0.1 or later of the nft command-line tool, as well as kernel 5.13 or later";
/// nftables.skipKernelVersionCheck allows down to 5.4, for testing only), nft printing JSON (kube-proxy's knftables
/// reads state back with `nft --json`), and the nf_tables expressions its rules use (the rulesets of
/// pkg/proxy/nftables/proxier_test.go: fib, ct, numgen, dnat, masquerade, reject).
/// </summary>
internal static class KernelChecks
{
    /// <summary>(module, Kconfig symbol, what kube-proxy's rules use it for, IPv6 only).</summary>
    internal static readonly (string Module, string Config, string Use, bool IPv6)[] Modules =
    [
        ("nf_tables", "CONFIG_NF_TABLES", "tables, chains, sets, maps and verdict maps", false),
        ("nft_ct", "CONFIG_NFT_CT", "`ct state new` in its masquerade, firewall and reject rules", false),
        ("nft_fib", "CONFIG_NFT_FIB", "`fib daddr type local` (NodePorts on the node's addresses)", false),
        ("nft_fib_ipv4", "CONFIG_NFT_FIB_IPV4", "`fib daddr type local` in table ip kube-proxy", false),
        ("nft_fib_ipv6", "CONFIG_NFT_FIB_IPV6", "`fib daddr type local` in table ip6 kube-proxy", true),
        ("nft_numgen", "CONFIG_NFT_NUMGEN", "`numgen random mod N` (picking an endpoint)", false),
        ("nft_nat", "CONFIG_NFT_NAT", "`dnat to` the endpoint", false),
        ("nft_chain_nat", "CONFIG_NFT_NAT", "the nat-prerouting, nat-output and nat-postrouting base chains", false),
        ("nft_masq", "CONFIG_NFT_MASQ", "`masquerade` of marked traffic", false),
        ("nft_reject", "CONFIG_NFT_REJECT", "`reject` (Services without endpoints, other ports of a ClusterIP)", false),
        ("nft_reject_ipv4", "CONFIG_NFT_REJECT_IPV4", "`reject` in table ip kube-proxy", false),
        ("nft_reject_ipv6", "CONFIG_NFT_REJECT_IPV6", "`reject` in table ip6 kube-proxy", true),
    ];

    public static IEnumerable<MigrationFinding> Evaluate(MigrationContext c)
    {
        yield return KernelVersion(c);
        foreach (var f in KernelModules(c)) yield return f;
        yield return NftVersion(c);
        yield return NftJson(c);
    }

    private static MigrationFinding KernelVersion(MigrationContext c)
    {
        var release = c.Facts.KernelRelease;
        if (release is null || !TryParseVersion(release, out var version))
            return c.Finding("KernelVersion", MigrationStatus.Warning, release ?? "unknown", "The kernel's release could not be read from /proc/sys/kernel/osrelease.", "Check `uname -r`: nftables mode needs 5.13 or later.");
        if (version >= new Version(5, 13))
            return c.Finding("KernelVersion", MigrationStatus.Pass, release, $"Kernel {release} is 5.13 or later, as nftables mode requires.", "");
        return c.Finding("KernelVersion", MigrationStatus.Blocker, release,
            $"Kernel {release} is older than 5.13, which kube-proxy's nftables mode requires (it refuses to start).",
            "Upgrade the node's kernel to 5.13 or later, or move to iptables mode (-TargetMode Iptables). kube-proxy's nftables.skipKernelVersionCheck allows down to 5.4 for testing only.");
    }

    private static IEnumerable<MigrationFinding> KernelModules(MigrationContext c)
    {
        var modules = c.Facts.Modules;
        if (modules is null || modules.Sources.Count == 0)
        {
            yield return c.Finding("KernelModule", MigrationStatus.Warning, "nf_tables",
                "None of /proc/modules, /lib/modules/RELEASE/modules.builtin or modules.dep, /proc/config.gz could be read: the nf_tables modules were not checked.",
                "Check with `lsmod; grep -E 'nft_(fib|nat|ct|numgen|masq|reject)' /lib/modules/$(uname -r)/modules.*`.");
            yield break;
        }
        var ipv6 = c.Facts.VirtualServers.Any(s => s.AddressFamily == AddressFamily.InterNetworkV6);
        var sources = string.Join(", ", modules.Sources);
        var present = new List<(string Module, string How)>();
        foreach (var (module, config, use, v6) in Modules)
        {
            if (v6 && !ipv6) continue;
            var (state, source) = modules.Find(module, config);
            if (state != KernelModuleState.Missing)
            {
                present.Add((module, $"{Describe(state)} ({source})"));
                continue;
            }
            yield return c.Finding("KernelModule", MigrationStatus.Blocker, module,
                $"{module} (for {use}) is not loaded, built in or installed as a module (looked at {sources}).",
                $"Install the kernel's modules package (Debian: linux-modules for {c.Facts.KernelRelease}) or a kernel with {config}=y|m; then `modprobe {module}`.");
        }
        if (present.Count > 0)
            yield return c.Finding("KernelModule", MigrationStatus.Pass, $"{present.Count} modules",
                "The kernel has what nftables mode's rules use: " + string.Join("; ", present.GroupBy(p => p.How).Select(g => g.Key + ": " + string.Join(", ", g.Select(p => p.Module)))) + ".", "");
    }

    private static string Describe(KernelModuleState state) => state switch
    {
        KernelModuleState.Loaded => "loaded",
        KernelModuleState.BuiltIn => "built in",
        _ => "loadable",
    };

    private static MigrationFinding NftVersion(MigrationContext c)
    {
        var text = c.Facts.NftVersion;
        if (text is null)
            return c.Finding("NftVersion", MigrationStatus.Blocker, "nft", $"nft could not be run: {c.Facts.NftProblem ?? "unknown reason"}.",
                "Install nftables 1.0.1 or later where kube-proxy runs (Debian and Ubuntu: apt-get install nftables; kube-proxy's image brings its own nft).");
        if (!Version.TryParse(text, out var version))
            return c.Finding("NftVersion", MigrationStatus.Warning, "nft " + text, $"nft's version '{text}' could not be read as a version.", "Check `nft --version`: nftables mode needs 1.0.1 or later.");
        if (version >= new Version(1, 0, 1))
            return c.Finding("NftVersion", MigrationStatus.Pass, "nft " + text, $"nft {text} is 1.0.1 or later, as nftables mode requires.", "");
        return c.Finding("NftVersion", MigrationStatus.Blocker, "nft " + text, $"nft {text} is older than 1.0.1, which nftables mode requires.",
            "Upgrade nftables to 1.0.1 or later (kube-proxy runs the nft of its own image: check that one too).");
    }

    private static MigrationFinding NftJson(MigrationContext c)
    {
        return c.Facts.NftJson switch
        {
            true => c.Finding("NftJson", MigrationStatus.Pass, "nft -j", "`nft -j list tables` printed JSON.", ""),
            false => c.Finding("NftJson", MigrationStatus.Blocker, "nft -j", $"`nft -j list tables` did not print JSON: {c.Facts.NftJsonProblem}.",
                "Install an nft built with JSON support (Debian's nftables package is)."),
            null => c.Finding("NftJson", MigrationStatus.Warning, "nft -j", "nft's JSON output was not checked: nft could not be run.", "Install nftables, then run this again."),
        };
    }

    /// <summary>"5.10.0-28-amd64" -> 5.10.</summary>
    internal static bool TryParseVersion(string release, out Version version)
    {
        version = new Version(0, 0);
        var parts = release.Split('.', 3);
        if (parts.Length < 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var major)) return false;
        var end = 0;
        while (end < parts[1].Length && char.IsAsciiDigit(parts[1][end])) end++;
        if (end == 0 || !int.TryParse(parts[1].AsSpan(0, end), NumberStyles.None, CultureInfo.InvariantCulture, out var minor)) return false;
        version = new Version(major, minor);
        return true;
    }

    /// <summary>"nftables v1.0.6 (Lester Gooch #5)" -> "1.0.6"; null when the text holds no version.</summary>
    internal static string? ParseNftVersion(string text)
    {
        foreach (var word in text.Split(new[] { ' ', '\n', '\t' }, StringSplitOptions.RemoveEmptyEntries))
        {
            if (word.Length > 1 && word[0] == 'v' && char.IsAsciiDigit(word[1])) return word.Substring(1);
        }
        return null;
    }
}

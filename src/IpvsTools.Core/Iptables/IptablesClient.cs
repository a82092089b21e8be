using System;
using System.Collections.Generic;
using IpvsTools.Netlink;
using IpvsTools.Processes;
using IpvsTools.Namespaces;

namespace IpvsTools.Iptables;

/// <summary>
/// Reads and changes iptables rules through the iptables tools, as kube-proxy does (the binaries are
/// the interface): iptables-save -c to read, iptables-restore -w --noflush to write, iptables -w -C /
/// -I / -D for single rules. Always argument lists; in another network namespace through nsenter.
/// With no backend given, the tools on PATH are used (whichever the system's alternatives select) and
/// the backend is read from <c>iptables --version</c>; with one, iptables-nft* or iptables-legacy*.
/// </summary>
public sealed class IptablesClient
{
    private readonly string _prefix;

    private IptablesClient(IptablesFamily family, IptablesBackend backend, string prefix, string? version, NetworkNamespace? ns)
    {
        Family = family;
        Backend = backend;
        _prefix = prefix;
        ToolVersion = version;
        Namespace = ns;
    }

    public IptablesFamily Family { get; }

    /// <summary>The backend the tools drive: the one asked for, or the one `iptables --version` reports.</summary>
    public IptablesBackend Backend { get; }

    /// <summary>The tools' version ("1.8.9"), from --version.</summary>
    public string? ToolVersion { get; }

    public NetworkNamespace? Namespace { get; }

    /// <summary>How long one tool may run before it is stopped.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <param name="backend">Null: the system's default tools. NfTables or Legacy: that backend's tools.</param>
    public static IptablesClient Open(IptablesFamily family = IptablesFamily.IPv4, IptablesBackend? backend = null, NetworkNamespace? ns = null)
    {
        var basename = family == IptablesFamily.IPv6 ? "ip6tables" : "iptables";
        var prefix = backend switch
        {
            null or IptablesBackend.Unknown => basename,
            IptablesBackend.NfTables => basename + "-nft",
            IptablesBackend.Legacy => basename + "-legacy",
            _ => throw new ArgumentOutOfRangeException(nameof(backend)),
        };
        // The version does not depend on the namespace: no nsenter needed. Asked once per tool file and process.
        var identity = IptablesToolVersions.Identify(prefix);
        var output = IptablesToolVersions.Lookup(prefix, identity);
        if (output is null)
        {
            ProcessResult result;
            try
            {
                result = ChildProcess.Run(prefix, new[] { "--version" });
            }
            catch (IpvsToolsException ex) when (ex.Kind == FailureKind.NotFound)
            {
                throw new IptablesToolMissingException(prefix, ex);
            }
            if (result.ExitCode != 0) throw IptablesToolException.From(prefix, result.ExitCode, result.StandardError + result.StandardOutput, $"Asking {prefix} for its version");
            output = result.StandardOutput;
            IptablesToolVersions.Remember(prefix, identity, output);
        }
        var (version, detected) = ParseVersion(output);
        return new IptablesClient(family, backend is null or IptablesBackend.Unknown ? detected : backend.Value, prefix, version, ns);
    }

    /// <summary>Reads "iptables v1.8.9 (nf_tables)": the version and the backend (legacy when no backend is named).</summary>
    public static (string? Version, IptablesBackend Backend) ParseVersion(string text)
    {
        var line = text.Trim();
        var v = line.IndexOf(" v", StringComparison.Ordinal);
        if (v < 0) return (null, IptablesBackend.Unknown);
        var rest = line.Substring(v + 2);
        var space = rest.IndexOf(' ');
        var version = space < 0 ? rest : rest.Substring(0, space);
        var backend = rest.Contains("(nf_tables)", StringComparison.Ordinal) ? IptablesBackend.NfTables : IptablesBackend.Legacy;
        return (version, backend);
    }

    /// <summary>
    /// Every table, chain and rule, with counters (iptables-save -c). All tables are read and never
    /// named with -t: naming a table makes the legacy backend create it, a side effect of reading.
    /// </summary>
    public IptablesRuleset Read()
    {
        var tool = _prefix + "-save";
        var result = Run(tool, new[] { "-c" }, null, "Reading the rules");
        return IptablesSaveParser.Parse(result.StandardOutput, Family, Backend, Namespace?.DisplayName, result.StandardError);
    }

    /// <summary>
    /// Feeds <paramref name="restoreText"/> to iptables-restore -w --noflush (chains it does not
    /// declare, and other tables, stay as they are). The tool applies each table atomically: a refused
    /// line leaves that table unchanged.
    /// </summary>
    /// <param name="counters">Restore the [packets:bytes] counters the text carries (--counters).</param>
    public void Restore(string restoreText, bool counters = false)
    {
        ArgumentNullException.ThrowIfNull(restoreText);
        // -w takes an optional number of seconds and swallows a following word that is not an option: keep an option after it.
        var arguments = new List<string> { "-w", "--noflush" };
        if (counters) arguments.Add("--counters");
        Run(_prefix + "-restore", arguments, restoreText, "Writing rules with iptables-restore");
    }

    /// <summary>True when a rule with exactly these words exists in the chain (iptables -C).</summary>
    public bool Exists(string table, string chain, IReadOnlyList<string> ruleArguments)
    {
        var result = RunUnchecked(_prefix, Command("-C", table, chain, null, ruleArguments), null);
        if (result.ExitCode == 0) return true;
        // iptables -C exits 1 when no such rule exists (also when the chain itself is missing: legacy and nft word
        // it differently); a missing match or target extension, or a bad argument, exits 2.
        if (result.ExitCode == 1) return false;
        throw IptablesToolException.From(_prefix, result.ExitCode, result.StandardError, $"Checking for a rule in {table}/{chain}{Where()}");
    }

    /// <summary>
    /// kube-proxy's EnsureRule: when the rule is missing, inserts it first in the chain (iptables -w -I)
    /// or appends it; returns true when it was added, false when it was already there.
    /// </summary>
    public bool EnsureRule(string table, string chain, IReadOnlyList<string> ruleArguments, bool prepend = true)
    {
        IptablesNames.CheckTable(table);
        IptablesNames.CheckChain(chain);
        if (Exists(table, chain, ruleArguments)) return false;
        Run(_prefix, Command(prepend ? "-I" : "-A", table, chain, null, ruleArguments), null, $"Adding a rule to {table}/{chain}");
        return true;
    }

    /// <summary>Deletes the first rule with exactly these words; returns false when there is none.</summary>
    public bool DeleteRule(string table, string chain, IReadOnlyList<string> ruleArguments)
    {
        IptablesNames.CheckTable(table);
        IptablesNames.CheckChain(chain);
        if (!Exists(table, chain, ruleArguments)) return false;
        Run(_prefix, Command("-D", table, chain, null, ruleArguments), null, $"Deleting a rule from {table}/{chain}");
        return true;
    }

    private static List<string> Command(string verb, string table, string chain, int? position, IReadOnlyList<string> ruleArguments)
    {
        var arguments = new List<string> { "-w", "-t", table, verb, chain };
        if (position is { } p) arguments.Add(p.ToString(System.Globalization.CultureInfo.InvariantCulture));
        arguments.AddRange(ruleArguments);
        return arguments;
    }

    private ProcessResult Run(string tool, IReadOnlyList<string> arguments, string? input, string context)
    {
        var result = RunUnchecked(tool, arguments, input);
        if (result.ExitCode != 0) throw IptablesToolException.From(tool, result.ExitCode, result.StandardError, context + Where());
        return result;
    }

    private ProcessResult RunUnchecked(string tool, IReadOnlyList<string> arguments, string? input)
        => ChildProcess.Run(tool, arguments, Namespace, input, Timeout);

    private string Where() => Namespace is null ? "" : $" in network namespace '{Namespace.DisplayName}'";
}

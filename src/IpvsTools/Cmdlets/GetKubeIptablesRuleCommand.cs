using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using IpvsTools.Iptables;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>
/// Get-KubeIptablesRule: kube-proxy's iptables rules (by default those in KUBE-* chains, jumping to
/// them, or matching KUBE-* ipsets), read with iptables-save / ip6tables-save and taken apart.
/// </summary>
[Cmdlet(VerbsCommon.Get, "KubeIptablesRule")]
[OutputType(typeof(IptablesRule))]
public sealed class GetKubeIptablesRuleCommand : IpvsToolsCmdlet
{
    private readonly Dictionary<(IptablesFamily, IptablesBackend?, string?), IptablesRuleset> _read = new();

    /// <summary>Chains whose rules to get; wildcards allowed. Omitted: kube-proxy's rules.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(IptablesChainCompleter))]
    public string[]? Chain { get; set; }

    /// <summary>Tables to read rules from. Omitted: every table.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateSet("filter", "nat", "mangle", "raw", "security")]
    public string[]? Table { get; set; }

    /// <summary>Only rules that match against these ipsets; wildcards allowed. Binds the Name of piped Get-Ipset objects.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(IpsetNameCompleter))]
    public string[]? SetName { get; set; }

    /// <summary>IPv4 (iptables), IPv6 (ip6tables) or both; also takes an ipset's family (inet, inet6).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [IptablesFamilyTransformation]
    [ValidateNotNullOrEmpty]
    public IptablesFamily[] Family { get; set; } = { IptablesFamily.IPv4 };

    /// <summary>The backend's tools to use: NfTables (iptables-nft) or Legacy (iptables-legacy). Omitted: the system's default iptables.</summary>
    [Parameter]
    [ValidateSet("NfTables", "Legacy")]
    public IptablesBackend? Backend { get; set; }

    /// <summary>Every rule of the selected tables and chains, not only kube-proxy's.</summary>
    [Parameter]
    public SwitchParameter All { get; set; }

    protected override void ProcessRecord()
    {
        var ns = ResolveNetworkNamespace();
        var chains = Chain?.Select(c => new WildcardPattern(c, WildcardOptions.IgnoreCase)).ToList();
        var sets = SetName?.Select(s => new WildcardPattern(s, WildcardOptions.IgnoreCase)).ToList();
        var found = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var read = new List<string>();
        foreach (var family in Family.Distinct())
        {
            IptablesRuleset ruleset;
            try
            {
                ruleset = Read(family, ns);
            }
            catch (IpvsToolsException ex)
            {
                var record = ex is IptablesToolMissingException
                    ? new ErrorRecord(ex, ErrorIdPrefix + "ToolNotFound", ErrorCategory.NotInstalled, family)
                    : ErrorFor(ex, family);
                if (IsFatal(ex) || ex is IptablesToolMissingException) ThrowTerminatingError(record);
                WriteError(record);
                continue;
            }
            foreach (var rule in ruleset.Rules)
            {
                if (Table is not null && !Table.Contains(rule.Table, StringComparer.Ordinal)) continue;
                if (chains is not null ? !chains.Any(p => p.IsMatch(rule.Chain)) : !All && !IsKubeProxys(rule)) continue;
                if (sets is not null && !rule.ReferencedSets.Any(s => sets.Any(p => p.IsMatch(s.Name)))) continue;
                WriteObject(rule);
            }
            if (Chain is not null)
            {
                foreach (var name in Chain.Where(c => !WildcardPattern.ContainsWildcardCharacters(c)))
                {
                    if (ruleset.Chains.Any(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase) && (Table is null || Table.Contains(c.Table))))
                        found.Add(name);
                }
                read.Add($"{family} ({ruleset.Backend} backend)");
            }
        }
        // A chain named exactly is missing only when none of the families read has it: on an IPv4-only node,
        // `-Family IPv4, IPv6` finds KUBE-SERVICES in IPv4 alone, which is what it should find.
        if (Chain is not null && read.Count > 0)
        {
            foreach (var name in Chain.Where(c => !WildcardPattern.ContainsWildcardCharacters(c)).Distinct(StringComparer.OrdinalIgnoreCase))
            {
                if (found.Contains(name)) continue;
                var tables = Table is null ? "any table" : "table " + string.Join(" or ", Table);
                WriteError(new ErrorRecord(new ItemNotFoundException($"No chain named '{name}' exists in {tables}{Where(ns)} for {string.Join(" or ", read)}."),
                    ErrorIdPrefix + "ChainNotFound", ErrorCategory.ObjectNotFound, name));
            }
        }
    }

    /// <summary>A rule of a KUBE-* chain, a jump into one, or a match against a KUBE-* set.</summary>
    internal static bool IsKubeProxys(IptablesRule rule)
        => rule.Chain.StartsWith("KUBE-", StringComparison.Ordinal)
           || (rule.Target?.StartsWith("KUBE-", StringComparison.Ordinal) ?? false)
           || rule.ReferencedSets.Any(s => s.Name.StartsWith("KUBE-", StringComparison.Ordinal));

    private IptablesRuleset Read(IptablesFamily family, IpvsTools.Namespaces.NetworkNamespace? ns)
    {
        var key = (family, Backend, ns?.Path);
        if (_read.TryGetValue(key, out var cached)) return cached;
        var ruleset = IptablesClient.Open(family, Backend, ns).Read();
        _read[key] = ruleset;
        foreach (var warning in ruleset.Warnings) WriteWarning($"{family} ({ruleset.Backend}): {warning}");
        if (ruleset.LegacyTablesPresent)
            WriteWarning("Rules exist in the legacy backend too and are not shown; read them with -Backend Legacy. kube-proxy keeps its rules in one backend only: rules in the other one are left over or written by another program.");
        return ruleset;
    }
}

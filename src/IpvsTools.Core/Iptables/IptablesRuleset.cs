using System;
using System.Collections.Generic;
using IpvsTools.Namespaces;

namespace IpvsTools.Iptables;

/// <summary>Everything one iptables-save (or ip6tables-save) run printed, taken apart.</summary>
public sealed class IptablesRuleset
{
    public IptablesRuleset(IptablesFamily family, IptablesBackend backend, string? toolVersion, IReadOnlyList<string> tables,
        IReadOnlyList<IptablesChain> chains, IReadOnlyList<IptablesRule> rules, IReadOnlyList<string>? warnings, string? networkNamespace = null)
    {
        Family = family;
        Backend = backend;
        ToolVersion = toolVersion;
        Tables = tables;
        Chains = chains;
        Rules = rules;
        Warnings = warnings ?? Array.Empty<string>();
        NetworkNamespace = networkNamespace;
    }

    public IptablesFamily Family { get; }
    public IptablesBackend Backend { get; }

    /// <summary>The tool's version, for example "1.8.9", from its header or --version.</summary>
    public string? ToolVersion { get; }

    /// <summary>The tables in the order printed.</summary>
    public IReadOnlyList<string> Tables { get; }

    public IReadOnlyList<IptablesChain> Chains { get; }

    /// <summary>Every rule, table by table, chain by chain, in kernel order within a chain.</summary>
    public IReadOnlyList<IptablesRule> Rules { get; }

    /// <summary>
    /// Warnings the tool printed, such as iptables-nft's "iptables-legacy tables present": rules of the
    /// other backend exist too, and only one of the two sets is the one kube-proxy keeps.
    /// </summary>
    public IReadOnlyList<string> Warnings { get; }

    /// <summary>True when iptables-nft warned that legacy tables exist as well.</summary>
    public bool LegacyTablesPresent
    {
        get
        {
            foreach (var warning in Warnings)
            {
                if (warning.Contains("iptables-legacy tables present", StringComparison.Ordinal)) return true;
            }
            return false;
        }
    }

    public string? NetworkNamespace { get; }

    /// <summary>The chain of that table and name, or null.</summary>
    public IptablesChain? FindChain(string table, string name)
    {
        foreach (var chain in Chains)
        {
            if (chain.Table == table && chain.Name == name) return chain;
        }
        return null;
    }

    /// <summary>The rules of one chain, in order.</summary>
    public IEnumerable<IptablesRule> RulesOf(string table, string chain)
    {
        foreach (var rule in Rules)
        {
            if (rule.Table == table && rule.Chain == chain) yield return rule;
        }
    }

    /// <summary>The rules that match against the ipset <paramref name="setName"/>.</summary>
    public IEnumerable<IptablesRule> RulesReferencingSet(string setName)
    {
        foreach (var rule in Rules)
        {
            foreach (var set in rule.ReferencedSets)
            {
                if (set.Name == setName)
                {
                    yield return rule;
                    break;
                }
            }
        }
    }
}

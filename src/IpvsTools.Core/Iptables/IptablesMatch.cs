using System;
using System.Collections.Generic;
using System.Text;

namespace IpvsTools.Iptables;

/// <summary>A match module with its options: <c>-m set --match-set KUBE-CLUSTER-IP dst,dst</c>.</summary>
public sealed class IptablesMatch
{
    public IptablesMatch(string module, IReadOnlyList<IptablesOption>? options)
    {
        if (string.IsNullOrEmpty(module)) throw new ArgumentException("A match needs a module name.", nameof(module));
        Module = module;
        Options = options ?? Array.Empty<IptablesOption>();
    }

    /// <summary>The module, for example "set", "comment", "addrtype", "mark", "ipvs", "conntrack".</summary>
    public string Module { get; }

    public IReadOnlyList<IptablesOption> Options { get; }

    /// <summary>The option of that name, or null.</summary>
    public IptablesOption? Option(string name)
    {
        foreach (var option in Options)
        {
            if (option.Name == name) return option;
        }
        return null;
    }

    /// <summary>As iptables-save prints it: <c>-m MODULE OPTIONS</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder("-m ").Append(IptablesText.QuoteArgument(Module));
        foreach (var option in Options) option.Append(text);
        return text.ToString();
    }
}

/// <summary>
/// A reference from a rule to an ipset (<c>-m set [!] --match-set NAME FLAGS</c>): which set, which
/// packet fields it is matched against (for example "dst,dst": destination address and port), and
/// whether the match is negated.
/// </summary>
public sealed class IptablesSetReference
{
    public IptablesSetReference(string name, string flags, bool isNegated)
    {
        Name = name;
        Flags = flags;
        IsNegated = isNegated;
    }

    public string Name { get; }

    /// <summary>The direction flags, one per set dimension: "dst", "src,dst", "dst,dst,src"...</summary>
    public string Flags { get; }

    public bool IsNegated { get; }

    /// <summary><c>KUBE-CLUSTER-IP dst,dst</c>, or <c>! KUBE-IPVS-IPS dst</c> when negated.</summary>
    public override string ToString() => (IsNegated ? "! " : "") + Name + (Flags.Length > 0 ? " " + Flags : "");
}

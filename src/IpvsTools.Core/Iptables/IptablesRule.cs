using System;
using System.Collections.Generic;
using System.Text;
using IpvsTools.Namespaces;

namespace IpvsTools.Iptables;

/// <summary>
/// One rule of an iptables chain as iptables-save prints it, taken apart: the criteria every rule
/// has (-s, -d, -i, -o, -p, -f), the match modules with their options, the target with its options,
/// the comment, the ipsets it refers to and its counters. <see cref="ToString"/> is the line
/// iptables-save prints (without counters): <c>-A KUBE-SERVICES -s 127.0.0.0/8 -j RETURN</c>.
/// </summary>
public sealed class IptablesRule
{
    /// <param name="source">-s, with a leading "!" when negated ("!10.0.0.0/8"); likewise the next four.</param>
    /// <param name="fragment">-f: true, "! -f": false, absent: null.</param>
    /// <param name="position">1 for the first rule of its chain.</param>
    public IptablesRule(IptablesFamily family, IptablesBackend backend, string table, string chain, int position,
        string? source, string? destination, string? inInterface, string? outInterface, string? protocol, bool? fragment,
        IReadOnlyList<IptablesMatch>? matches, string? target, bool isGoto, IReadOnlyList<IptablesOption>? targetOptions,
        ulong? packets, ulong? bytes, string? networkNamespace = null)
    {
        Family = family;
        Backend = backend;
        Table = table ?? throw new ArgumentNullException(nameof(table));
        Chain = chain ?? throw new ArgumentNullException(nameof(chain));
        Position = position;
        Source = source;
        Destination = destination;
        InInterface = inInterface;
        OutInterface = outInterface;
        Protocol = protocol;
        Fragment = fragment;
        Matches = matches ?? Array.Empty<IptablesMatch>();
        Target = target;
        IsGoto = isGoto;
        TargetOptions = targetOptions ?? Array.Empty<IptablesOption>();
        Packets = packets;
        Bytes = bytes;
        NetworkNamespace = networkNamespace;

        var sets = new List<IptablesSetReference>();
        string? comment = null;
        foreach (var match in Matches)
        {
            foreach (var option in match.Options)
            {
                if (match.Module == "comment" && option.Name == "--comment" && comment is null) comment = option.Value;
                if (match.Module == "set" && option.Name == "--match-set" && option.Value is { } name)
                    sets.Add(new IptablesSetReference(name, option.Values.Count > 1 ? option.Values[1] : "", option.IsNegated));
            }
        }
        Comment = comment;
        ReferencedSets = sets;
        Specification = Render();
    }

    public IptablesFamily Family { get; }

    /// <summary>The backend the rule was read through.</summary>
    public IptablesBackend Backend { get; }

    /// <summary>filter, nat, mangle, raw or security.</summary>
    public string Table { get; }

    public string Chain { get; }

    /// <summary>The rule's place in its chain, 1 for the first (what `iptables -I CHAIN N` and `-D CHAIN N` use).</summary>
    public int Position { get; }

    public string? Source { get; }
    public string? Destination { get; }
    public string? InInterface { get; }
    public string? OutInterface { get; }
    public string? Protocol { get; }
    public bool? Fragment { get; }

    /// <summary>The match modules in the order iptables-save prints them.</summary>
    public IReadOnlyList<IptablesMatch> Matches { get; }

    /// <summary>The -j target (a chain, or ACCEPT, DROP, RETURN, MARK, MASQUERADE...) or the -g chain; null when the rule only counts.</summary>
    public string? Target { get; }

    /// <summary>True for -g (goto: no return to this chain).</summary>
    public bool IsGoto { get; }

    public IReadOnlyList<IptablesOption> TargetOptions { get; }

    /// <summary>The text of the first comment match, unquoted.</summary>
    public string? Comment { get; }

    /// <summary>Every ipset the rule matches against, in order.</summary>
    public IReadOnlyList<IptablesSetReference> ReferencedSets { get; }

    /// <summary>Packets counted, when the rules were read with counters.</summary>
    public ulong? Packets { get; }

    /// <summary>Bytes counted, when the rules were read with counters.</summary>
    public ulong? Bytes { get; }

    public string? NetworkNamespace { get; }

    /// <summary>Everything after <c>-A CHAIN</c>, as iptables-save prints it.</summary>
    public string Specification { get; }

    /// <summary>The option of a match (first match with that module), or null.</summary>
    public IptablesOption? MatchOption(string module, string option)
    {
        foreach (var match in Matches)
        {
            if (match.Module == module && match.Option(option) is { } found) return found;
        }
        return null;
    }

    /// <summary>The line iptables-save prints for this rule, without counters.</summary>
    public override string ToString() => "-A " + Chain + (Specification.Length > 0 ? " " + Specification : "");

    private string Render()
    {
        var text = new StringBuilder();
        Criterion(text, "-s", Source);
        Criterion(text, "-d", Destination);
        Criterion(text, "-i", InInterface);
        Criterion(text, "-o", OutInterface);
        Criterion(text, "-p", Protocol);
        if (Fragment is { } fragment) Word(text, fragment ? "-f" : "! -f");
        foreach (var match in Matches) Word(text, match.ToString());
        if (Target is not null)
        {
            Word(text, (IsGoto ? "-g " : "-j ") + IptablesText.QuoteArgument(Target));
            foreach (var option in TargetOptions) option.Append(text);
        }
        return text.ToString();
    }

    private static void Criterion(StringBuilder text, string flag, string? value)
    {
        if (value is null) return;
        var negated = value.Length > 1 && value[0] == '!';
        Word(text, (negated ? "! " : "") + flag + " " + IptablesText.QuoteArgument(negated ? value.Substring(1) : value));
    }

    private static void Word(StringBuilder text, string word)
    {
        if (text.Length > 0) text.Append(' ');
        text.Append(word);
    }
}

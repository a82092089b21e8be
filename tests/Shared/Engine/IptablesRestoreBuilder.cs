using System;
using System.Collections.Generic;
using System.Text;

using IpvsTools.Iptables;

namespace IpvsTools.Testing;

/// <summary>
/// A test oracle (the engine writes kube-proxy's rules from its own model): builds the input of <c>iptables-restore --noflush</c>, table by table, as kube-proxy writes it:
/// declared chains (<c>:KUBE-SERVICES - [0:0]</c>; with --noflush a declared chain is created when
/// missing and emptied when present, undeclared chains are left alone), then rules (<c>-A</c>,
/// <c>-I</c>, <c>-D</c>), then COMMIT. Names and arguments are checked here, before any tool runs.
/// </summary>
internal sealed class IptablesRestoreBuilder
{
    private readonly List<TableText> _tables = new();

    /// <summary>Declares a chain: created when missing, flushed when present. A built-in chain takes a policy instead of "-".</summary>
    public IptablesRestoreBuilder DeclareChain(string table, string chain, string? policy = null)
    {
        IptablesNames.CheckChain(chain);
        if (policy is not null && policy is not ("ACCEPT" or "DROP"))
            throw new IpvsToolsException($"'{policy}' is not a chain policy (ACCEPT or DROP).", FailureKind.InvalidArgument);
        var t = Table(table);
        if (t.Declared.Contains(chain)) throw new IpvsToolsException($"Chain '{chain}' is declared twice in table '{table}'.", FailureKind.InvalidArgument);
        t.Declared.Add(chain);
        t.Chains.Append(':').Append(chain).Append(' ').Append(policy ?? "-").Append(" [0:0]\n");
        return this;
    }

    /// <summary>Appends a rule given as the words after <c>-A CHAIN</c>, unquoted (as on a command line).</summary>
    public IptablesRestoreBuilder AppendRule(string table, string chain, IReadOnlyList<string> arguments, ulong? packets = null, ulong? bytes = null)
        => Rule(table, "-A", chain, null, arguments, packets, bytes);

    /// <summary>Inserts a rule at <paramref name="position"/> (1 = first) of the chain.</summary>
    public IptablesRestoreBuilder InsertRule(string table, string chain, IReadOnlyList<string> arguments, int position = 1)
    {
        if (position < 1) throw new IpvsToolsException($"Rule position {position} is not valid: the first rule is 1.", FailureKind.InvalidArgument);
        return Rule(table, "-I", chain, position, arguments, null, null);
    }

    /// <summary>Deletes the first rule that matches the words exactly (iptables-restore fails when none does).</summary>
    public IptablesRestoreBuilder DeleteRule(string table, string chain, IReadOnlyList<string> arguments)
        => Rule(table, "-D", chain, null, arguments, null, null);

    /// <summary>Appends a parsed rule to its table and chain, with its counters when asked.</summary>
    public IptablesRestoreBuilder AppendRule(IptablesRule rule, bool withCounters = false)
    {
        ArgumentNullException.ThrowIfNull(rule);
        IptablesNames.CheckChain(rule.Chain);
        var t = Table(rule.Table);
        if (withCounters && rule.Packets is { } p) t.Rules.Append('[').Append(p).Append(':').Append(rule.Bytes ?? 0).Append("] ");
        t.Rules.Append(rule).Append('\n');
        return this;
    }

    /// <summary>True when nothing was added.</summary>
    public bool IsEmpty => _tables.Count == 0;

    /// <summary>The restore text: each table's chains, rules and COMMIT.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var t in _tables)
        {
            text.Append('*').Append(t.Name).Append('\n').Append(t.Chains).Append(t.Rules).Append("COMMIT\n");
        }
        return text.ToString();
    }

    /// <summary>
    /// Words as one restore line fragment: each quoted only where iptables-restore needs it, string
    /// values (after --comment, --log-prefix...) the way iptables-save prints them.
    /// </summary>
    public static string FormatArguments(IReadOnlyList<string> arguments)
    {
        var text = new StringBuilder();
        for (var i = 0; i < arguments.Count; i++)
        {
            var word = arguments[i] ?? throw new IpvsToolsException($"Rule argument {i + 1} is null.", FailureKind.InvalidArgument);
            if (word.IndexOfAny(new[] { '\n', '\r', '\0' }) >= 0)
                throw new IpvsToolsException($"Rule argument {i + 1} holds a line break or NUL, which iptables-restore cannot read.", FailureKind.InvalidArgument);
            if (text.Length > 0) text.Append(' ');
            text.Append(i > 0 && IptablesText.IsStringOption(arguments[i - 1]) ? IptablesText.QuoteString(word) : IptablesText.QuoteArgument(word));
        }
        return text.ToString();
    }

    private IptablesRestoreBuilder Rule(string table, string command, string chain, int? position, IReadOnlyList<string> arguments, ulong? packets, ulong? bytes)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        IptablesNames.CheckChain(chain);
        var words = FormatArguments(arguments);
        var t = Table(table);
        if (packets is not null || bytes is not null) t.Rules.Append('[').Append(packets ?? 0).Append(':').Append(bytes ?? 0).Append("] ");
        t.Rules.Append(command).Append(' ').Append(chain);
        if (position is { } n) t.Rules.Append(' ').Append(n);
        if (words.Length > 0) t.Rules.Append(' ').Append(words);
        t.Rules.Append('\n');
        return this;
    }

    private TableText Table(string name)
    {
        IptablesNames.CheckTable(name);
        foreach (var t in _tables)
        {
            if (t.Name == name) return t;
        }
        var table = new TableText(name);
        _tables.Add(table);
        return table;
    }

    private sealed class TableText(string name)
    {
        public string Name { get; } = name;
        public HashSet<string> Declared { get; } = new(StringComparer.Ordinal);
        public StringBuilder Chains { get; } = new();
        public StringBuilder Rules { get; } = new();
    }
}

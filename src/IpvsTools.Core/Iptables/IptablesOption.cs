using System;
using System.Collections.Generic;
using System.Text;

namespace IpvsTools.Iptables;

/// <summary>
/// One option of a match or target as iptables-save prints it: <c>! --mark 0x4000/0x4000</c> is the
/// option "--mark", negated, with one value.
/// </summary>
public sealed class IptablesOption
{
    public IptablesOption(string name, bool isNegated, IReadOnlyList<string>? values)
    {
        if (string.IsNullOrEmpty(name)) throw new ArgumentException("An option needs a name.", nameof(name));
        Name = name;
        IsNegated = isNegated;
        Values = values ?? Array.Empty<string>();
    }

    /// <summary>The option with its dashes, for example "--match-set".</summary>
    public string Name { get; }

    /// <summary>True when iptables-save printed "!" before it.</summary>
    public bool IsNegated { get; }

    /// <summary>The values after the option, unquoted (a comment's text without its quotes).</summary>
    public IReadOnlyList<string> Values { get; }

    /// <summary>The first value, or null for a flag such as --random-fully.</summary>
    public string? Value => Values.Count > 0 ? Values[0] : null;

    /// <summary>The option as iptables-save prints it, values quoted where it quotes them.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        Append(text);
        return text.ToString();
    }

    internal void Append(StringBuilder text)
    {
        if (text.Length > 0) text.Append(' ');
        if (IsNegated) text.Append("! ");
        text.Append(Name);
        var isString = IptablesText.IsStringOption(Name);
        foreach (var value in Values) text.Append(' ').Append(isString ? IptablesText.QuoteString(value) : IptablesText.QuoteArgument(value));
    }
}

using System.Collections.Generic;
using System.Text;

namespace IpvsTools.Iptables;

/// <summary>One word of an iptables-restore line, and whether it was written in double quotes.</summary>
internal readonly record struct IptablesToken(string Text, bool Quoted)
{
    /// <summary>An unquoted word equal to <paramref name="text"/> (a quoted "!" or "-j" is a value, never an operator).</summary>
    public bool Is(string text) => !Quoted && Text == text;

    /// <summary>An unquoted word that starts an option (<c>--name</c>).</summary>
    public bool IsLongOption => !Quoted && Text.Length > 2 && Text[0] == '-' && Text[1] == '-';
}

/// <summary>
/// The word rules of iptables-save and iptables-restore (iptables 1.8): how a line splits into words,
/// and how values are quoted so that iptables-restore reads back exactly the same words.
/// </summary>
internal static class IptablesText
{
    /// <summary>Options whose value iptables-save prints with xtables_save_string (quoted unless plain).</summary>
    private static readonly HashSet<string> StringOptions = new() { "--comment", "--log-prefix", "--nflog-prefix", "--string", "--hex-string" };

    internal static bool IsStringOption(string name) => StringOptions.Contains(name);

    /// <summary>
    /// A string value as iptables-save prints it: bare when it is non-empty and only letters, digits,
    /// '_' and '-'; otherwise in double quotes with '"', '\' and '\'' escaped by a backslash.
    /// </summary>
    public static string QuoteString(string value)
    {
        var plain = value.Length > 0;
        foreach (var c in value)
        {
            if (!(c is >= 'a' and <= 'z' or >= 'A' and <= 'Z' or >= '0' and <= '9' or '_' or '-'))
            {
                plain = false;
                break;
            }
        }
        if (plain) return value;
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\' or '\'') text.Append('\\');
            text.Append(c);
        }
        return text.Append('"').ToString();
    }

    /// <summary>
    /// Any other word: bare unless iptables-restore would split or misread it (empty, whitespace,
    /// a double quote, or a lone "!"), else quoted with '"' and '\' escaped.
    /// </summary>
    public static string QuoteArgument(string value)
    {
        var needs = value.Length == 0 || value == "!";
        foreach (var c in value)
        {
            if (c is ' ' or '\t' or '"' or '\n' or '\r' or '\v' or '\f')
            {
                needs = true;
                break;
            }
        }
        if (!needs) return value;
        var text = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            if (c is '"' or '\\') text.Append('\\');
            text.Append(c);
        }
        return text.Append('"').ToString();
    }

    /// <summary>
    /// Splits one line into words as iptables-restore does: spaces and tabs separate words; a double
    /// quote opens a quoted part in which a backslash escapes the next character; the closing quote
    /// ends the word. Outside quotes a backslash is an ordinary character.
    /// </summary>
    /// <returns>The words, or null with <paramref name="error"/> set when a quote is left open.</returns>
    internal static List<IptablesToken>? Tokenize(string line, out string? error)
    {
        error = null;
        var tokens = new List<IptablesToken>();
        var word = new StringBuilder();
        var inWord = false;
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (c == '"')
            {
                // The opening quote; the word may already have bare characters before it.
                quoted = true;
                inWord = true;
                var closed = false;
                for (i++; i < line.Length; i++)
                {
                    c = line[i];
                    if (c == '\\' && i + 1 < line.Length)
                    {
                        word.Append(line[++i]);
                    }
                    else if (c == '"')
                    {
                        closed = true;
                        break;
                    }
                    else
                    {
                        word.Append(c);
                    }
                }
                if (!closed)
                {
                    error = "a double quote is not closed";
                    return null;
                }
                tokens.Add(new IptablesToken(word.ToString(), true));
                word.Clear();
                inWord = false;
                quoted = false;
                continue;
            }
            if (c is ' ' or '\t' or '\n' or '\r')
            {
                if (inWord)
                {
                    tokens.Add(new IptablesToken(word.ToString(), quoted));
                    word.Clear();
                    inWord = false;
                }
                continue;
            }
            word.Append(c);
            inWord = true;
        }
        if (inWord) tokens.Add(new IptablesToken(word.ToString(), quoted));
        return tokens;
    }
}

using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace IpvsTools;

/// <summary>
/// Reads what `ipset restore` (7.x) reads: one command per line (create, add, del, test, destroy, flush,
/// rename, swap; also their one-letter forms n a d t x f e w, the old -N -A -D -T -X -F -E -W, and
/// prefixes of two letters or more), blank lines and # comments skipped, COMMIT ignored, words
/// separated by spaces or tabs, double quotes grouping words (comment "a b"), -exist (or -!) on
/// any line, CRLF line ends. Numbers of create options are read as strtoul reads them (0x hex, a
/// leading 0 octal). Every line is read; each refused line gives an error naming it, and nothing is
/// applied here (see <see cref="IpsetRestoreValidator"/> and the client).
/// </summary>
public static class IpsetRestoreParser
{
    // ipset's command table order: a prefix picks the first command it starts.
    private static readonly string[] CommandOrder = ["create", "add", "del", "test", "destroy", "list", "save", "restore", "flush", "rename", "swap", "help", "version"];

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.Ordinal)
    {
        ["n"] = "create", ["-N"] = "create", ["a"] = "add", ["-A"] = "add", ["d"] = "del", ["-D"] = "del", ["t"] = "test", ["-T"] = "test",
        ["x"] = "destroy", ["-X"] = "destroy", ["f"] = "flush", ["-F"] = "flush", ["e"] = "rename", ["-E"] = "rename", ["w"] = "swap", ["-W"] = "swap",
        ["l"] = "list", ["-L"] = "list", ["s"] = "save", ["-S"] = "save", ["r"] = "restore", ["-R"] = "restore", ["h"] = "help", ["-H"] = "help", ["v"] = "version", ["-V"] = "version",
    };

    /// <summary>The longest line read; longer ones are refused (the ipset tool reads at most a few kilobytes per line).</summary>
    public const int MaxLineLength = 64 * 1024;

    public static IpsetRestoreScript Parse(string? text)
    {
        var lines = new List<IpsetRestoreLine>();
        var errors = new List<IpsetRestoreException>();
        if (string.IsNullOrEmpty(text)) return new IpsetRestoreScript(lines, errors);
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.EndsWith('\r') ? raw.Substring(0, raw.Length - 1) : raw;
            try
            {
                var parsed = ParseLine(number, line);
                if (parsed is not null) lines.Add(parsed);
            }
            catch (IpsetRestoreException ex)
            {
                errors.Add(ex);
            }
        }
        return new IpsetRestoreScript(lines, errors);
    }

    private static IpsetRestoreLine? ParseLine(int number, string line)
    {
        if (line.Length > MaxLineLength) throw new IpsetRestoreException(number, line, $"the line is longer than {MaxLineLength} characters");
        var trimmed = line.Trim(' ', '\t');
        if (trimmed.Length == 0 || trimmed[0] == '#' || trimmed == "COMMIT") return null;
        var words = Split(number, line);
        var exist = false;
        words.RemoveAll(w =>
        {
            if (w is not ("-exist" or "-!")) return false;
            exist = true;
            return true;
        });
        if (words.Count == 0) return null;
        var command = CommandOf(number, line, words[0]);
        var result = new IpsetRestoreLine(number, line, command) { Exist = exist };
        var args = words.GetRange(1, words.Count - 1);
        IpsetRestoreException Error(string problem) => new(number, line, problem);
        string Name(int index, string what)
        {
            if (args.Count <= index) throw Error($"{Word(command)} needs {what}");
            var name = args[index];
            try
            {
                IpsetNames.Validate(name);
            }
            catch (IpvsToolsException ex)
            {
                throw new IpsetRestoreException(number, line, ex.Message.TrimEnd('.'));
            }
            return name;
        }
        switch (command)
        {
            case IpsetRestoreCommand.Create:
                result.SetName = Name(0, "a set name and a type");
                if (args.Count < 2) throw Error("create needs a type after the set name");
                result.CreateOptions = CreateOptions(args, Error);
                break;
            case IpsetRestoreCommand.Add:
            case IpsetRestoreCommand.Delete:
            case IpsetRestoreCommand.Test:
                result.SetName = Name(0, "a set name and an element");
                if (args.Count < 2) throw Error($"{Word(command)} needs an element after the set name");
                result.ElementText = args[1];
                EntryOptions(result, args, Error);
                break;
            case IpsetRestoreCommand.Destroy:
            case IpsetRestoreCommand.Flush:
                if (args.Count > 1) throw Error($"{Word(command)} takes at most one set name, not '{args[1]}'");
                if (args.Count == 1) result.SetName = Name(0, "a set name");
                break;
            default:
                result.SetName = Name(0, "two set names");
                result.OtherName = Name(1, "two set names");
                if (args.Count > 2) throw Error($"{Word(command)} takes two set names; '{args[2]}' is one too many");
                break;
        }
        return result;
    }

    private static IpsetRestoreCommand CommandOf(int number, string line, string word)
    {
        var name = Aliases.TryGetValue(word, out var alias) ? alias : Array.Find(CommandOrder, c => c == word)
            ?? (word.Length >= 2 ? Array.Find(CommandOrder, c => c.StartsWith(word, StringComparison.Ordinal)) : null);
        return name switch
        {
            "create" => IpsetRestoreCommand.Create,
            "add" => IpsetRestoreCommand.Add,
            "del" => IpsetRestoreCommand.Delete,
            "test" => IpsetRestoreCommand.Test,
            "destroy" => IpsetRestoreCommand.Destroy,
            "flush" => IpsetRestoreCommand.Flush,
            "rename" => IpsetRestoreCommand.Rename,
            "swap" => IpsetRestoreCommand.Swap,
            null => throw new IpsetRestoreException(number, line, $"'{Show(word)}' is not an ipset command (create, add, del, test, destroy, flush, rename, swap)"),
            _ => throw new IpsetRestoreException(number, line, $"the command '{name}' cannot be restored (a restore file holds create, add, del, test, destroy, flush, rename and swap)"),
        };
    }

    private static IpsetCreateOptions CreateOptions(List<string> args, Func<string, IpsetRestoreException> error)
    {
        var typeName = IpsetTypeInfo.Canonical(args[1]);
        var type = IpsetTypeInfo.Find(typeName)
            ?? throw error($"IpvsTools cannot create ipsets of type '{Show(args[1])}' (it makes {string.Join(", ", IpsetTypeInfo.Names)})");
        string? family = null;
        uint? hashSize = null, maxElements = null, initVal = null, timeout = null;
        byte? bucketSize = null, netmask = null;
        ushort? rangeFrom = null, rangeTo = null;
        bool counters = false, comment = false, skbInfo = false, forceAdd = false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 2; i < args.Count; i++)
        {
            var option = args[i];
            var key = option is "-4" or "-6" ? "family" : option;
            if (!seen.Add(key)) throw error($"{(option.StartsWith('-') ? option : key)} is given twice");
            string Value()
            {
                if (i + 1 >= args.Count) throw error($"{option} needs a value");
                return args[++i];
            }
            switch (option)
            {
                case "-4": family = "inet"; break;
                case "-6": family = "inet6"; break;
                case "family":
                    family = Value() switch
                    {
                        "inet" or "ipv4" => "inet",
                        "inet6" or "ipv6" => "inet6",
                        var other => throw error($"family is inet or inet6, not '{Show(other)}'"),
                    };
                    break;
                case "hashsize": hashSize = Number(Value(), uint.MaxValue, option, error); break;
                case "maxelem": maxElements = Number(Value(), uint.MaxValue, option, error); break;
                case "initval": initVal = Number(Value(), uint.MaxValue, option, error); break;
                case "timeout": timeout = Number(Value(), IpsetEntry.MaxTimeout, option, error); break;
                case "bucketsize": bucketSize = (byte)Number(Value(), byte.MaxValue, option, error); break;
                case "netmask": netmask = (byte)Number(Value(), 128, option, error); break;
                case "range":
                    var range = Value();
                    var dash = range.IndexOf('-');
                    if (dash <= 0) throw error($"range takes FROM-TO ports, not '{Show(range)}'");
                    rangeFrom = (ushort)Number(range.Substring(0, dash), ushort.MaxValue, "range", error);
                    rangeTo = (ushort)Number(range.Substring(dash + 1), ushort.MaxValue, "range", error);
                    if (rangeFrom > rangeTo) (rangeFrom, rangeTo) = (rangeTo, rangeFrom);
                    break;
                case "counters": counters = true; break;
                case "comment": comment = true; break;
                case "skbinfo": skbInfo = true; break;
                case "forceadd": forceAdd = true; break;
                default: throw error($"'{Show(option)}' is not a create option IpvsTools knows for {type.Name}");
            }
        }
        var options = new IpsetCreateOptions(type.Name, type.IsBitmap ? family : family ?? "inet")
        {
            HashSize = hashSize, MaxElements = maxElements, InitVal = initVal, Timeout = timeout, BucketSize = bucketSize,
            Netmask = netmask, RangeFrom = rangeFrom, RangeTo = rangeTo, Counters = counters, Comment = comment, SkbInfo = skbInfo, ForceAdd = forceAdd,
        };
        try
        {
            options.Validate();
        }
        catch (IpvsToolsException ex)
        {
            throw error(ex.Message.TrimEnd('.'));
        }
        return options;
    }

    private static void EntryOptions(IpsetRestoreLine line, List<string> args, Func<string, IpsetRestoreException> error)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 2; i < args.Count; i++)
        {
            var option = args[i];
            if (!seen.Add(option)) throw error($"{option} is given twice");
            if (line.Command != IpsetRestoreCommand.Add)
                throw error($"'{Show(option)}': {Word(line.Command)} takes only the element");
            string Value()
            {
                if (i + 1 >= args.Count) throw error($"{option} needs a value");
                return args[++i];
            }
            switch (option)
            {
                case "timeout": line.Timeout = Number(Value(), IpsetEntry.MaxTimeout, option, error); break;
                case "packets": line.Packets = Number64(Value(), option, error); break;
                case "bytes": line.Bytes = Number64(Value(), option, error); break;
                case "comment": line.Comment = Value(); break;
                case "nomatch": line.NoMatch = true; break;
                case "skbmark":
                    var mark = Value();
                    var slash = mark.IndexOf('/');
                    line.SkbMark = Number(slash < 0 ? mark : mark.Substring(0, slash), uint.MaxValue, option, error);
                    line.SkbMarkMask = slash < 0 ? 0xFFFFFFFF : Number(mark.Substring(slash + 1), uint.MaxValue, option, error);
                    break;
                case "skbprio":
                    var priority = Value();
                    var colon = priority.IndexOf(':');
                    if (colon < 0) throw error($"skbprio takes MAJOR:MINOR in hex, not '{Show(priority)}'");
                    line.SkbPriority = Number("0x" + priority.Substring(0, colon), ushort.MaxValue, option, error) << 16
                        | Number("0x" + priority.Substring(colon + 1), ushort.MaxValue, option, error);
                    break;
                case "skbqueue": line.SkbQueue = (ushort)Number(Value(), ushort.MaxValue, option, error); break;
                default: throw error($"'{Show(option)}' is not a member option (timeout, packets, bytes, comment, nomatch, skbmark, skbprio, skbqueue)");
            }
        }
    }

    /// <summary>Words separated by spaces or tabs; double quotes group words and are dropped, as the tool does.</summary>
    private static List<string> Split(int number, string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var quoted = false;
        var inWord = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
                inWord = true;
            }
            else if (!quoted && (c == ' ' || c == '\t'))
            {
                if (inWord) words.Add(word.ToString());
                word.Clear();
                inWord = false;
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (quoted) throw new IpsetRestoreException(number, line, "a double quote is not closed");
        if (inWord) words.Add(word.ToString());
        return words;
    }

    /// <summary>A number as strtoul(…, 0) reads it: 0x hex, a leading 0 octal, else decimal; at most <paramref name="max"/>.</summary>
    internal static uint Number(string text, uint max, string option, Func<string, IpsetRestoreException> error)
    {
        var value = Number64(text, option, error);
        if (value > max) throw error($"{option} is at most {max}, not {Show(text)}");
        return (uint)value;
    }

    private static ulong Number64(string text, string option, Func<string, IpsetRestoreException> error)
    {
        var (digits, radix) = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? (text.Substring(2), 16)
            : text.Length > 1 && text[0] == '0' ? (text.Substring(1), 8) : (text, 10);
        if (digits.Length == 0 || digits.Length > 22) throw error($"{option} takes a number, not '{Show(text)}'");
        ulong value = 0;
        foreach (var c in digits)
        {
            var d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
            if (d >= radix) throw error($"{option} takes a number, not '{Show(text)}'");
            if (value > (ulong.MaxValue - (ulong)d) / (ulong)radix) throw error($"{option} is too large: {Show(text)}");
            value = value * (ulong)radix + (ulong)d;
        }
        return value;
    }

    private static string Word(IpsetRestoreCommand command) => command switch
    {
        IpsetRestoreCommand.Delete => "del",
        _ => command.ToString().ToLowerInvariant(),
    };

    private static string Show(string text) => text.Length <= 40 ? text : text.Substring(0, 37) + "...";

    internal static string Invariant(ulong value) => value.ToString(CultureInfo.InvariantCulture);
}

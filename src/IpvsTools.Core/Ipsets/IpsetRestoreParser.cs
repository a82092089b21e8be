using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace IpvsTools.Ipsets;

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
    // ipset's command table (lib/ipset.c), in its order: a word picks the first command one of whose
    // names it starts (after two leading dashes are dropped); a lone "-" names none.
    private static readonly (string Command, string[] Names)[] Commands =
    [
        ("create", ["create", "new", "-N"]), ("add", ["add", "-A"]), ("del", ["del", "-D"]), ("test", ["test", "-T"]),
        ("destroy", ["destroy", "x", "-X"]), ("list", ["list", "-L"]), ("save", ["save", "-S"]), ("restore", ["restore", "-R"]),
        ("flush", ["flush", "-F"]), ("rename", ["rename", "e", "-E"]), ("swap", ["swap", "w", "-W"]), ("help", ["help", "-h", "-H"]),
        ("version", ["version", "-v", "-V"]), ("quit", ["quit"]),
    ];

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
        var skip = word.StartsWith("--", StringComparison.Ordinal) ? 2 : 0;
        string? name = null;
        if (word.Length > skip && word != "-")
        {
            var typed = word.Substring(skip);
            foreach (var (command, names) in Commands)
            {
                if (Array.Exists(names, n => n.StartsWith(typed, StringComparison.Ordinal)))
                {
                    name = command;
                    break;
                }
            }
        }
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
            ?? throw error($"'{Show(args[1])}' is not an ipset type (the types are {string.Join(", ", IpsetTypeInfo.Names)})");
        string? family = null;
        uint? hashSize = null, maxElements = null, initVal = null, timeout = null, size = null, markMask = null;
        byte? bucketSize = null, netmask = null;
        ushort? rangeFrom = null, rangeTo = null;
        System.Net.IPAddress? ipFrom = null, ipTo = null, bitmask = null;
        bool counters = false, comment = false, skbInfo = false, forceAdd = false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ports = type.Dimensions[0] == IpsetDimension.Port;
        for (var i = 2; i < args.Count; i++)
        {
            // ipset matches options exactly, after dropping two leading dashes (the old --hashsize form).
            var option = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i].Substring(2) : args[i];
            var key = option is "-4" or "-6" ? "family" : option is "from" or "to" or "network" && type.IsBitmap ? "range-" + option : option;
            if (!seen.Add(key)) throw error($"{option} is given twice");
            string Value()
            {
                if (i + 1 >= args.Count) throw error($"{option} needs a value");
                return args[++i];
            }
            bool Has(string name) => type.HasOption(name);
            void Unknown() => throw error($"'{Show(args[i])}' is not a create option of {type.Name} (ipset: Unknown argument)");
            switch (option)
            {
                case "-4" or "-6" or "family" when type.FamilyRule == IpsetFamilyRule.Either:
                    family = option switch
                    {
                        "-4" => "inet",
                        "-6" => "inet6",
                        _ => Value() switch
                        {
                            "inet" or "ipv4" => "inet",
                            "inet6" or "ipv6" => "inet6",
                            var other => throw error($"family is inet or inet6, not '{Show(other)}'"),
                        },
                    };
                    break;
                case "hashsize" when Has(option): hashSize = Number(Value(), uint.MaxValue, option, error); break;
                case "maxelem" when Has(option): maxElements = Number(Value(), uint.MaxValue, option, error); break;
                case "initval" when Has(option): initVal = Number(Value(), uint.MaxValue, option, error); break;
                case "timeout" when Has(option): timeout = Number(Value(), IpsetEntry.MaxTimeout, option, error); break;
                case "bucketsize" when Has(option): bucketSize = (byte)Number(Value(), byte.MaxValue, option, error); break;
                case "netmask" when Has(option): netmask = (byte)Number(Value(), 128, option, error); break;
                case "size" when Has(option): size = Number(Value(), uint.MaxValue, option, error); break;
                case "markmask" when Has(option): markMask = Number(Value(), uint.MaxValue, option, error); break;
                case "bitmask" when Has(option):
                    var maskText = Value();
                    if (!System.Net.IPAddress.TryParse(maskText, out bitmask) || (bitmask.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IpsetElementParser.TryParseV4(maskText, out _)))
                        throw error($"bitmask takes an address mask such as 255.255.255.0 or ffff:ffff::, not '{Show(maskText)}'");
                    break;
                case "range" when type.IsBitmap && ports:
                    var range = Value();
                    var dash = range.IndexOf('-');
                    if (dash <= 0) throw error($"range takes FROM-TO ports, not '{Show(range)}'");
                    rangeFrom = (ushort)Number(range.Substring(0, dash), ushort.MaxValue, "range", error);
                    rangeTo = (ushort)Number(range.Substring(dash + 1), ushort.MaxValue, "range", error);
                    break;
                case "range" when type.IsBitmap:
                    (ipFrom, ipTo) = AddressRange(Value(), "range", error);
                    break;
                case "from" or "to" when type.IsBitmap && ports:
                    var port = (ushort)Number(Value(), ushort.MaxValue, option, error);
                    if (option == "from") rangeFrom = port;
                    else rangeTo = port;
                    break;
                case "from" or "to" when type.IsBitmap:
                    var address = Value();
                    if (!IpsetElementParser.TryParseV4(address, out var parsed)) throw error($"{option} takes an IPv4 address, not '{Show(address)}'");
                    if (option == "from") ipFrom = parsed;
                    else ipTo = parsed;
                    break;
                case "network" when type.IsBitmap && !ports:
                    var network = Value();
                    if (!network.Contains('/')) throw error($"network takes an IPv4 network such as 10.0.0.0/16, not '{Show(network)}'");
                    (ipFrom, ipTo) = AddressRange(network, option, error);
                    break;
                case "counters" when Has(option): counters = true; break;
                case "comment" when Has(option): comment = true; break;
                case "skbinfo" when Has(option): skbInfo = true; break;
                case "forceadd" when Has(option): forceAdd = true; break;
                // Options of ipset 4.x that ipset 7.17 still reads and ignores for hash types.
                case "probes" or "resize" or "gc" when type.IsHash:
                    Value();
                    break;
                case "from" or "to" or "network" when type.IsHash && type.FamilyRule == IpsetFamilyRule.Either:
                    Value();
                    break;
                default:
                    Unknown();
                    break;
            }
        }
        if (rangeFrom > rangeTo) (rangeFrom, rangeTo) = (rangeTo, rangeFrom);
        if (ipFrom is not null && ipTo is not null && IpsetElementParser.CompareV4(ipFrom, ipTo) > 0) (ipFrom, ipTo) = (ipTo, ipFrom);
        var options = new IpsetCreateOptions(type.Name, type.FamilyRule == IpsetFamilyRule.Either ? family ?? "inet" : null)
        {
            HashSize = hashSize, MaxElements = maxElements, InitVal = initVal, Timeout = timeout, BucketSize = bucketSize,
            Netmask = netmask, Bitmask = bitmask, Size = size, MarkMask = markMask,
            RangeFrom = rangeFrom, RangeTo = rangeTo, AddressRangeFrom = ipFrom, AddressRangeTo = ipTo,
            Counters = counters, Comment = comment, SkbInfo = skbInfo, ForceAdd = forceAdd,
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

    /// <summary>An IPv4 range FROM-TO or a CIDR block, as the first and last address.</summary>
    private static (System.Net.IPAddress From, System.Net.IPAddress To) AddressRange(string text, string option, Func<string, IpsetRestoreException> error)
    {
        var dash = text.IndexOf('-');
        if (dash > 0 && IpsetElementParser.TryParseV4(text.Substring(0, dash), out var from) && IpsetElementParser.TryParseV4(text.Substring(dash + 1), out var to))
            return (from, to);
        var slash = text.IndexOf('/');
        if (slash > 0 && IpsetElementParser.TryParseV4(text.Substring(0, slash), out var address)
            && IpsetElementParser.TryDecimal(text.Substring(slash + 1), 32, out var prefix))
        {
            var first = IpsetElementParser.Mask(address, prefix);
            var bytes = first.GetAddressBytes();
            var host = prefix == 32 ? 0u : uint.MaxValue >> prefix;
            var last = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes) | host;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(bytes, last);
            return (first, new System.Net.IPAddress(bytes));
        }
        if (IpsetElementParser.TryParseV4(text, out var single)) return (single, single);
        throw error($"{option} takes IPv4 addresses FROM-TO or a network IP/CIDR, not '{Show(text)}'");
    }

    private static void EntryOptions(IpsetRestoreLine line, List<string> args, Func<string, IpsetRestoreException> error)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 2; i < args.Count; i++)
        {
            // As ipset matches options: exactly, after dropping two leading dashes.
            var option = args[i].StartsWith("--", StringComparison.Ordinal) ? args[i].Substring(2) : args[i];
            var key = option is "before" or "after" ? "before/after" : option;
            if (!seen.Add(key)) throw error($"{option} is given twice" + (key == "before/after" ? " (or with before/after)" : ""));
            // del and test take only nomatch (net types) and before/after (list:set); the set's type is checked later.
            if (line.Command != IpsetRestoreCommand.Add && option is not ("nomatch" or "before" or "after")
                || line.Command == IpsetRestoreCommand.Delete && option == "nomatch")
                throw error($"'{Show(args[i])}': {Word(line.Command)} takes no such option (ipset: Unknown argument)");
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
                case "wildcard": line.Wildcard = true; break;
                case "before":
                case "after":
                    line.Reference = Value();
                    line.Before = option == "before";
                    break;
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
                default: throw error($"'{Show(args[i])}' is not a member option (timeout, nomatch, wildcard, packets, bytes, comment, skbmark, skbprio, skbqueue; before, after for list:set)");
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

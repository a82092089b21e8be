using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;

namespace IpvsTools.Ipvs;

/// <summary>
/// Reads what `ipvsadm -R` (ipvsadm 1.31) reads: one ipvsadm command per line, split at spaces, tabs and
/// carriage returns (no quoting), the word "ipvsadm" dropped wherever it stands, empty lines skipped.
/// Each line is checked as ipvsadm checks it (which options go with which command, ranges, tunnel
/// options, address families) and turned into the operation ipvsadm would send, with ipvsadm's
/// defaults. Beyond ipvsadm: options may come in any order (-M before -t), negative firewall marks (as
/// `ipvsadm -S` prints marks above 2^31) are read back, and a line starting with '#' is a comment
/// (ipvsadm stops at it). Addresses and ports are numeric only (no host or service names).
/// </summary>
public static class IpvsadmRestoreText
{
    /// <summary>The longest persistence and timeout ipvsadm takes: 31 days.</summary>
    public const uint MaxTimeout = 86400 * 31;

    /// <summary>The longest line read (longer lines are an error, not a hang).</summary>
    public const int MaxLineLength = 4096;

    /// <summary>Parses every line; bad lines come back as errors, all of them, and the good ones as operations.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static (IReadOnlyList<IpvsConfigOperation> Operations, IReadOnlyList<IpvsConfigLineError> Errors) Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var operations = new List<IpvsConfigOperation>();
        var errors = new List<IpvsConfigLineError>();
        var state = new ParseState();
        var number = 0;
        var start = 0;
        while (start <= text.Length)
        {
            var end = text.IndexOf('\n', start);
            if (end < 0) end = text.Length;
            var line = text.Substring(start, end - start);
            number++;
            start = end + 1;
            if (line.Length > MaxLineLength)
            {
                errors.Add(new IpvsConfigLineError(number, line.Substring(0, 80) + "...", $"the line is longer than {MaxLineLength} characters"));
                continue;
            }
            try
            {
                var operation = ParseLine(number, line, state);
                if (operation is not null) operations.Add(operation);
            }
            catch (LineException ex)
            {
                errors.Add(new IpvsConfigLineError(number, line.TrimEnd('\r'), ex.Message));
            }
            if (end == text.Length) break;
        }
        return (operations, errors);
    }

    /// <summary>Parses every line, or throws <see cref="IpvsConfigException"/> naming every bad line.</summary>
    public static IReadOnlyList<IpvsConfigOperation> ParseOrThrow(string text, string source)
    {
        var (operations, errors) = Parse(text);
        if (errors.Count > 0) throw new IpvsConfigException(source, errors);
        return operations;
    }

    private sealed class LineException(string message) : Exception(message);

    // Option codes, named as ipvsadm names them in its messages.
    private const string OptService = "service-address", OptScheduler = "scheduler", OptPersistent = "persistent", OptNetmask = "netmask",
        OptServer = "real-server", OptForward = "forwarding-method", OptWeight = "weight", OptUpper = "u-threshold", OptLower = "l-threshold",
        OptMcastIfn = "mcast-interface", OptSyncId = "syncid", OptOps = "ops", OptPe = "pe", OptSchedFlags = "sched-flags",
        OptGroup = "mcast-group", OptMcastPort = "mcast-port", OptTtl = "mcast-ttl", OptMaxLen = "sync-maxlen",
        OptTunType = "tun-type", OptTunPort = "tun-port", OptTunNoCsum = "tun-nocsum", OptTunCsum = "tun-csum", OptTunRemCsum = "tun-remcsum",
        OptNumeric = "numeric", OptIpv6 = "ipv6";

    private static readonly Dictionary<IpvsConfigCommand, (string Name, string[] Required, string[] Optional)> Legal = new()
    {
        [IpvsConfigCommand.AddService] = ("add-service", [OptService], [OptScheduler, OptPersistent, OptNetmask, OptOps, OptPe, OptSchedFlags, OptIpv6]),
        [IpvsConfigCommand.EditService] = ("edit-service", [OptService], [OptScheduler, OptPersistent, OptNetmask, OptOps, OptPe, OptSchedFlags, OptIpv6]),
        [IpvsConfigCommand.DeleteService] = ("delete-service", [OptService], [OptIpv6]),
        [IpvsConfigCommand.Clear] = ("flush", [], []),
        [IpvsConfigCommand.AddDestination] = ("add-server", [OptService, OptServer], [OptForward, OptWeight, OptUpper, OptLower, OptIpv6, OptTunType, OptTunPort, OptTunNoCsum, OptTunCsum, OptTunRemCsum]),
        [IpvsConfigCommand.EditDestination] = ("edit-server", [OptService, OptServer], [OptForward, OptWeight, OptUpper, OptLower, OptIpv6, OptTunType, OptTunPort, OptTunNoCsum, OptTunCsum, OptTunRemCsum]),
        [IpvsConfigCommand.DeleteDestination] = ("delete-server", [OptService, OptServer], [OptIpv6]),
        [IpvsConfigCommand.Zero] = ("zero", [], [OptService, OptIpv6]),
        [IpvsConfigCommand.SetTimeouts] = ("set", [], []),
        [IpvsConfigCommand.StartDaemon] = ("start-daemon", [], [OptMcastIfn, OptSyncId, OptGroup, OptMcastPort, OptTtl, OptMaxLen]),
        [IpvsConfigCommand.StopDaemon] = ("stop-daemon", [], [OptSyncId]),
    };

    // Long options: name -> (takes an argument: 0 no, 1 yes, 2 optional; what it is).
    private static readonly Dictionary<string, (int Argument, string What)> LongOptions = new(StringComparer.Ordinal)
    {
        ["add-service"] = (0, "A"), ["edit-service"] = (0, "E"), ["delete-service"] = (0, "D"), ["clear"] = (0, "C"),
        ["zero"] = (0, "Z"), ["add-server"] = (0, "a"), ["edit-server"] = (0, "e"), ["delete-server"] = (0, "d"),
        ["set"] = (0, "set"), ["start-daemon"] = (1, "start-daemon"), ["stop-daemon"] = (1, "stop-daemon"),
        ["list"] = (0, "L"), ["save"] = (0, "S"), ["restore"] = (0, "R"), ["help"] = (0, "h"), ["version"] = (0, "v"),
        ["tcp-service"] = (1, "t"), ["udp-service"] = (1, "u"), ["sctp-service"] = (1, "sctp"), ["fwmark-service"] = (1, "f"),
        ["scheduler"] = (1, "s"), ["persistent"] = (2, "p"), ["netmask"] = (1, "M"), ["real-server"] = (1, "r"),
        ["masquerading"] = (0, "m"), ["ipip"] = (0, "i"), ["gatewaying"] = (0, "g"), ["weight"] = (1, "w"),
        ["u-threshold"] = (1, "x"), ["l-threshold"] = (1, "y"), ["numeric"] = (0, "n"), ["connection"] = (0, "c"),
        ["mcast-interface"] = (1, "mcast-interface"), ["syncid"] = (1, "syncid"), ["ipv6"] = (0, "6"), ["ops"] = (0, "o"),
        ["pe"] = (1, "pe"), ["sched-flags"] = (1, "b"), ["mcast-group"] = (1, "mcast-group"), ["mcast-port"] = (1, "mcast-port"),
        ["mcast-ttl"] = (1, "mcast-ttl"), ["sync-maxlen"] = (1, "sync-maxlen"), ["tun-type"] = (1, "tun-type"),
        ["tun-port"] = (1, "tun-port"), ["tun-nocsum"] = (0, "tun-nocsum"), ["tun-csum"] = (0, "tun-csum"), ["tun-remcsum"] = (0, "tun-remcsum"),
        ["timeout"] = (0, "timeout"), ["daemon"] = (0, "daemon"), ["stats"] = (0, "stats"), ["rate"] = (0, "rate"),
        ["thresholds"] = (0, "thresholds"), ["persistent-conn"] = (0, "persistent-conn"), ["nosort"] = (0, "nosort"),
        ["sort"] = (0, "sort"), ["exact"] = (0, "X"), ["tun-info"] = (0, "tun-info"),
    };

    // Short options: letter -> takes an argument (0 no, 1 yes, 2 optional).
    private static readonly Dictionary<char, int> ShortOptions = new()
    {
        ['A'] = 0, ['E'] = 0, ['D'] = 0, ['C'] = 0, ['Z'] = 0, ['a'] = 0, ['e'] = 0, ['d'] = 0, ['L'] = 0, ['l'] = 0, ['S'] = 0,
        ['R'] = 0, ['h'] = 0, ['v'] = 0, ['t'] = 1, ['u'] = 1, ['f'] = 1, ['s'] = 1, ['p'] = 2, ['M'] = 1, ['r'] = 1,
        ['m'] = 0, ['i'] = 0, ['g'] = 0, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['n'] = 0, ['c'] = 0, ['6'] = 0, ['o'] = 0,
        ['b'] = 1, ['X'] = 0,
    };

    // What the lines of one file share: the token list (reused) and the last service key read, which the
    // real-server lines after a service's -A name again (an immutable key, so one object serves them all).
    private sealed class ParseState
    {
        public readonly List<string> Tokens = new();
        public IpvsProtocol LastProtocol;
        public string? LastServiceText;
        public IpvsServiceKey? LastKey;
        public bool LastPortGiven;
    }

    // The options of one line in the order given (a line has a handful: a list beats a set here).
    private sealed class OptionList
    {
        private string[] _items = new string[4];

        public int Count { get; private set; }

        public string this[int index] => _items[index];

        public bool Contains(string option)
        {
            for (var i = 0; i < Count; i++)
            {
                if (string.Equals(_items[i], option, StringComparison.Ordinal)) return true;
            }
            return false;
        }

        /// <summary>False when the option is there already.</summary>
        public bool Add(string option)
        {
            if (Contains(option)) return false;
            if (Count == _items.Length) Array.Resize(ref _items, Count * 2);
            _items[Count++] = option;
            return true;
        }
    }

    private sealed class Line
    {
        public IpvsConfigCommand? Command;
        public readonly OptionList Options = new();
        public IpvsProtocol Protocol;
        public string? ServiceText;
        public string? ServiceOption;
        public uint FirewallMark;
        public bool IPv6;
        public string? Scheduler;
        public bool Persistent;
        public uint Timeout = 360;
        public string? Netmask;
        public bool OnePacket;
        public string? Engine;
        public string? SchedulerFlags;
        public string? ServerText;
        public IpvsForwardingMethod Forwarding = IpvsForwardingMethod.Route;
        public int Weight = 1;
        public uint Upper, Lower;
        public IpvsTunnelType TunnelType = IpvsTunnelType.Ipip;
        public ushort TunnelPort;
        public IpvsTunnelChecksum Checksum;
        public string? DaemonState;
        public string? Interface;
        public uint SyncId;
        public ushort MaxLength;
        public IPAddress? Group;
        public ushort McastPort;
        public byte Ttl;
        public List<string>? Arguments;
        public int ArgumentCount => Arguments?.Count ?? 0;
    }

    // "-t" and "t" for each short option letter, made once instead of on every line.
    private static readonly Dictionary<char, (string What, string Token)> ShortOptionText = BuildShortOptionText();

    private static Dictionary<char, (string What, string Token)> BuildShortOptionText()
    {
        var text = new Dictionary<char, (string, string)>();
        foreach (var letter in ShortOptions.Keys) text[letter] = (letter.ToString(), "-" + letter);
        return text;
    }

    private static readonly string[] TunnelOptions = [OptTunType, OptTunPort, OptTunNoCsum, OptTunCsum, OptTunRemCsum];

    // Splits at spaces, tabs and carriage returns, leaving out the word "ipvsadm" wherever it stands.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Tokenize(string raw, List<string> tokens)
    {
        tokens.Clear();
        var i = 0;
        while (i < raw.Length)
        {
            while (i < raw.Length && raw[i] is ' ' or '\t' or '\r') i++;
            var start = i;
            while (i < raw.Length && raw[i] is not (' ' or '\t' or '\r')) i++;
            if (i == start) break;
            var token = raw.AsSpan(start, i - start);
            if (!token.SequenceEqual("ipvsadm")) tokens.Add(start == 0 && i == raw.Length ? raw : Known(token) ?? raw.Substring(start, i - start));
        }
    }

    // The short tokens every line of ipvsadm -S repeats ("-a -t ... -r ... -m -w 1"), one string each for the
    // whole file instead of a new one per line.
    private static string? Known(ReadOnlySpan<char> token) => token switch
    {
        "-A" => "-A", "-a" => "-a", "-t" => "-t", "-u" => "-u", "-f" => "-f", "-r" => "-r", "-s" => "-s", "-m" => "-m",
        "-g" => "-g", "-i" => "-i", "-w" => "-w", "-p" => "-p", "-6" => "-6", "0" => "0", "1" => "1", "rr" => "rr",
        "wrr" => "wrr", "lc" => "lc", "wlc" => "wlc", "sh" => "sh", "mh" => "mh",
        _ => null,
    };

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static IpvsConfigOperation? ParseLine(int number, string raw, ParseState state)
    {
        var tokens = state.Tokens;
        Tokenize(raw, tokens);
        if (tokens.Count == 0 || tokens[0].StartsWith('#')) return null;
        var line = new Line();
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            if (token.StartsWith("--", StringComparison.Ordinal) && token.Length > 2)
            {
                var name = token.Substring(2);
                string? inline = null;
                var equals = name.IndexOf('=');
                if (equals >= 0)
                {
                    inline = name.Substring(equals + 1);
                    name = name.Substring(0, equals);
                }
                if (!LongOptions.TryGetValue(name, out var option)) throw new LineException($"invalid option `{token}'");
                string? value = null;
                if (option.Argument == 0 && inline is not null) throw new LineException($"option --{name} takes no value");
                if (option.Argument == 1) value = inline ?? (i + 1 < tokens.Count ? tokens[++i] : throw new LineException($"option --{name} needs a value"));
                if (option.Argument == 2) value = inline ?? (i + 1 < tokens.Count && !tokens[i + 1].StartsWith('-') ? tokens[++i] : null);
                Apply(line, option.What, value, token);
            }
            else if (token.StartsWith('-') && token.Length > 1)
            {
                for (var j = 1; j < token.Length; j++)
                {
                    var letter = token[j];
                    if (!ShortOptions.TryGetValue(letter, out var argument)) throw new LineException($"invalid option `-{letter}'");
                    var (what, name) = ShortOptionText[letter];
                    string? value = null;
                    if (argument != 0)
                    {
                        var rest = token.Substring(j + 1);
                        if (rest.Length > 0) value = rest;
                        else if (argument == 1) value = i + 1 < tokens.Count ? tokens[++i] : throw new LineException($"option -{letter} needs a value");
                        else if (i + 1 < tokens.Count && !tokens[i + 1].StartsWith('-')) value = tokens[++i];
                        Apply(line, what, value, name);
                        break;
                    }
                    Apply(line, what, null, name);
                }
            }
            else
            {
                (line.Arguments ??= new List<string>()).Add(token);
            }
        }
        return Build(number, raw.TrimEnd('\r'), line, state);
    }

    private static void SetCommand(Line line, IpvsConfigCommand command)
    {
        if (line.Command is not null) throw new LineException("multiple commands specified");
        line.Command = command;
    }

    private static void SetOption(Line line, string option)
    {
        if (!line.Options.Add(option)) throw new LineException($"multiple '{option}' options specified");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Apply(Line line, string what, string? value, string token)
    {
        switch (what)
        {
            case "A": SetCommand(line, IpvsConfigCommand.AddService); break;
            case "E": SetCommand(line, IpvsConfigCommand.EditService); break;
            case "D": SetCommand(line, IpvsConfigCommand.DeleteService); break;
            case "C": SetCommand(line, IpvsConfigCommand.Clear); break;
            case "Z": SetCommand(line, IpvsConfigCommand.Zero); break;
            case "a": SetCommand(line, IpvsConfigCommand.AddDestination); break;
            case "e": SetCommand(line, IpvsConfigCommand.EditDestination); break;
            case "d": SetCommand(line, IpvsConfigCommand.DeleteDestination); break;
            case "set": SetCommand(line, IpvsConfigCommand.SetTimeouts); break;
            case "start-daemon":
                SetCommand(line, IpvsConfigCommand.StartDaemon);
                line.DaemonState = value is "master" or "backup" ? value : throw new LineException($"illegal start-daemon parameter `{value}' (master or backup)");
                break;
            case "stop-daemon":
                SetCommand(line, IpvsConfigCommand.StopDaemon);
                line.DaemonState = value is "master" or "backup" ? value : throw new LineException($"illegal stop-daemon parameter `{value}' (master or backup)");
                break;
            case "L" or "l" or "S" or "R" or "h" or "v":
                throw new LineException($"{token} (list, save, restore, help, version) does not belong in a restore file");
            case "t" or "u" or "sctp":
                SetOption(line, OptService);
                line.Protocol = what switch { "t" => IpvsProtocol.Tcp, "u" => IpvsProtocol.Udp, _ => IpvsProtocol.Sctp };
                line.ServiceText = value;
                line.ServiceOption = token;
                break;
            case "f":
                SetOption(line, OptService);
                line.FirewallMark = ParseMark(value!);
                line.ServiceOption = token;
                break;
            case "6":
                if (line.FirewallMark == 0) throw new LineException("-6 used before -f");
                SetOption(line, OptIpv6);
                line.IPv6 = true;
                break;
            case "s": SetOption(line, OptScheduler); line.Scheduler = value; break;
            case "p":
                SetOption(line, OptPersistent);
                line.Persistent = true;
                if (value is not null) line.Timeout = Number(value, 1, MaxTimeout, "timeout value");
                break;
            case "M": SetOption(line, OptNetmask); line.Netmask = value; break;
            case "o": SetOption(line, OptOps); line.OnePacket = true; break;
            case "pe": SetOption(line, OptPe); line.Engine = value; break;
            case "b": SetOption(line, OptSchedFlags); line.SchedulerFlags = value; break;
            case "r": SetOption(line, OptServer); line.ServerText = value; break;
            case "m": SetOption(line, OptForward); line.Forwarding = IpvsForwardingMethod.Masquerade; break;
            case "i": SetOption(line, OptForward); line.Forwarding = IpvsForwardingMethod.Tunnel; break;
            case "g": SetOption(line, OptForward); line.Forwarding = IpvsForwardingMethod.Route; break;
            case "w": SetOption(line, OptWeight); line.Weight = (int)Number(value!, 0, int.MaxValue, "weight"); break;
            case "x": SetOption(line, OptUpper); line.Upper = Number(value!, 0, int.MaxValue, "u_threshold"); break;
            case "y": SetOption(line, OptLower); line.Lower = Number(value!, 0, int.MaxValue, "l_threshold"); break;
            case "n": SetOption(line, OptNumeric); break;
            case "tun-type":
                SetOption(line, OptTunType);
                line.TunnelType = value switch
                {
                    "ipip" => IpvsTunnelType.Ipip,
                    "gue" => IpvsTunnelType.Gue,
                    "gre" => IpvsTunnelType.Gre,
                    _ => throw new LineException($"illegal tunnel type `{value}' (ipip, gue or gre)"),
                };
                break;
            case "tun-port": SetOption(line, OptTunPort); line.TunnelPort = (ushort)Number(value!, 1, 65535, "tunnel port"); break;
            case "tun-nocsum": SetOption(line, OptTunNoCsum); line.Checksum = IpvsTunnelChecksum.NoChecksum; break;
            case "tun-csum": SetOption(line, OptTunCsum); line.Checksum = IpvsTunnelChecksum.Checksum; break;
            case "tun-remcsum": SetOption(line, OptTunRemCsum); line.Checksum = IpvsTunnelChecksum.RemoteChecksum; break;
            case "mcast-interface": SetOption(line, OptMcastIfn); line.Interface = value; break;
            case "syncid": SetOption(line, OptSyncId); line.SyncId = Number(value!, 0, 255, "syncid"); break;
            case "sync-maxlen": SetOption(line, OptMaxLen); line.MaxLength = (ushort)Number(value!, 1, 65535 - 20 - 8, "sync-maxlen"); break;
            case "mcast-group":
                SetOption(line, OptGroup);
                if (!IpvsAddressText.TryParseAddress(value!, out var group)) throw new LineException($"illegal multicast group `{value}'");
                line.Group = group;
                break;
            case "mcast-port": SetOption(line, OptMcastPort); line.McastPort = (ushort)Number(value!, 1, 65535, "mcast-port"); break;
            case "mcast-ttl": SetOption(line, OptTtl); line.Ttl = (byte)Number(value!, 1, 255, "mcast-ttl"); break;
            default:
                throw new LineException($"{token} does not belong in a restore file");
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static IpvsConfigOperation Build(int number, string text, Line line, ParseState state)
    {
        if (line.Command is not { } command) throw new LineException("no command (-A, -E, -D, -C, -a, -e, -d, -Z, --set, --start-daemon or --stop-daemon)");
        var (name, required, optional) = Legal[command];
        foreach (var option in required)
        {
            if (!line.Options.Contains(option)) throw new LineException($"You need to supply the '{option}' option for the '{name}' command");
        }
        for (var i = 0; i < line.Options.Count; i++)
        {
            var option = line.Options[i];
            if (Array.IndexOf(required, option) < 0 && Array.IndexOf(optional, option) < 0)
                throw new LineException($"Illegal '{option}' option with the '{name}' command");
        }
        if (command == IpvsConfigCommand.SetTimeouts)
        {
            if (line.ArgumentCount != 3) throw new LineException("--set option requires 3 timeout values");
            return new IpvsConfigOperation(number, text, command, null, timeouts: new IpvsTimeouts(
                Number(line.Arguments![0], 0, MaxTimeout, "timeout value"), Number(line.Arguments[1], 0, MaxTimeout, "timeout value"),
                Number(line.Arguments[2], 0, MaxTimeout, "timeout value")));
        }
        if (line.ArgumentCount > 0) throw new LineException($"unexpected argument {line.Arguments![0]}");

        switch (command)
        {
            case IpvsConfigCommand.Clear:
                return new IpvsConfigOperation(number, text, command, null);
            case IpvsConfigCommand.StartDaemon:
                return new IpvsConfigOperation(number, text, command, null, daemon: DaemonSettings(line));
            case IpvsConfigCommand.StopDaemon:
                return new IpvsConfigOperation(number, text, command, null, daemonState: line.DaemonState == "master" ? IpvsSyncState.Master : IpvsSyncState.Backup);
        }

        var (key, servicePortGiven) = line.Options.Contains(OptService) ? ServiceKey(line, state) : (null, false);
        _ = servicePortGiven;
        switch (command)
        {
            case IpvsConfigCommand.Zero:
            case IpvsConfigCommand.DeleteService:
                return new IpvsConfigOperation(number, text, command, key);
            case IpvsConfigCommand.AddService:
            case IpvsConfigCommand.EditService:
            {
                if (!key!.IsFirewallMark && key.Port == 0 && !line.Persistent) throw new LineException("Zero port specified for non-persistent service");
                if (line.OnePacket && !key.IsFirewallMark && key.Protocol != IpvsProtocol.Udp) throw new LineException("One-Packet Scheduling is only for UDP virtual services");
                var scheduler = line.Scheduler ?? "wlc";
                uint flags = 0;
                if (line.SchedulerFlags is not null)
                {
                    if (line.SchedulerFlags.Length == 0) throw new LineException("invalid scheduler flag `'");
                    try
                    {
                        flags = IpvsSchedulers.ParseFlags(scheduler, line.SchedulerFlags.Split(','));
                    }
                    catch (IpvsToolsException ex)
                    {
                        throw new LineException(ex.Message);
                    }
                }
                if (line.Persistent) flags |= IpvsServiceSettings.PersistentFlag;
                if (line.OnePacket) flags |= IpvsServiceSettings.OnePacketFlag;
                string? netmask = null;
                if (line.Netmask is not null)
                {
                    if (key.AddressFamily == AddressFamily.InterNetworkV6)
                    {
                        if (!uint.TryParse(line.Netmask, NumberStyles.None, CultureInfo.InvariantCulture, out var length) || length is < 1 or > 128)
                            throw new LineException("illegal ipv6 netmask specified");
                        netmask = length.ToString(CultureInfo.InvariantCulture);
                    }
                    else
                    {
                        if (!IpvsAddressText.TryParseIPv4(line.Netmask, out var mask)) throw new LineException("illegal virtual server persistent mask specified");
                        netmask = mask!.ToString();
                    }
                }
                IpvsServiceSettings settings;
                try
                {
                    settings = new IpvsServiceSettings(key, scheduler, flags, line.Persistent ? line.Timeout : 0, netmask, line.Engine);
                }
                catch (IpvsToolsException ex)
                {
                    throw new LineException(ex.Message);
                }
                return new IpvsConfigOperation(number, text, command, key, serviceSettings: settings);
            }
            default:
            {
                var server = line.ServerText!;
                if (server.StartsWith('[') && !server.Contains("]:", StringComparison.Ordinal)) throw new LineException("illegal real server address[:port] specified");
                if (!IpvsAddressText.TryParseEndpoint(server, out var address, out var port)) throw new LineException("illegal real server address[:port] specified");
                var dport = port ?? key!.Port;
                if (command == IpvsConfigCommand.DeleteDestination) return new IpvsConfigOperation(number, text, command, key, destinationAddress: address, destinationPort: dport);
                // ipvsadm: direct routing and tunnelling keep the service's port (unless fwmark).
                if (!key!.IsFirewallMark && line.Forwarding is IpvsForwardingMethod.Tunnel or IpvsForwardingMethod.Route) dport = key.Port;
                if (address!.AddressFamily != key.AddressFamily && line.Forwarding != IpvsForwardingMethod.Tunnel)
                    throw new LineException("Different address family is allowed only for tunneling servers");
                var given = HasAny(line.Options, TunnelOptions) ? Array.FindAll(TunnelOptions, line.Options.Contains) : [];
                if (given.Length > 0 && line.Forwarding != IpvsForwardingMethod.Tunnel) throw new LineException("Tunnel options conflict with forward method");
                var checksums = Array.FindAll(given, o => o is OptTunNoCsum or OptTunCsum or OptTunRemCsum);
                switch (line.TunnelType)
                {
                    case IpvsTunnelType.Ipip when given.Length > (line.Options.Contains(OptTunType) ? 1 : 0):
                        throw new LineException($"Illegal '{Array.Find(given, o => o != OptTunType)}' option with the 'ipip' tunnel type");
                    case IpvsTunnelType.Gue when !line.Options.Contains(OptTunPort):
                        throw new LineException("You need to supply the 'tun-port' option for the 'gue' tunnel type");
                    case IpvsTunnelType.Gre when line.Options.Contains(OptTunPort):
                        throw new LineException("Illegal 'tun-port' option with the 'gre' tunnel type");
                    case IpvsTunnelType.Gre when line.Options.Contains(OptTunRemCsum):
                        throw new LineException("Illegal 'tun-remcsum' option with the 'gre' tunnel type");
                }
                if (checksums.Length > 1)
                    throw new LineException($"The option '{checksums[1]}' conflicts with the '{checksums[0]}' option in the '{line.TunnelType.ToString().ToLowerInvariant()}' tunnel type");
                IpvsDestinationSettings destination;
                try
                {
                    destination = new IpvsDestinationSettings(address, dport, line.Forwarding, line.Weight, line.Upper, line.Lower,
                        line.Forwarding == IpvsForwardingMethod.Tunnel ? line.TunnelType : IpvsTunnelType.Ipip, line.TunnelPort, line.Checksum);
                }
                catch (IpvsToolsException ex)
                {
                    throw new LineException(ex.Message);
                }
                return new IpvsConfigOperation(number, text, command, key, destination: destination);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static (IpvsServiceKey Key, bool PortGiven) ServiceKey(Line line, ParseState state)
    {
        if (line.FirewallMark != 0)
            return (IpvsServiceKey.ForFirewallMark(line.FirewallMark, line.IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork), false);
        var text = line.ServiceText!;
        if (state.LastKey is not null && line.Protocol == state.LastProtocol && string.Equals(text, state.LastServiceText, StringComparison.Ordinal))
            return (state.LastKey, state.LastPortGiven);
        if (text.StartsWith('[') && !text.Contains("]:", StringComparison.Ordinal)) throw new LineException("illegal virtual server address[:port] specified");
        if (!IpvsAddressText.TryParseEndpoint(text, out var address, out var port)) throw new LineException("illegal virtual server address[:port] specified");
        IpvsServiceKey key;
        try
        {
            key = IpvsServiceKey.ForAddress(line.Protocol, address!, port ?? 0);
        }
        catch (IpvsToolsException ex)
        {
            throw new LineException(ex.Message);
        }
        (state.LastProtocol, state.LastServiceText, state.LastKey, state.LastPortGiven) = (line.Protocol, text, key, port is not null);
        return (key, port is not null);
    }

    private static IpvsSyncDaemonSettings DaemonSettings(Line line)
    {
        try
        {
            return new IpvsSyncDaemonSettings(line.DaemonState == "master" ? IpvsSyncState.Master : IpvsSyncState.Backup, line.Interface ?? "eth0",
                line.SyncId, line.MaxLength, line.Group, line.McastPort, line.Ttl);
        }
        catch (IpvsToolsException ex)
        {
            throw new LineException(ex.Message);
        }
    }

    private static bool HasAny(OptionList options, string[] wanted)
    {
        foreach (var option in wanted)
        {
            if (options.Contains(option)) return true;
        }
        return false;
    }

    private static uint ParseMark(string text)
    {
        if (uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var mark) && mark > 0) return mark;
        // ipvsadm -S prints marks above 2^31 as negative numbers: read them back.
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var signed) && signed < 0) return unchecked((uint)signed);
        throw new LineException($"invalid fwmark value `{text}' specified");
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static uint Number(string text, long min, long max, string what)
    {
        if (text.Length == 0 || text.Length > 12 || !long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw new LineException($"illegal {what} `{text}' specified ({min}-{max})");
        return (uint)value;
    }

}

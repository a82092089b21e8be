using System;
using System.Collections.Generic;
using System.Net;
using System.Runtime.CompilerServices;

namespace IpvsTools.Ipvs;

/// <summary>The ipvsadm commands a restore file may hold.</summary>
public enum IpvsConfigCommand
{
    /// <summary>-A: add a virtual service.</summary>
    AddService,
    /// <summary>-E: replace every setting of a virtual service.</summary>
    EditService,
    /// <summary>-D: delete a virtual service.</summary>
    DeleteService,
    /// <summary>-C: delete every virtual service.</summary>
    Clear,
    /// <summary>-a: add a real server.</summary>
    AddDestination,
    /// <summary>-e: replace every setting of a real server.</summary>
    EditDestination,
    /// <summary>-d: delete a real server.</summary>
    DeleteDestination,
    /// <summary>-Z: zero the counters of one service or of all.</summary>
    Zero,
    /// <summary>--set: the tcp, tcpfin and udp timeouts.</summary>
    SetTimeouts,
    /// <summary>--start-daemon.</summary>
    StartDaemon,
    /// <summary>--stop-daemon.</summary>
    StopDaemon,
}

/// <summary>
/// One line of an `ipvsadm -R` file, understood: what it does, to which service or real server, with
/// which settings, exactly as ipvsadm would send it (its defaults included: scheduler wlc, forwarding
/// -g, weight 1, persistence 360 s).
/// </summary>
public sealed class IpvsConfigOperation
{
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal IpvsConfigOperation(int line, string text, IpvsConfigCommand command, IpvsServiceKey? service,
        IpvsServiceSettings? serviceSettings = null, IpvsDestinationSettings? destination = null,
        IPAddress? destinationAddress = null, ushort destinationPort = 0, IpvsTimeouts? timeouts = null,
        IpvsSyncDaemonSettings? daemon = null, IpvsSyncState daemonState = 0)
    {
        Line = line;
        Text = text;
        Command = command;
        Service = service;
        ServiceSettings = serviceSettings;
        Destination = destination;
        DestinationAddress = destination?.Address ?? destinationAddress;
        DestinationPort = destination?.Port ?? destinationPort;
        Timeouts = timeouts;
        Daemon = daemon;
        DaemonState = daemon?.State ?? daemonState;
    }

    /// <summary>The line number in the file, from 1.</summary>
    public int Line { get; }

    /// <summary>The line as written, without its line end.</summary>
    public string Text { get; }

    /// <summary>What the line does.</summary>
    public IpvsConfigCommand Command { get; }

    /// <summary>The virtual service it is about; null for -C, --set, the daemons and a -Z of everything.</summary>
    public IpvsServiceKey? Service { get; }

    /// <summary>The service's settings for -A and -E.</summary>
    public IpvsServiceSettings? ServiceSettings { get; }

    /// <summary>The real server's settings for -a and -e.</summary>
    public IpvsDestinationSettings? Destination { get; }

    /// <summary>The real server's address for -a, -e and -d.</summary>
    public IPAddress? DestinationAddress { get; }

    /// <summary>The real server's port for -a, -e and -d.</summary>
    public ushort DestinationPort { get; }

    /// <summary>The timeouts of --set.</summary>
    public IpvsTimeouts? Timeouts { get; }

    /// <summary>The daemon of --start-daemon.</summary>
    public IpvsSyncDaemonSettings? Daemon { get; }

    /// <summary>The daemon state of --start-daemon and --stop-daemon.</summary>
    public IpvsSyncState DaemonState { get; }

    /// <summary>What the line acts on, as ShouldProcess names it: "TCP 10.96.0.10:53", "TCP 10.96.0.10:53 -> 10.244.1.5:53".</summary>
    public string Target
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        get => Command switch
        {
            IpvsConfigCommand.AddDestination or IpvsConfigCommand.EditDestination or IpvsConfigCommand.DeleteDestination
                => Service!.DisplayName + " -> " + IpvsadmSaveText.FormatEndpoint(DestinationAddress!, DestinationPort),
            IpvsConfigCommand.Clear => "every IPVS service",
            IpvsConfigCommand.Zero when Service is null => "every IPVS service",
            IpvsConfigCommand.SetTimeouts => "the IPVS timeouts",
            IpvsConfigCommand.StartDaemon or IpvsConfigCommand.StopDaemon => "the IPVS " + IpvsClient.StateName(DaemonState) + " sync daemon",
            _ => Service!.DisplayName,
        };
    }

    /// <summary>What the line does, in words: "Add IPVS service (scheduler rr)", "Add real server (Masquerade, weight 1)".</summary>
    public string Description
    {
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        get => Command switch
        {
            IpvsConfigCommand.AddService => $"Add IPVS service (scheduler {ServiceSettings!.Scheduler})",
            IpvsConfigCommand.EditService => $"Replace the settings of IPVS service (scheduler {ServiceSettings!.Scheduler})",
            IpvsConfigCommand.DeleteService => "Remove IPVS service",
            IpvsConfigCommand.Clear => "Remove",
            IpvsConfigCommand.AddDestination => $"Add real server ({Destination!.ForwardingMethod}, weight {Destination.Weight})",
            IpvsConfigCommand.EditDestination => $"Replace the settings of real server ({Destination!.ForwardingMethod}, weight {Destination.Weight})",
            IpvsConfigCommand.DeleteDestination => "Remove real server",
            IpvsConfigCommand.Zero => "Zero the counters of",
            IpvsConfigCommand.SetTimeouts => $"Set to tcp {Timeouts!.Tcp}, tcpfin {Timeouts.TcpFin}, udp {Timeouts.Udp} (0: unchanged)",
            IpvsConfigCommand.StartDaemon => $"Start on {Daemon!.Interface} with sync id {Daemon.SyncId}",
            IpvsConfigCommand.StopDaemon => "Stop",
            _ => Command.ToString(),
        };
    }

    /// <summary>"line 3: -A -t 10.96.0.10:53 -s rr".</summary>
    public override string ToString() => $"line {Line}: {Text}";
}

/// <summary>A line of a restore file that cannot be applied, and why.</summary>
public sealed class IpvsConfigLineError
{
    /// <summary>An error about line <paramref name="line"/>.</summary>
    public IpvsConfigLineError(int line, string text, string message)
    {
        Line = line;
        Text = text;
        Message = message;
    }

    /// <summary>The line number, from 1.</summary>
    public int Line { get; }

    /// <summary>The line as written.</summary>
    public string Text { get; }

    /// <summary>What is wrong with it.</summary>
    public string Message { get; }

    /// <summary>"line 3: illegal weight '-1' (-a -t ...)".</summary>
    public override string ToString() => $"line {Line}: {Message} ({Text})";
}

/// <summary>A restore file with bad lines: every one of them, in order.</summary>
public sealed class IpvsConfigException : IpvsToolsException
{
    /// <summary>The errors of <paramref name="source"/>.</summary>
    public IpvsConfigException(string source, IReadOnlyList<IpvsConfigLineError> errors)
        : base(Compose(source, errors), FailureKind.InvalidArgument)
    {
        Source = source;
        Errors = errors;
    }

    /// <summary>The file (or "input") the lines came from.</summary>
    public new string Source { get; }

    /// <summary>Every bad line.</summary>
    public IReadOnlyList<IpvsConfigLineError> Errors { get; }

    private static string Compose(string source, IReadOnlyList<IpvsConfigLineError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var first = errors.Count > 0 ? errors[0].ToString() : "no error";
        var more = errors.Count > 1 ? $" (and {errors.Count - 1} more bad line{(errors.Count == 2 ? "" : "s")})" : "";
        return $"{source}: {first}{more}. Nothing was applied.";
    }
}

using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Net;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>
/// Get-IpvsConnection: the kernel's IPVS connection table (ipvsadm -Lnc), read from
/// /proc/thread-self/net/ip_vs_conn in the target namespace, filtered by service, real server, client and state.
/// </summary>
[Cmdlet(VerbsCommon.Get, "IpvsConnection")]
[OutputType(typeof(IpvsConnection))]
public sealed class GetIpvsConnectionCommand : IpvsCommandBase
{
    /// <summary>Only connections of these services (a fwmark service: those to its real servers).</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Key")]
    [IpvsServiceKeyTransformation]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(IpvsServiceNameCompleter))]
    public IpvsServiceKey[]? Service { get; set; }

    /// <summary>Only connections to these real server addresses.</summary>
    [Parameter]
    [IPAddressTransformation]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(IpvsDestinationAddressCompleter))]
    public IPAddress[]? DestinationAddress { get; set; }

    /// <summary>Only connections to this real server port.</summary>
    [Parameter]
    public ushort? DestinationPort { get; set; }

    /// <summary>Only connections from these client addresses.</summary>
    [Parameter]
    [IPAddressTransformation]
    [ValidateNotNullOrEmpty]
    public IPAddress[]? ClientAddress { get; set; }

    /// <summary>Only connections in these states (wildcards allowed): ESTABLISHED, SYN_RECV, TIME_WAIT, UDP, NONE...</summary>
    [Parameter]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(IpvsConnectionStateCompleter))]
    [ValidateNotNullOrEmpty]
    public string[]? State { get; set; }

    protected override void ProcessRecord()
    {
        var ns = CurrentNamespace;
        IReadOnlyList<IpvsConnection> connections;
        var destinationsOfMarks = new HashSet<(IPAddress, ushort)>();
        try
        {
            connections = IpvsConnectionText.Read(ns);
            if (Service is not null && Service.Any(s => s.IsFirewallMark))
            {
                var client = ClientFor(ns);
                foreach (var mark in Service.Where(s => s.IsFirewallMark))
                {
                    foreach (var d in client.GetDestinations(mark)) destinationsOfMarks.Add((d.Address, d.Port));
                }
            }
        }
        catch (IpvsToolsException ex)
        {
            if (ex.Kind is FailureKind.ModuleMissing or FailureKind.PermissionDenied) ThrowTerminatingError(ErrorFor(ex, NetworkNamespace));
            Report(ex, NetworkNamespace);
            return;
        }
        var states = State?.Select(s => new WildcardPattern(s, WildcardOptions.IgnoreCase)).ToList();
        foreach (var connection in connections)
        {
            if (Service is not null && !Service.Any(s => Matches(s, connection, destinationsOfMarks))) continue;
            if (DestinationAddress is not null && !DestinationAddress.Any(a => a.Equals(connection.DestinationAddress))) continue;
            if (DestinationPort is not null && connection.DestinationPort != DestinationPort) continue;
            if (ClientAddress is not null && !ClientAddress.Any(a => a.Equals(connection.ClientAddress))) continue;
            if (states is not null && !states.Any(p => p.IsMatch(connection.State))) continue;
            WriteObject(connection);
        }
    }

    private static bool Matches(IpvsServiceKey service, IpvsConnection connection, HashSet<(IPAddress, ushort)> destinationsOfMarks)
    {
        if (service.IsFirewallMark) return destinationsOfMarks.Contains((connection.DestinationAddress, connection.DestinationPort));
        return string.Equals(IpvsServiceKey.ProtocolNameOf(service.Protocol), connection.Protocol, StringComparison.OrdinalIgnoreCase)
            && service.Address!.Equals(connection.VirtualAddress) && service.Port == connection.VirtualPort;
    }
}

/// <summary>Completes -State of Get-IpvsConnection with the kernel's connection state names.</summary>
public sealed class IpvsConnectionStateCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
        => Completion.Matching(IpvsConnectionText.StateNames, wordToComplete);
}

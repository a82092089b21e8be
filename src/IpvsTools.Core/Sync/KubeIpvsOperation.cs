using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using IpvsTools.Ipsets;
using IpvsTools.Iptables;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy.IpvsMode;

namespace IpvsTools.Sync;

/// <summary>The part of the node an operation changes.</summary>
public enum KubeIpvsLayer
{
    /// <summary>The kube-ipvs0 dummy link and its addresses.</summary>
    Link = 0,

    /// <summary>ipsets and their members.</summary>
    Ipset = 1,

    /// <summary>IPVS virtual servers and real servers.</summary>
    Ipvs = 2,

    /// <summary>iptables and ip6tables rules.</summary>
    Iptables = 3,
}

/// <summary>What an operation does.</summary>
public enum KubeIpvsOperationKind
{
    /// <summary>Create the kube-ipvs0 dummy link (left down).</summary>
    CreateDummyLink = 0,

    /// <summary>Add an address (/32 or /128) to kube-ipvs0.</summary>
    AddAddress = 1,

    /// <summary>Remove an address from kube-ipvs0.</summary>
    RemoveAddress = 2,

    /// <summary>Create an ipset.</summary>
    CreateSet = 3,

    /// <summary>Destroy an ipset (only to re-create one of the wrong type).</summary>
    DestroySet = 4,

    /// <summary>Add a member to an ipset.</summary>
    AddSetMember = 5,

    /// <summary>Remove a member from an ipset.</summary>
    RemoveSetMember = 6,

    /// <summary>Create a virtual server.</summary>
    AddVirtualServer = 7,

    /// <summary>Change a virtual server's scheduler, flags, timeout or netmask.</summary>
    UpdateVirtualServer = 8,

    /// <summary>Delete a virtual server (and its real servers).</summary>
    RemoveVirtualServer = 9,

    /// <summary>Add a real server.</summary>
    AddDestination = 10,

    /// <summary>Change a real server's weight or forwarding (weight 0: draining).</summary>
    UpdateDestination = 11,

    /// <summary>Delete a real server.</summary>
    RemoveDestination = 12,

    /// <summary>Rewrite kube-proxy's chains of a family with `iptables-restore -w --noflush --counters` (<see cref="KubeIpvsOperation.RestoreInput"/>).</summary>
    RestoreIptables = 13,

    /// <summary>Insert a jump into a built-in chain (`iptables -w -t TABLE -I CHAIN ...`).</summary>
    InsertIptablesJump = 14,

    /// <summary>Delete the kube-ipvs0 dummy link (Remove-KubeIpvs).</summary>
    DeleteDummyLink = 15,

    /// <summary>
    /// Delete the jumps from built-in chains into kube-proxy's chains, then flush and delete those chains, with one
    /// `iptables-restore -w --noflush` per family (<see cref="KubeIpvsOperation.RestoreInput"/>; Remove-KubeIpvs).
    /// </summary>
    DeleteIptablesChains = 16,
}

/// <summary>
/// One kernel write of a plan, as plain data for the IPVS, ipset and link clients to carry out.
/// <see cref="ToString"/> prints it for people (-WhatIf, logs), e.g.
/// <c>add virtual server TCP 10.96.0.10:53 rr</c>.
/// </summary>
public sealed class KubeIpvsOperation
{
    private KubeIpvsOperation(KubeIpvsOperationKind kind, KubeIpvsLayer layer, string? reason)
    {
        Kind = kind;
        Layer = layer;
        Reason = reason;
    }

    /// <summary>What the operation does.</summary>
    public KubeIpvsOperationKind Kind { get; }

    /// <summary>The part of the node it changes.</summary>
    public KubeIpvsLayer Layer { get; }

    /// <summary>Why, when it is not plain "missing" or "stale" (a drain, a changed scheduler...); else null.</summary>
    public string? Reason { get; }

    /// <summary>The kube-ipvs0 address (address operations).</summary>
    public IPAddress? Address { get; private init; }

    /// <summary>The ipset (set operations).</summary>
    public string? SetName { get; private init; }

    /// <summary>The ipset's type (CreateSet).</summary>
    public string? SetType { get; private init; }

    /// <summary>inet or inet6 (CreateSet of a hash type); null for bitmap:port.</summary>
    public string? SetFamily { get; private init; }

    /// <summary>kube-proxy's comment for the set (CreateSet).</summary>
    public string? SetComment { get; private init; }

    /// <summary>hashsize (CreateSet of a hash type).</summary>
    public uint? SetHashSize { get; private init; }

    /// <summary>maxelem (CreateSet of a hash type).</summary>
    public uint? SetMaxElements { get; private init; }

    /// <summary>The port range (CreateSet of bitmap:port).</summary>
    public string? SetRange { get; private init; }

    /// <summary>The member as kube-proxy writes it (member operations).</summary>
    public string? Member { get; private init; }

    /// <summary>The virtual server (IPVS operations).</summary>
    public IpvsServiceKey? Service { get; private init; }

    /// <summary>The scheduler (Add/UpdateVirtualServer).</summary>
    public string? Scheduler { get; private init; }

    /// <summary>IP_VS_SVC_F_* flags (Add/UpdateVirtualServer).</summary>
    public uint Flags { get; private init; }

    /// <summary>Persistence seconds (Add/UpdateVirtualServer).</summary>
    public uint Timeout { get; private init; }

    /// <summary>The netmask as IpvsService.Netmask writes it (Add/UpdateVirtualServer).</summary>
    public string? Netmask { get; private init; }

    /// <summary>The real server's address (destination operations).</summary>
    public IPAddress? DestinationAddress { get; private init; }

    /// <summary>The real server's port (destination operations).</summary>
    public ushort DestinationPort { get; private init; }

    /// <summary>The weight to set (Add/UpdateDestination).</summary>
    public int Weight { get; private init; }

    /// <summary>The forwarding method (Add/UpdateDestination).</summary>
    public IpvsForwardingMethod ForwardingMethod { get; private init; }

    /// <summary>iptables or ip6tables (iptables operations).</summary>
    public string? IptablesCommand { get; private init; }

    /// <summary>nat or filter (InsertIptablesJump).</summary>
    public string? IptablesTable { get; private init; }

    /// <summary>The rule (InsertIptablesJump): the built-in chain and the arguments.</summary>
    public KubeIptablesRule? IptablesRule { get; private init; }

    /// <summary>The iptables-restore input (RestoreIptables).</summary>
    public string? RestoreInput { get; private init; }

    /// <summary>The chains whose rules differ (RestoreIptables).</summary>
    public IReadOnlyList<string>? IptablesChains { get; private init; }

    /// <summary>The Service port this write serves, "ns/name:port" (IPVS operations); null otherwise.</summary>
    public string? ServicePort { get; private init; }

    internal static KubeIpvsOperation CreateDummyLink() => new(KubeIpvsOperationKind.CreateDummyLink, KubeIpvsLayer.Link, null);

    internal static KubeIpvsOperation AddAddress(IPAddress a) => new(KubeIpvsOperationKind.AddAddress, KubeIpvsLayer.Link, null) { Address = a };

    internal static KubeIpvsOperation RemoveAddress(IPAddress a) => new(KubeIpvsOperationKind.RemoveAddress, KubeIpvsLayer.Link, null) { Address = a };

    internal static KubeIpvsOperation CreateSet(KubeDesiredIpset s, string? reason = null)
        => new(KubeIpvsOperationKind.CreateSet, KubeIpvsLayer.Ipset, reason) { SetName = s.Name, SetType = s.Type, SetFamily = s.Family, SetComment = s.Comment, SetHashSize = s.HashSize, SetMaxElements = s.MaxElements, SetRange = s.Range };

    internal static KubeIpvsOperation DestroySet(string name, string reason) => new(KubeIpvsOperationKind.DestroySet, KubeIpvsLayer.Ipset, reason) { SetName = name };

    internal static KubeIpvsOperation AddMember(string set, string member) => new(KubeIpvsOperationKind.AddSetMember, KubeIpvsLayer.Ipset, null) { SetName = set, Member = member };

    internal static KubeIpvsOperation RemoveMember(string set, string member) => new(KubeIpvsOperationKind.RemoveSetMember, KubeIpvsLayer.Ipset, null) { SetName = set, Member = member };

    internal static KubeIpvsOperation AddVirtualServer(KubeVirtualServer v) => new(KubeIpvsOperationKind.AddVirtualServer, KubeIpvsLayer.Ipvs, null)
    { Service = v.Key, Scheduler = v.Scheduler, Flags = v.Flags, Timeout = v.Timeout, Netmask = v.Netmask, ServicePort = v.ServicePort };

    internal static KubeIpvsOperation UpdateVirtualServer(KubeVirtualServer v, string reason) => new(KubeIpvsOperationKind.UpdateVirtualServer, KubeIpvsLayer.Ipvs, reason)
    { Service = v.Key, Scheduler = v.Scheduler, Flags = v.Flags, Timeout = v.Timeout, Netmask = v.Netmask, ServicePort = v.ServicePort };

    internal static KubeIpvsOperation RemoveVirtualServer(IpvsServiceKey key, string? reason) => new(KubeIpvsOperationKind.RemoveVirtualServer, KubeIpvsLayer.Ipvs, reason) { Service = key };

    internal static KubeIpvsOperation AddDestination(IpvsServiceKey key, IPAddress a, ushort port, string? servicePort, string? reason = null)
        => new(KubeIpvsOperationKind.AddDestination, KubeIpvsLayer.Ipvs, reason)
        { Service = key, DestinationAddress = a, DestinationPort = port, Weight = 1, ForwardingMethod = IpvsForwardingMethod.Masquerade, ServicePort = servicePort };

    internal static KubeIpvsOperation UpdateDestination(IpvsServiceKey key, IPAddress a, ushort port, int weight, IpvsForwardingMethod forwarding, string? servicePort, string reason)
        => new(KubeIpvsOperationKind.UpdateDestination, KubeIpvsLayer.Ipvs, reason)
        { Service = key, DestinationAddress = a, DestinationPort = port, Weight = weight, ForwardingMethod = forwarding, ServicePort = servicePort };

    internal static KubeIpvsOperation RemoveDestination(IpvsServiceKey key, IPAddress a, ushort port, string? servicePort, string? reason = null)
        => new(KubeIpvsOperationKind.RemoveDestination, KubeIpvsLayer.Ipvs, reason) { Service = key, DestinationAddress = a, DestinationPort = port, ServicePort = servicePort };

    internal static KubeIpvsOperation RestoreIptables(KubeIptablesRules rules, IReadOnlyList<string> chains)
        => new(KubeIpvsOperationKind.RestoreIptables, KubeIpvsLayer.Iptables, null) { IptablesCommand = rules.Command, RestoreInput = rules.RestoreInput(), IptablesChains = chains };

    internal static KubeIpvsOperation InsertJump(KubeIptablesRules rules, KubeIptablesRule jump)
        => new(KubeIpvsOperationKind.InsertIptablesJump, KubeIpvsLayer.Iptables, null) { IptablesCommand = rules.Command, IptablesTable = jump.Table, IptablesRule = jump };

    internal static KubeIpvsOperation DeleteDummyLink() => new(KubeIpvsOperationKind.DeleteDummyLink, KubeIpvsLayer.Link, null);

    internal static KubeIpvsOperation DeleteChains(string command, string restoreInput, IReadOnlyList<string> chains)
        => new(KubeIpvsOperationKind.DeleteIptablesChains, KubeIpvsLayer.Iptables, null) { IptablesCommand = command, RestoreInput = restoreInput, IptablesChains = chains };

    /// <summary>The real server as "10.244.0.5:53" or "[fd00::5]:53".</summary>
    public string? Destination => DestinationAddress is null ? null : IpvsAddressText.FormatEndpoint(DestinationAddress.AddressFamily, DestinationAddress, DestinationPort);

    /// <summary>The object the operation is about, as a ShouldProcess target: "TCP 10.96.0.10:53", "KUBE-CLUSTER-IP", "kube-ipvs0".</summary>
    public string Target => Kind switch
    {
        KubeIpvsOperationKind.CreateDummyLink or KubeIpvsOperationKind.AddAddress or KubeIpvsOperationKind.RemoveAddress or KubeIpvsOperationKind.DeleteDummyLink => "kube-ipvs0",
        KubeIpvsOperationKind.CreateSet or KubeIpvsOperationKind.DestroySet or KubeIpvsOperationKind.AddSetMember or KubeIpvsOperationKind.RemoveSetMember => SetName!,
        KubeIpvsOperationKind.RestoreIptables or KubeIpvsOperationKind.DeleteIptablesChains => IptablesCommand + " " + string.Join(",", IptablesChains!),
        KubeIpvsOperationKind.InsertIptablesJump => IptablesCommand + " " + IptablesTable + " " + IptablesRule!.Chain,
        _ => Service!.DisplayName,
    };

    /// <summary>The operation in words, e.g. "add virtual server TCP 10.96.0.10:53 rr".</summary>
    public override string ToString()
    {
        var text = Kind switch
        {
            KubeIpvsOperationKind.CreateDummyLink => "create dummy link kube-ipvs0 (down)",
            KubeIpvsOperationKind.AddAddress => $"add address {Prefix(Address!)} to kube-ipvs0",
            KubeIpvsOperationKind.RemoveAddress => $"remove address {Prefix(Address!)} from kube-ipvs0",
            KubeIpvsOperationKind.CreateSet => $"create ipset {SetName} {SetType}" + (SetFamily is null ? " range " + SetRange : $" family {SetFamily} hashsize {SetHashSize} maxelem {SetMaxElements}"),
            KubeIpvsOperationKind.DestroySet => $"destroy ipset {SetName}",
            KubeIpvsOperationKind.AddSetMember => $"add {Member} to ipset {SetName}",
            KubeIpvsOperationKind.RemoveSetMember => $"remove {Member} from ipset {SetName}",
            KubeIpvsOperationKind.AddVirtualServer => $"add virtual server {Service!.DisplayName} {ServiceOptions()}",
            KubeIpvsOperationKind.UpdateVirtualServer => $"update virtual server {Service!.DisplayName} {ServiceOptions()}",
            KubeIpvsOperationKind.RemoveVirtualServer => $"remove virtual server {Service!.DisplayName}",
            KubeIpvsOperationKind.AddDestination => $"add destination {Service!.DisplayName} -> {Destination} {Forwarding()} weight {Weight}",
            KubeIpvsOperationKind.UpdateDestination => $"set destination {Service!.DisplayName} -> {Destination} {Forwarding()} weight {Weight}",
            KubeIpvsOperationKind.RemoveDestination => $"remove destination {Service!.DisplayName} -> {Destination}",
            KubeIpvsOperationKind.RestoreIptables => $"restore {IptablesCommand} chains {string.Join(" ", IptablesChains!)}",
            KubeIpvsOperationKind.InsertIptablesJump => $"insert {IptablesCommand} -t {IptablesTable} -I {IptablesRule!.Chain} {string.Join(" ", IptablesRule.Arguments)}",
            KubeIpvsOperationKind.DeleteDummyLink => "delete dummy link kube-ipvs0",
            KubeIpvsOperationKind.DeleteIptablesChains => $"delete {IptablesCommand} chains {string.Join(" ", IptablesChains!)} and the jumps to them",
            _ => Kind.ToString(),
        };
        return Reason is null ? text : text + " (" + Reason + ")";
    }

    private string ServiceOptions() => ServiceOptions(Scheduler, Flags, Timeout);

    /// <summary>"rr", "rr persistent 10800", "mh (mh-port)".</summary>
    internal static string ServiceOptions(string? scheduler, uint flags, uint timeout)
    {
        var text = new StringBuilder(scheduler);
        if ((flags & IpvsConstants.SvcFlagPersistent) != 0) text.Append(" persistent ").Append(timeout.ToString(CultureInfo.InvariantCulture));
        var sched = IpvsServiceFlags.SchedulerFlagText(flags, scheduler ?? "");
        if (sched.Length > 0) text.Append(" (").Append(sched).Append(')');
        return text.ToString();
    }

    private string Forwarding() => Forwarding(ForwardingMethod);

    /// <summary>"masq", "route", "tunnel", "local".</summary>
    internal static string Forwarding(IpvsForwardingMethod method) => method switch
    {
        IpvsForwardingMethod.Masquerade => "masq",
        IpvsForwardingMethod.Tunnel => "tunnel",
        IpvsForwardingMethod.Route => "route",
        IpvsForwardingMethod.Local => "local",
        _ => method.ToString().ToLowerInvariant(),
    };

    private static string Prefix(IPAddress a) => a + (a.AddressFamily == AddressFamily.InterNetworkV6 ? "/128" : "/32");
}

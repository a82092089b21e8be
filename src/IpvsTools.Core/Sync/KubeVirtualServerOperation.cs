using System.Globalization;
using System.Text;
using IpvsTools.Ipvs;

namespace IpvsTools.Sync;

/// <summary>
/// An IPVS write: add, change or remove a virtual server (<see cref="ServiceSettings"/>) or one of its real
/// servers (<see cref="Destination"/>), as the IPVS client takes them.
/// </summary>
public sealed class KubeVirtualServerOperation : KubeIpvsOperation
{
    private KubeVirtualServerOperation(KubeIpvsOperationKind kind, IpvsServiceKey service, string? servicePort, string? reason) : base(kind, reason)
    {
        Service = service;
        ServicePort = servicePort;
    }

    /// <summary>The virtual server.</summary>
    public IpvsServiceKey Service { get; }

    /// <summary>Scheduler, flags, persistence timeout and netmask (AddVirtualServer, UpdateVirtualServer); else null.</summary>
    public IpvsServiceSettings? ServiceSettings { get; private init; }

    /// <summary>
    /// The real server (destination operations): for an add or change, what it is set to; for a removal,
    /// as the kernel listed it. Prints as "10.244.0.5:53" or "[fd00::5]:53". Null for virtual server operations.
    /// </summary>
    public IpvsDestinationSettings? Destination { get; private init; }

    /// <summary>The Service port this write serves, "ns/name:port"; null for removals of virtual servers.</summary>
    public string? ServicePort { get; }

    /// <inheritdoc/>
    public override KubeIpvsLayer Layer => KubeIpvsLayer.Ipvs;

    /// <inheritdoc/>
    public override string Target => Service.DisplayName;

    internal static KubeVirtualServerOperation AddVirtualServer(IpvsServiceSettings settings, string servicePort)
        => new(KubeIpvsOperationKind.AddVirtualServer, settings.Key, servicePort, null) { ServiceSettings = settings };

    internal static KubeVirtualServerOperation UpdateVirtualServer(IpvsServiceSettings settings, string servicePort, string reason)
        => new(KubeIpvsOperationKind.UpdateVirtualServer, settings.Key, servicePort, reason) { ServiceSettings = settings };

    internal static KubeVirtualServerOperation RemoveVirtualServer(IpvsServiceKey key, string? reason)
        => new(KubeIpvsOperationKind.RemoveVirtualServer, key, null, reason);

    internal static KubeVirtualServerOperation AddDestination(IpvsServiceKey key, IpvsDestinationSettings destination, string? servicePort, string? reason = null)
        => new(KubeIpvsOperationKind.AddDestination, key, servicePort, reason) { Destination = destination };

    internal static KubeVirtualServerOperation UpdateDestination(IpvsServiceKey key, IpvsDestinationSettings destination, string? servicePort, string reason)
        => new(KubeIpvsOperationKind.UpdateDestination, key, servicePort, reason) { Destination = destination };

    internal static KubeVirtualServerOperation RemoveDestination(IpvsServiceKey key, IpvsDestinationSettings listed, string? servicePort, string? reason = null)
        => new(KubeIpvsOperationKind.RemoveDestination, key, servicePort, reason) { Destination = listed };

    /// <summary>True for a change of a real server to weight 0 (a drain or a weight of 0 asked for).</summary>
    internal bool SetsWeightZero => Kind == KubeIpvsOperationKind.UpdateDestination && Destination!.Weight == 0;

    private protected override string Describe() => Kind switch
    {
        KubeIpvsOperationKind.AddVirtualServer => $"add virtual server {Service.DisplayName} {ServiceOptions(ServiceSettings!.Scheduler, ServiceSettings.Flags, ServiceSettings.PersistenceTimeout)}",
        KubeIpvsOperationKind.UpdateVirtualServer => $"update virtual server {Service.DisplayName} {ServiceOptions(ServiceSettings!.Scheduler, ServiceSettings.Flags, ServiceSettings.PersistenceTimeout)}",
        KubeIpvsOperationKind.RemoveVirtualServer => $"remove virtual server {Service.DisplayName}",
        KubeIpvsOperationKind.AddDestination => $"add destination {Service.DisplayName} -> {Destination} {Forwarding(Destination!.ForwardingMethod)} weight {Destination.Weight}",
        KubeIpvsOperationKind.UpdateDestination => $"set destination {Service.DisplayName} -> {Destination} {Forwarding(Destination!.ForwardingMethod)} weight {Destination.Weight}",
        _ => $"remove destination {Service.DisplayName} -> {Destination}",
    };

    /// <summary>"rr", "rr persistent 10800", "mh (mh-port)".</summary>
    internal static string ServiceOptions(string? scheduler, uint flags, uint timeout)
    {
        var text = new StringBuilder(scheduler);
        if ((flags & IpvsConstants.SvcFlagPersistent) != 0) text.Append(" persistent ").Append(timeout.ToString(CultureInfo.InvariantCulture));
        var sched = IpvsServiceFlags.SchedulerFlagText(flags, scheduler ?? "");
        if (sched.Length > 0) text.Append(" (").Append(sched).Append(')');
        return text.ToString();
    }

    /// <summary>"masq", "route", "tunnel", "local".</summary>
    internal static string Forwarding(IpvsForwardingMethod method) => method switch
    {
        IpvsForwardingMethod.Masquerade => "masq",
        IpvsForwardingMethod.Tunnel => "tunnel",
        IpvsForwardingMethod.Route => "route",
        IpvsForwardingMethod.Local => "local",
        _ => method.ToString().ToLowerInvariant(),
    };
}

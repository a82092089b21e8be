using System.Globalization;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Ipvs;

namespace IpvsTools.Commands;

/// <summary>New-IpvsService: adds a virtual service (ipvsadm -A).</summary>
[Cmdlet(VerbsCommon.New, "IpvsService", DefaultParameterSetName = AddressSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(IpvsService))]
public sealed class NewIpvsServiceCommand : IpvsCommandBase
{
    private const string AddressSet = "Address";
    private const string FirewallMarkSet = "FirewallMark";

    /// <summary>The longest persistence ipvsadm takes: 31 days.</summary>
    internal const uint MaxPersistence = 86400 * 31;

    /// <summary>Tcp, Udp or Sctp.</summary>
    [Parameter(ParameterSetName = AddressSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateSet("Tcp", "Udp", "Sctp", IgnoreCase = true)]
    public IpvsProtocol Protocol { get; set; }

    /// <summary>The virtual address (IPv4 or IPv6).</summary>
    [Parameter(ParameterSetName = AddressSet, Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [IPAddressTransformation]
    [ValidateNotNull]
    public IPAddress? Address { get; set; }

    /// <summary>The virtual port; 0 (all ports) only for a persistent service.</summary>
    [Parameter(ParameterSetName = AddressSet, Mandatory = true, ValueFromPipelineByPropertyName = true)]
    public ushort Port { get; set; }

    /// <summary>The firewall mark the service matches (ipvsadm -f).</summary>
    [Parameter(ParameterSetName = FirewallMarkSet, Mandatory = true)]
    [ValidateRange(1, uint.MaxValue)]
    public uint FirewallMark { get; set; }

    /// <summary>An IPv6 fwmark service (ipvsadm -f N -6).</summary>
    [Parameter(ParameterSetName = FirewallMarkSet)]
    public SwitchParameter IPv6 { get; set; }

    /// <summary>The scheduler; wlc (ipvsadm's default) when omitted.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(IpvsSchedulerCompleter))]
    [ValidateNotNullOrEmpty]
    public string Scheduler { get; set; } = "wlc";

    /// <summary>Scheduler flags named for the scheduler: sh-fallback, sh-port, mh-fallback, mh-port, flag-1..3.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(IpvsSchedulerFlagCompleter))]
    public string[]? SchedulerFlags { get; set; }

    /// <summary>Makes the service persistent for this many seconds (1 to 2678400).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1u, MaxPersistence)]
    public uint PersistenceTimeout { get; set; }

    /// <summary>Makes the service persistent (for 360 s unless -PersistenceTimeout says otherwise).</summary>
    [Parameter]
    public SwitchParameter Persistent { get; set; }

    /// <summary>The persistence granularity: an IPv4 mask or prefix length, an IPv6 prefix length.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Netmask")]
    public string? PersistenceNetmask { get; set; }

    /// <summary>A persistence engine (sip).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? PersistenceEngine { get; set; }

    /// <summary>One-packet scheduling (UDP and fwmark services).</summary>
    [Parameter]
    public SwitchParameter OnePacket { get; set; }

    /// <summary>Writes the new service.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        var ns = CurrentNamespace;
        IpvsServiceKey key;
        try
        {
            key = ParameterSetName == FirewallMarkSet
                ? IpvsServiceKey.ForFirewallMark(FirewallMark, IPv6 ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork)
                : IpvsServiceKey.ForAddress(Protocol, Address!, Port);
        }
        catch (IpvsToolsException ex)
        {
            Refuse(ex.Message, "InvalidService", Address?.ToString());
            return;
        }
        var target = key.DisplayName;
        if (!CheckScheduler(Scheduler, target)) return;
        var schedulerFlags = SchedulerFlagBits(Scheduler, SchedulerFlags, target);
        if (schedulerFlags is null) return;

        var persistent = Persistent.IsPresent || MyInvocation.BoundParameters.ContainsKey(nameof(PersistenceTimeout));
        if (!persistent && !string.IsNullOrEmpty(PersistenceNetmask))
        {
            // ipvsadm takes -M without -p, but the kernel then ignores it and ipvsadm -S drops it.
            Refuse($"{target}: -PersistenceNetmask applies to a persistent service; add -Persistent or -PersistenceTimeout.", "NotPersistent", target);
            return;
        }
        var flags = schedulerFlags.Value | (persistent ? IpvsServiceSettings.PersistentFlag : 0) | (OnePacket ? IpvsServiceSettings.OnePacketFlag : 0);
        var timeout = persistent ? (PersistenceTimeout == 0 ? IpvsServiceChange.DefaultPersistenceTimeout : PersistenceTimeout) : 0u;
        IpvsServiceSettings settings;
        try
        {
            settings = new IpvsServiceSettings(key, Scheduler, flags, timeout, string.IsNullOrEmpty(PersistenceNetmask) ? null : PersistenceNetmask, PersistenceEngine);
        }
        catch (IpvsToolsException ex)
        {
            Refuse(ex.Message, "InvalidArgument", target);
            return;
        }

        var client = ClientFor(ns);
        var action = "Create IPVS service (scheduler " + Scheduler + (persistent ? ", persistent " + timeout.ToString(CultureInfo.InvariantCulture) + " s" : "") + ")" + Where(ns);
        if (!ShouldProcess(target, action)) return;
        try
        {
            client.AddService(settings);
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, target);
            return;
        }
        if (PassThru && client.GetService(key) is { } created) WriteObject(created);
    }
}

using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using IpvsTools.Netlink;
using IpvsTools.Ipvs;
using IpvsTools.Links;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>
/// What the IPVS cmdlets share: one IPVS client per network namespace for the whole pipeline (piped
/// objects may name different namespaces), errors split into terminating (nothing else could work:
/// permission, ip_vs missing) and per-item ones, and the kube-proxy warning.
/// </summary>
public abstract class IpvsCommandBase : IpvsToolsCmdlet, IDisposable
{
    private readonly Dictionary<string, IpvsClient> _clients = new(StringComparer.Ordinal);

    /// <summary>The namespace of the current pipeline object (or the parameter), resolved; terminating when missing.</summary>
    protected NetworkNamespace? CurrentNamespace => ResolveNetworkNamespace();

    /// <summary>The client for <paramref name="ns"/>, opened on first use; a failure to open is terminating.</summary>
    protected IpvsClient ClientFor(NetworkNamespace? ns)
    {
        var id = ns?.Path ?? "";
        if (_clients.TryGetValue(id, out var client)) return client;
        try
        {
            client = IpvsClient.Open(ns);
        }
        catch (IpvsToolsException ex)
        {
            ThrowTerminatingError(ErrorFor(ex, NetworkNamespace));
            throw;
        }
        _clients[id] = client;
        return client;
    }

    /// <summary>
    /// Reports an engine error about one item: terminating when no other item could succeed either
    /// (permission denied, a protocol fault), otherwise a non-terminating error with the item as target.
    /// </summary>
    protected void Report(IpvsToolsException exception, object? target)
    {
        var record = ErrorFor(exception, target);
        if (exception.Kind is FailureKind.PermissionDenied or FailureKind.Protocol) ThrowTerminatingError(record);
        WriteError(record);
    }

    /// <summary>A refusal of bad input, before the kernel is touched.</summary>
    protected void Refuse(string message, string condition, object? target, ErrorCategory category = ErrorCategory.InvalidArgument)
        => WriteError(ErrorFor(message, condition, category, target));

    /// <summary>" in network namespace 'x'" or "".</summary>
    protected static string Where(NetworkNamespace? ns) => ns is null ? "" : $" in network namespace '{ns.DisplayName}'";

    /// <summary>
    /// Warns when the service's address is on kube-ipvs0: kube-proxy owns such a service and puts its own
    /// settings back at its next sync. A failed lookup warns of nothing.
    /// </summary>
    /// <param name="consequence">What kube-proxy will do: "will set the scheduler back at its next sync".</param>
    /// <param name="advice">What to do instead.</param>
    protected void WarnIfKubeProxyOwns(IpvsServiceKey key, NetworkNamespace? ns, string consequence, string advice)
    {
        if (key.Address is not IPAddress address) return;
        try
        {
            NetworkLink? link;
            using (var links = LinkClient.Open(ns)) link = links.Find(IpvsTools.KubeProxy.IpvsMode.KubeIpvsInterface.LinkName);
            if (link is null) return;
            using var addresses = AddressClient.Open(ns);
            if (!addresses.List().Any(a => a.InterfaceIndex == link.Index && a.Address.Equals(address))) return;
            WriteWarning($"{key.DisplayName}: {address} is on {IpvsTools.KubeProxy.IpvsMode.KubeIpvsInterface.LinkName}, so kube-proxy owns this service and {consequence} (it syncs every 30 s by default). {advice}");
        }
        catch (IpvsToolsException)
        {
            // The warning is a courtesy; the change itself already succeeded or failed on its own.
        }
    }

    /// <summary>Names a scheduler the kernel does not know, before anything is sent; true when it is known.</summary>
    protected bool CheckScheduler(string scheduler, object? target)
    {
        if (IpvsSchedulers.IsKnown(scheduler)) return true;
        Refuse($"'{scheduler}' is not an IPVS scheduler. The kernel's schedulers are {string.Join(", ", IpvsSchedulers.KernelSchedulers)}; " +
            $"a scheduler of another module must be loaded first (modprobe {IpvsSchedulers.ModuleName(scheduler)}).", "UnknownScheduler", target);
        return false;
    }

    /// <summary>The scheduler-flag bits for names, or an error (null) naming the names that scheduler takes.</summary>
    protected uint? SchedulerFlagBits(string scheduler, string[]? names, object? target)
    {
        if (names is null || names.Length == 0) return 0;
        try
        {
            return IpvsSchedulers.ParseFlags(scheduler, names);
        }
        catch (IpvsToolsException ex)
        {
            Refuse(ex.Message, "InvalidSchedulerFlag", target);
            return null;
        }
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values) client.Dispose();
        _clients.Clear();
        GC.SuppressFinalize(this);
    }
}

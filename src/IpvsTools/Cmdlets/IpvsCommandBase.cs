using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy;
using IpvsTools.Links;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>
/// What the IPVS cmdlets share beyond <see cref="KernelCmdlet"/> (the client cache and the error policy):
/// the IPVS client of the current namespace, scheduler checks and the kube-proxy warning.
/// </summary>
public abstract class IpvsCommandBase : KernelCmdlet
{
    /// <summary>The namespace of the current pipeline object (or the parameter), resolved; terminating when missing.</summary>
    protected NetworkNamespace? CurrentNamespace => ResolveNetworkNamespace();

    /// <summary>The client for <paramref name="ns"/>, opened on first use; a failure to open is terminating.</summary>
    protected IpvsClient ClientFor(NetworkNamespace? ns) => CachedClient(ns, IpvsClient.Open, NetworkNamespace);

    /// <summary>
    /// Warns when kube-proxy owns the service (its address is on kube-ipvs0: <see cref="KubeProxyOwnership"/>):
    /// kube-proxy puts its own settings back at its next sync. A failed lookup warns of nothing (the warning
    /// is a courtesy; the change itself already succeeded or failed on its own).
    /// </summary>
    /// <param name="consequence">What kube-proxy will do: "will set the scheduler back at its next sync".</param>
    /// <param name="advice">What to do instead.</param>
    protected void WarnIfKubeProxyOwns(IpvsServiceKey key, NetworkNamespace? ns, string consequence, string advice)
    {
        if (KubeProxyOwnership.OwnsService(key, ns) != true) return;
        WriteWarning($"{key.DisplayName}: {key.Address} is on {KubeIpvsInterface.LinkName}, so kube-proxy owns this service and {consequence} (it syncs every 30 s by default). {advice}");
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
}

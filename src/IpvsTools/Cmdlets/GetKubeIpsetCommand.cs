using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using IpvsTools.Ipsets;
using IpvsTools.Ipvs;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>
/// Get-KubeIpset: kube-proxy's ipsets with their purpose, their members in kube-proxy's terms, and for
/// each member the IPVS virtual server it belongs to.
/// </summary>
[Cmdlet(VerbsCommon.Get, "KubeIpset")]
[OutputType(typeof(KubeIpset))]
public sealed class GetKubeIpsetCommand : IpsetCmdlet
{
    /// <summary>kube-proxy set names (IPv4 or KUBE-6- IPv6 names); wildcards allowed. Omitted: every kube-proxy set there is.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(KubeIpsetNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[]? Name { get; set; }

    protected override object? ErrorTarget => (object?)Name ?? NetworkNamespace;

    protected override void Process()
    {
        var ns = ResolveNetworkNamespace();
        var wanted = Select(ns);
        if (wanted is { Count: 0 }) return;

        var sets = Client(ns).List();
        var present = sets.Where(s => KubeIpsetDefinition.Find(s.Name) is not null && (wanted is null || wanted.Any(w => w.IsMatch(s.Name)))).ToList();
        foreach (var exact in (Name ?? []).Where(n => !WildcardPattern.ContainsWildcardCharacters(n) && KubeIpsetDefinition.Find(n) is not null))
        {
            if (!sets.Any(s => s.Name == exact))
                WriteError(new ErrorRecord(new ItemNotFoundException($"kube-proxy's set '{exact}' does not exist{Where(ns)}: kube-proxy in IPVS mode creates it at start (for IPv6 sets, only with IPv6 Services configured)."),
                    ErrorIdPrefix + "NotFound", ErrorCategory.ObjectNotFound, exact));
        }
        if (present.Count == 0) return;

        var (services, lookup) = ReadIpvs(ns);
        foreach (var set in KubeIpsetReader.Read(sets, services, lookup, ns?.DisplayName))
        {
            if (present.Any(p => p.Name == set.Name)) WriteObject(set);
        }
    }

    /// <summary>The name patterns asked for; null for all. Exact names that kube-proxy never uses are errors.</summary>
    private List<WildcardPattern>? Select(IpvsTools.Namespaces.NetworkNamespace? ns)
    {
        if (Name is null) return null;
        var patterns = new List<WildcardPattern>();
        foreach (var name in Name)
        {
            if (!WildcardPattern.ContainsWildcardCharacters(name) && KubeIpsetDefinition.Find(name) is null)
            {
                WriteError(new ErrorRecord(new System.ArgumentException($"'{name}' is not one of kube-proxy's sets ({string.Join(", ", KubeIpsetDefinition.Names)}). Get-Ipset reads any set."),
                    ErrorIdPrefix + "NotKubeProxySet", ErrorCategory.InvalidArgument, name));
                continue;
            }
            patterns.Add(new WildcardPattern(name, WildcardOptions.IgnoreCase));
        }
        return patterns;
    }

    /// <summary>The IPVS services to join; a kernel without IPVS (no ip_vs) is not an error: there is no table.</summary>
    private (IReadOnlyList<IpvsService>? Services, KubeIpvsLookup Lookup) ReadIpvs(IpvsTools.Namespaces.NetworkNamespace? ns)
    {
        try
        {
            using var ipvs = IpvsClient.Open(ns);
            return (ipvs.GetServices(), KubeIpvsLookup.Read);
        }
        catch (IpvsToolsException ex) when (ex.Kind == FailureKind.ModuleMissing)
        {
            WriteVerbose($"No IPVS table{Where(ns)}: {ex.Message} Members are shown without virtual servers.");
            return (null, KubeIpvsLookup.NoIpvsTable);
        }
        catch (IpvsToolsException ex)
        {
            WriteWarning($"The IPVS table could not be read{Where(ns)}, so members are shown without virtual servers: {ex.Message}");
            return (null, KubeIpvsLookup.Unavailable);
        }
    }
}

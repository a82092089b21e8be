using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using IpvsTools.Ipsets;
using IpvsTools.Iptables;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>
/// Test-KubeIptablesRule: checks the iptables rules against what kube-proxy in IPVS mode keeps
/// there (chains, jumps from the built-in chains, rules), one result per expected item.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "KubeIptablesRule")]
[OutputType(typeof(KubeIptablesCheck))]
public sealed class TestKubeIptablesRuleCommand : IpvsToolsCmdlet
{
    /// <summary>IPv4 (iptables), IPv6 (ip6tables) or both.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [IptablesFamilyTransformation]
    [ValidateNotNullOrEmpty]
    public IptablesFamily[] Family { get; set; } = { IptablesFamily.IPv4 };

    /// <summary>The backend's tools to use. Omitted: the system's default iptables.</summary>
    [Parameter]
    [ValidateSet("NfTables", "Legacy")]
    public IptablesBackend? Backend { get; set; }

    /// <summary>kube-proxy's --iptables-masquerade-bit.</summary>
    [Parameter]
    [ValidateRange(0, 31)]
    public int MasqueradeBit { get; set; } = KubeProxyIptables.DefaultMasqueradeBit;

    /// <summary>Only the checks whose status is Missing.</summary>
    [Parameter]
    public SwitchParameter Missing { get; set; }

    /// <summary>Do not read the ipsets: rules kube-proxy writes only for non-empty sets are then Present or Unknown.</summary>
    [Parameter]
    public SwitchParameter SkipIpset { get; set; }

    protected override void ProcessRecord()
    {
        var ns = ResolveNetworkNamespace();
        var nonEmpty = SkipIpset ? null : NonEmptySets(ns);
        foreach (var family in Family.Distinct())
        {
            IptablesRuleset ruleset;
            try
            {
                ruleset = IptablesClient.Open(family, Backend, ns).Read();
            }
            catch (IpvsToolsException ex)
            {
                var record = ex is IptablesToolMissingException
                    ? new ErrorRecord(ex, ErrorIdPrefix + "ToolNotFound", ErrorCategory.NotInstalled, family)
                    : ErrorFor(ex, family);
                if (IsFatal(ex) || ex is IptablesToolMissingException) ThrowTerminatingError(record);
                WriteError(record);
                continue;
            }
            if (ruleset.LegacyTablesPresent)
                WriteWarning("Rules exist in the legacy backend too and were not checked; check them with -Backend Legacy.");
            foreach (var check in KubeProxyIptables.Check(ruleset, nonEmpty, MasqueradeBit))
            {
                if (Missing && check.Status != KubeIptablesCheckStatus.Missing) continue;
                WriteObject(check);
            }
        }
    }

    private HashSet<string>? NonEmptySets(IpvsTools.Namespaces.NetworkNamespace? ns)
    {
        try
        {
            using var client = IpsetClient.Open(ns);
            return client.List().Where(s => s.EntryCount > 0).Select(s => s.Name).ToHashSet();
        }
        catch (IpvsToolsException ex)
        {
            WriteWarning($"The ipsets could not be read ({ex.Message}); rules kube-proxy writes only for non-empty sets are reported Unknown when absent.");
            return null;
        }
    }
}

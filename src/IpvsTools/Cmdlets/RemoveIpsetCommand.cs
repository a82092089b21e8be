using System.Management.Automation;
using IpvsTools.Ipsets;

namespace IpvsTools.Commands;

/// <summary>Remove-Ipset: destroys sets (ipset destroy). The kernel refuses sets that iptables rules still reference.</summary>
[Cmdlet(VerbsCommon.Remove, "Ipset", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(Ipset))]
public sealed class RemoveIpsetCommand : IpsetCmdlet
{
    /// <summary>Set names; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("SetName")]
    [ArgumentCompleter(typeof(IpsetNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>Writes each set, as it was just before it was destroyed.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override object? ErrorTarget => Name;

    protected override void Process()
    {
        var ns = ResolveNetworkNamespace();
        var client = Client(ns);
        foreach (var header in ResolveSets(client, ns, Name))
        {
            var what = header.References == 0 ? $"Destroy ipset ({header.Type}, {header.EntryCount} members)"
                : $"Destroy ipset ({header.Type}, {header.EntryCount} members, referenced {header.References} times: the kernel will refuse)";
            if (!ShouldProcess(header.Name + Where(ns), what)) continue;
            try
            {
                var before = PassThru ? client.List(header.Name) : null;
                client.Destroy(header.Name);
                if (before is not null) foreach (var set in before) WriteObject(set);
            }
            catch (IpvsToolsException ex)
            {
                Report(ex, header.Name);
            }
        }
    }
}

using System.Management.Automation;
using IpvsTools.Ipsets;

namespace IpvsTools.Commands;

/// <summary>Clear-Ipset: removes every member of sets (ipset flush); the sets stay.</summary>
[Cmdlet(VerbsCommon.Clear, "Ipset", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(Ipset))]
public sealed class ClearIpsetCommand : IpsetCmdlet
{
    /// <summary>Set names; wildcards allowed ('*' flushes every set).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("SetName")]
    [ArgumentCompleter(typeof(IpsetNameCompleter))]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Name { get; set; } = [];

    /// <summary>Writes each set after it was flushed.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override object? ErrorTarget => Name;

    protected override void Process()
    {
        var ns = ResolveNetworkNamespace();
        var client = Client(ns);
        foreach (var header in ResolveSets(client, ns, Name))
        {
            if (!ShouldProcess(header.Name + Where(ns), $"Remove all {header.EntryCount} members of ipset")) continue;
            try
            {
                client.Flush(header.Name);
            }
            catch (IpvsToolsException ex)
            {
                Report(ex, header.Name);
                continue;
            }
            if (PassThru) PassThruSet(client, header.Name);
        }
    }
}

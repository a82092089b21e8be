using System;
using System.Globalization;
using System.Management.Automation;

namespace IpvsTools.Commands;

/// <summary>New-Ipset: creates a set (ipset create), with the newest revision of its type the kernel has.</summary>
[Cmdlet(VerbsCommon.New, "Ipset", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Ipset))]
public sealed class NewIpsetCommand : IpsetCmdlet
{
    /// <summary>The set's name (1-31 bytes).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "";

    /// <summary>The set type (unquoted hash:ip,port is joined back from the array PowerShell makes of it).</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [JoinCommaSplit]
    [ValidateSet("hash:ip", "hash:net", "hash:ip,port", "hash:net,port", "hash:ip,port,ip", "hash:ip,port,net", "bitmap:port")]
    public string Type { get; set; } = "";

    /// <summary>inet (default) or inet6; hash types only.</summary>
    // No ValidateSet: sets piped from Get-Ipset bind a null family (bitmap:port); checked in ProcessRecord.
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(IpsetFamilyCompleter))]
    public string? Family { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint? HashSize { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("MaxElem")]
    public uint? MaxElements { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public byte? BucketSize { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint? InitVal { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public byte? Netmask { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint? Timeout { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter Counters { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter Comment { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter SkbInfo { get; set; }

    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter ForceAdd { get; set; }

    /// <summary>The port range of a bitmap:port set, FROM-TO (for example 0-65535).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Range { get; set; }

    /// <summary>No error when a set of this name, type and options already exists (ipset create -exist).</summary>
    [Parameter]
    public SwitchParameter Exist { get; set; }

    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override object? ErrorTarget => Name;

    protected override void Process()
    {
        var ns = ResolveNetworkNamespace();
        if (!ValidName(Name)) return;
        IpsetCreateOptions options;
        try
        {
            options = BuildOptions();
            options.Validate();
        }
        catch (IpvsToolsException ex)
        {
            Refuse(ex.Message, "InvalidOption", Name);
            return;
        }
        if (!ShouldProcess(Name + Where(ns), $"Create ipset ({options})")) return;
        var client = Client(ns);
        try
        {
            client.Create(Name, options, Exist);
        }
        catch (IpvsToolsException ex)
        {
            Report(ex, Name);
            return;
        }
        if (PassThru) PassThruSet(client, Name);
    }

    private IpsetCreateOptions BuildOptions()
    {
        ushort? from = null, to = null;
        if (!string.IsNullOrEmpty(Range))
        {
            var dash = Range.IndexOf('-');
            if (dash <= 0 || !ushort.TryParse(Range.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var f)
                || !ushort.TryParse(Range.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var t) || f > t)
                throw new IpsetSyntaxException($"-Range takes FROM-TO with ports 0-65535, FROM not above TO (for example 0-65535), not '{Range}'.", Range);
            (from, to) = (f, t);
        }
        // A bitmap's header as Get-Ipset shows it carries no family; a hash set read from Get-Ipset always has one.
        var isBitmap = IpsetTypeInfo.Find(Type)?.IsBitmap == true;
        return new IpsetCreateOptions(Type, isBitmap && Family is null ? null : Family)
        {
            HashSize = HashSize, MaxElements = MaxElements, BucketSize = BucketSize, InitVal = InitVal, Netmask = Netmask,
            Timeout = Timeout, Counters = Counters, Comment = Comment, SkbInfo = SkbInfo, ForceAdd = ForceAdd,
            RangeFrom = from, RangeTo = to,
        };
    }
}

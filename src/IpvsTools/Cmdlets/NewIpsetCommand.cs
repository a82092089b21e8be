using System;
using System.Globalization;
using System.Management.Automation;
using IpvsTools.Ipsets;

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
    [ValidateSet("hash:ip", "hash:net", "hash:ip,port", "hash:net,port", "hash:ip,port,ip", "hash:ip,port,net", "hash:net,net", "hash:net,port,net",
        "hash:net,iface", "hash:ip,mark", "hash:ip,mac", "hash:mac", "bitmap:ip", "bitmap:ip,mac", "bitmap:port", "list:set")]
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

    /// <summary>An address mask members are masked with, for example 255.255.0.255 (hash:ip, hash:ip,port, hash:net,net; not with -Netmask).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Bitmask { get; set; }

    /// <summary>hash:ip,mark: the mask applied to marks.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint? MarkMask { get; set; }

    /// <summary>list:set: how many sets it holds at most (default 8).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public uint? Size { get; set; }

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

    /// <summary>The range of a bitmap set: ports FROM-TO for bitmap:port (0-65535), IPv4 addresses FROM-TO or a network IP/CIDR for bitmap:ip and bitmap:ip,mac (10.0.0.0/16).</summary>
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
        var type = IpsetTypeInfo.Find(Type);
        ushort? from = null, to = null;
        System.Net.IPAddress? ipFrom = null, ipTo = null;
        if (!string.IsNullOrEmpty(Range) && type is { IsBitmap: true } && type.Dimensions[0] != IpsetDimension.Port)
        {
            (ipFrom, ipTo) = AddressRange(Range);
        }
        else if (!string.IsNullOrEmpty(Range))
        {
            var dash = Range.IndexOf('-');
            if (dash <= 0 || !ushort.TryParse(Range.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out var f)
                || !ushort.TryParse(Range.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var t) || f > t)
                throw new IpsetSyntaxException($"-Range takes FROM-TO with ports 0-65535, FROM not above TO (for example 0-65535), not '{Range}'.", Range);
            (from, to) = (f, t);
        }
        System.Net.IPAddress? bitmask = null;
        if (!string.IsNullOrEmpty(Bitmask) && !System.Net.IPAddress.TryParse(Bitmask, out bitmask))
            throw new IpsetSyntaxException($"-Bitmask takes an address mask such as 255.255.0.255 or ffff:ffff::, not '{Bitmask}'.", Bitmask);
        // A set read from Get-Ipset carries the family the kernel reports: types without a family choice take none.
        var family = type?.FamilyRule == IpsetFamilyRule.None && Family is null or "inet" ? null : Family;
        return new IpsetCreateOptions(Type, family)
        {
            HashSize = HashSize, MaxElements = MaxElements, BucketSize = BucketSize, InitVal = InitVal, Netmask = Netmask,
            Bitmask = bitmask, MarkMask = MarkMask, Size = Size,
            Timeout = Timeout, Counters = Counters, Comment = Comment, SkbInfo = SkbInfo, ForceAdd = ForceAdd,
            RangeFrom = from, RangeTo = to, AddressRangeFrom = ipFrom, AddressRangeTo = ipTo,
        };
    }

    /// <summary>FROM-TO IPv4 addresses, or a network IP/CIDR, as first and last address.</summary>
    private static (System.Net.IPAddress From, System.Net.IPAddress To) AddressRange(string range)
    {
        var script = IpsetRestoreParser.Parse($"create x bitmap:ip range {range}");
        if (script.Errors.Count > 0 || script.Lines[0].CreateOptions is not { AddressRangeFrom: { } first, AddressRangeTo: { } last })
            throw new IpsetSyntaxException($"-Range takes IPv4 addresses FROM-TO or a network IP/CIDR (for example 10.0.0.0/16), not '{range}'.", range);
        return (first, last);
    }
}

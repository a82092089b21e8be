using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Text.Json;
using IpvsTools.Ipvs;

namespace IpvsTools.KubeProxy.NftablesMode;

/// <summary>
/// What a reader of kube-proxy's rules needs of one table listed by <c>nft -j list table</c>: the sets' addresses
/// and timeouts, the verdict maps' elements, and each chain's rules as their JSON expressions.
/// </summary>
internal sealed class NftablesTable : IDisposable
{
    private readonly Dictionary<string, List<NftablesMapElement>> _maps = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<IPAddress>> _setAddresses = new(StringComparer.Ordinal);
    private readonly Dictionary<string, uint> _setTimeouts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<JsonElement>> _rules = new(StringComparer.Ordinal);
    private readonly JsonDocument _document;

    private NftablesTable(JsonDocument document) => _document = document;

    public void Dispose() => _document.Dispose();

    /// <summary>"ip" or "ip6".</summary>
    public string Family { get; private set; } = "ip";

    public static NftablesTable Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new IpvsToolsException($"nft printed JSON that could not be read: {ex.Message}", FailureKind.Protocol, ex);
        }
        var table = new NftablesTable(document);
        if (!document.RootElement.TryGetProperty("nftables", out var items) || items.ValueKind != JsonValueKind.Array)
            throw new IpvsToolsException("nft's JSON has no \"nftables\" array.", FailureKind.Protocol);
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object) continue;
            if (item.TryGetProperty("table", out var t) && t.TryGetProperty("family", out var family)) table.Family = family.GetString() ?? "ip";
            else if (item.TryGetProperty("map", out var map)) table.ReadMap(map);
            else if (item.TryGetProperty("set", out var set)) table.ReadSet(set);
            else if (item.TryGetProperty("rule", out var rule)) table.ReadRule(rule);
        }
        return table;
    }

    /// <summary>The elements of a verdict map; none when the map does not exist.</summary>
    public IReadOnlyList<NftablesMapElement> MapElements(string map)
        => _maps.TryGetValue(map, out var elements) ? elements : Array.Empty<NftablesMapElement>();

    /// <summary>The addresses of a set of addresses; empty when the set does not exist.</summary>
    public HashSet<IPAddress> SetAddresses(string set)
        => _setAddresses.TryGetValue(set, out var addresses) ? addresses : new HashSet<IPAddress>();

    /// <summary>A set's timeout in seconds (kube-proxy's affinity sets have the affinity timeout); null without one.</summary>
    public uint? SetTimeout(string set) => _setTimeouts.TryGetValue(set, out var timeout) ? timeout : null;

    /// <summary>The rules of a chain, each its "expr" array; none when the chain does not exist or is empty.</summary>
    public IReadOnlyList<JsonElement> Rules(string chain)
        => _rules.TryGetValue(chain, out var rules) ? rules : Array.Empty<JsonElement>();

    private void ReadMap(JsonElement map)
    {
        if (Name(map) is not { } name) return;
        var elements = new List<NftablesMapElement>();
        _maps[name] = elements;
        if (!map.TryGetProperty("elem", out var elems) || elems.ValueKind != JsonValueKind.Array) return;
        foreach (var pair in elems.EnumerateArray())
        {
            if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2) continue;
            elements.Add(NftablesMapElement.Read(pair[0], pair[1]));
        }
    }

    private void ReadSet(JsonElement set)
    {
        if (Name(set) is not { } name) return;
        if (set.TryGetProperty("timeout", out var timeout) && timeout.ValueKind == JsonValueKind.Number && timeout.TryGetUInt32(out var seconds))
            _setTimeouts[name] = seconds;
        var addresses = new HashSet<IPAddress>();
        _setAddresses[name] = addresses;
        if (!set.TryGetProperty("elem", out var elems) || elems.ValueKind != JsonValueKind.Array) return;
        foreach (var elem in elems.EnumerateArray())
        {
            var value = elem;
            if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty("elem", out var wrapped) && wrapped.TryGetProperty("val", out var val)) value = val;
            if (value.ValueKind == JsonValueKind.String && IPAddress.TryParse(value.GetString(), out var address)) addresses.Add(address);
        }
    }

    private void ReadRule(JsonElement rule)
    {
        if (!rule.TryGetProperty("chain", out var chainProperty) || chainProperty.GetString() is not { } chain) return;
        if (!rule.TryGetProperty("expr", out var expr) || expr.ValueKind != JsonValueKind.Array) return;
        if (!_rules.TryGetValue(chain, out var list)) _rules[chain] = list = new List<JsonElement>();
        list.Add(expr);
    }

    private static string? Name(JsonElement item) => item.TryGetProperty("name", out var name) ? name.GetString() : null;

    /// <summary>The chain a verdict object (<c>{"goto": {"target": X}}</c> or jump) goes to; null for other verdicts.</summary>
    public static string? VerdictTarget(JsonElement verdict)
    {
        if (verdict.ValueKind != JsonValueKind.Object) return null;
        foreach (var kind in new[] { "goto", "jump" })
        {
            if (verdict.TryGetProperty(kind, out var body) && body.ValueKind == JsonValueKind.Object
                && body.TryGetProperty("target", out var target) && target.ValueKind == JsonValueKind.String)
                return target.GetString();
        }
        return null;
    }

    /// <summary>A port or number that nft prints as a number (or, for named services, as a string of digits).</summary>
    public static ushort? ReadPort(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Number && value.TryGetUInt16(out var port)) return port;
        if (value.ValueKind == JsonValueKind.String && ushort.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out port)) return port;
        return null;
    }
}

/// <summary>One element of kube-proxy's verdict maps: <c>ADDRESS . PROTOCOL . PORT</c> (or <c>PROTOCOL . PORT</c>
/// for node ports) with its comment and verdict.</summary>
internal sealed class NftablesMapElement
{
    public IPAddress? Address { get; private init; }
    public IpvsProtocol? Protocol { get; private init; }
    public ushort? Port { get; private init; }
    public string? Comment { get; private init; }

    /// <summary>The chain of a goto or jump verdict; null for drop, accept and the like.</summary>
    public string? Target { get; private init; }

    public static NftablesMapElement Read(JsonElement key, JsonElement verdict)
    {
        string? comment = null;
        if (key.ValueKind == JsonValueKind.Object && key.TryGetProperty("elem", out var wrapped))
        {
            if (wrapped.TryGetProperty("comment", out var c)) comment = c.GetString();
            if (wrapped.TryGetProperty("val", out var val)) key = val;
        }
        IPAddress? address = null;
        IpvsProtocol? protocol = null;
        ushort? port = null;
        if (key.ValueKind == JsonValueKind.Object && key.TryGetProperty("concat", out var parts) && parts.ValueKind == JsonValueKind.Array)
        {
            var values = new List<JsonElement>();
            foreach (var part in parts.EnumerateArray()) values.Add(part);
            var i = 0;
            if (values.Count == 3)
            {
                if (values[0].ValueKind == JsonValueKind.String && IPAddress.TryParse(values[0].GetString(), out var a)) address = a;
                i = 1;
            }
            if (values.Count >= 2)
            {
                protocol = values[i].ValueKind == JsonValueKind.String ? KubeProxyServiceBuilder.ParseProtocol(values[i].GetString())
                    : values[i].ValueKind == JsonValueKind.Number && values[i].TryGetInt32(out var number) ? ProtocolNumber(number) : null;
                port = NftablesTable.ReadPort(values[i + 1]);
            }
        }
        return new NftablesMapElement { Address = address, Protocol = protocol, Port = port, Comment = comment, Target = NftablesTable.VerdictTarget(verdict) };
    }

    private static IpvsProtocol? ProtocolNumber(int number) => number switch
    {
        6 => IpvsProtocol.Tcp,
        17 => IpvsProtocol.Udp,
        132 => IpvsProtocol.Sctp,
        _ => null,
    };
}

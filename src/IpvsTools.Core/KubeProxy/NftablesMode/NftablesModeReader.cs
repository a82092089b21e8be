using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using IpvsTools.Netlink;
using IpvsTools.Processes;
using IpvsTools.Namespaces;

namespace IpvsTools.KubeProxy.NftablesMode;

/// <summary>
/// Reads kube-proxy's nftables-mode data plane (tables <c>ip kube-proxy</c> and <c>ip6 kube-proxy</c>) as Service
/// front ends: each element of the service-ips map is a ClusterIP or an external address, each element of
/// service-nodeports a node port; the chains are followed (service-, external-, local-, the numgen vmap) down to the
/// endpoint- chains' DNAT targets. The no-endpoint-services and no-endpoint-nodeports maps add the front ends
/// kube-proxy drops or rejects, with no endpoints.
/// </summary>
/// <remarks>
/// The rules are read with <c>nft -j list table</c>, never with <c>--terse</c> (it leaves out map elements).
/// Which kind an external address is cannot be read from the rules: an address with source ranges (an element of
/// firewall-ips) is a load balancer's, an address in cluster-ips a ClusterIP, any other one is
/// <see cref="KubeProxyServiceKind.External"/> (an external IP or a load-balancer ingress IP).
/// Chains that no map element reaches (kube-proxy keeps deleted Services' and endpoints' chains, flushed, for a
/// while) are not front ends.
/// </remarks>
public static class NftablesModeReader
{
    public const string TableName = "kube-proxy";

    /// <summary>Reads <c>ip kube-proxy</c> and <c>ip6 kube-proxy</c> in the namespace; a missing table adds nothing.</summary>
    public static IReadOnlyList<KubeProxyService> Read(NetworkNamespace? ns = null)
    {
        var services = new List<KubeProxyService>();
        foreach (var family in new[] { "ip", "ip6" })
        {
            if (ListTable(family, ns) is { } json) services.AddRange(Parse(json, ns?.DisplayName));
        }
        return services;
    }

    /// <summary>True when the namespace has either kube-proxy table (what -Mode Auto looks for): <c>nft -j list tables</c>,
    /// which names the tables without listing their contents.</summary>
    public static bool HasTables(NetworkNamespace? ns = null)
    {
        var json = Run(new[] { "-j", "list", "tables" }, ns, "tables") ?? "{}";
        using var document = ParseJson(json);
        if (!document.RootElement.TryGetProperty("nftables", out var items) || items.ValueKind != System.Text.Json.JsonValueKind.Array) return false;
        foreach (var item in items.EnumerateArray())
        {
            if (item.ValueKind == System.Text.Json.JsonValueKind.Object && item.TryGetProperty("table", out var table)
                && table.TryGetProperty("name", out var name) && name.GetString() == TableName
                && table.TryGetProperty("family", out var family) && family.GetString() is "ip" or "ip6")
                return true;
        }
        return false;
    }

    /// <summary>The JSON of <c>nft -j list table FAMILY kube-proxy</c>; null when the table does not exist.</summary>
    public static string? ListTable(string family, NetworkNamespace? ns) => Run(new[] { "-j", "list", "table", family, TableName }, ns, $"table {family} {TableName}");

    private static System.Text.Json.JsonDocument ParseJson(string json)
    {
        try
        {
            return System.Text.Json.JsonDocument.Parse(json);
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new IpvsToolsException($"nft printed JSON that could not be read: {ex.Message}", FailureKind.Protocol, ex);
        }
    }

    /// <summary>Runs nft; null when what it lists does not exist.</summary>
    private static string? Run(string[] arguments, NetworkNamespace? ns, string what)
    {
        ProcessResult result;
        try
        {
            result = ChildProcess.Run("nft", arguments, ns);
        }
        catch (IpvsToolsException ex) when (ex.Kind == FailureKind.NotFound && (ns is null || System.IO.File.Exists(ns.Path)))
        {
            throw new IpvsToolsException("Reading kube-proxy's nftables rules needs the nft tool (Debian and Ubuntu: apt-get install nftables).", FailureKind.NotFound, ex);
        }
        if (result.ExitCode == 0) return result.StandardOutput;
        if (result.StandardError.Contains("No such file or directory", StringComparison.Ordinal)) return null;
        var where = ns is null ? "" : $" in network namespace '{ns.DisplayName}'";
        var said = string.Join(" ", result.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (result.StandardError.Contains("Operation not permitted", StringComparison.Ordinal))
            throw new IpvsToolsException($"Reading kube-proxy's nftables rules{where} needs root or CAP_NET_ADMIN (run pwsh with sudo); nft said: {said}", FailureKind.PermissionDenied);
        throw new IpvsToolsException($"`nft -j list {what}`{where} exited {result.ExitCode}: {said}", FailureKind.Other);
    }

    /// <summary>The front ends of one table, from the JSON <c>nft -j list table</c> printed.</summary>
    public static IReadOnlyList<KubeProxyService> Parse(string json, string? networkNamespace = null)
    {
        using var table = NftablesTable.Parse(json);
        var family = table.Family == "ip6" ? AddressFamily.InterNetworkV6 : AddressFamily.InterNetwork;
        var builder = new KubeProxyServiceBuilder(KubeProxyMode.Nftables, networkNamespace);
        var walker = new NftablesChainWalker(table);
        var clusterIps = table.SetAddresses("cluster-ips");
        var firewallIps = new HashSet<IPAddress>();
        foreach (var element in table.MapElements("firewall-ips"))
        {
            if (element.Address is { } address) firewallIps.Add(address);
        }

        // A ClusterIP is in cluster-ips; an address with source ranges is a load balancer's; any other one may be either.
        KubeProxyServiceKind KindOf(IPAddress address)
            => clusterIps.Contains(address) ? KubeProxyServiceKind.ClusterIP
            : firewallIps.Contains(address) ? KubeProxyServiceKind.LoadBalancer
            : KubeProxyServiceKind.External;

        foreach (var element in table.MapElements("service-ips"))
        {
            if (element.Address is not { } address || element.Protocol is not { } protocol || element.Port is not { } port || element.Target is not { } target) continue;
            var (service, portName) = NftablesChainWalker.NameOf(target);
            var kind = KindOf(address);
            var (endpoints, affinity) = walker.Resolve(target);
            builder.Add(protocol, address, port, kind, service, portName, endpoints, affinity);
        }
        foreach (var element in table.MapElements("service-nodeports"))
        {
            if (element.Protocol is not { } protocol || element.Port is not { } port || element.Target is not { } target) continue;
            var (service, portName) = NftablesChainWalker.NameOf(target);
            var (endpoints, affinity) = walker.Resolve(target);
            builder.Add(protocol, KubeProxyServiceBuilder.AnyAddress(family), port, KubeProxyServiceKind.NodePort, service, portName, endpoints, affinity);
        }
        foreach (var element in table.MapElements("no-endpoint-services"))
        {
            if (element.Address is not { } address || element.Protocol is not { } protocol || element.Port is not { } port) continue;
            var (service, portName) = KubeProxyServiceBuilder.SplitServicePortName(element.Comment);
            builder.Add(protocol, address, port, KindOf(address), service, portName, Array.Empty<KubeProxyEndpoint>(), null);
        }
        foreach (var element in table.MapElements("no-endpoint-nodeports"))
        {
            if (element.Protocol is not { } protocol || element.Port is not { } port) continue;
            var (service, portName) = KubeProxyServiceBuilder.SplitServicePortName(element.Comment);
            builder.Add(protocol, KubeProxyServiceBuilder.AnyAddress(family), port, KubeProxyServiceKind.NodePort, service, portName, Array.Empty<KubeProxyEndpoint>(), null);
        }
        return builder.Build();
    }
}

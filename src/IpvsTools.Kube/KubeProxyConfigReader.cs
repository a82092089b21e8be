using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using IpvsTools.Cluster;
using IpvsTools.KubeProxy;

namespace IpvsTools.Kube;

/// <summary>
/// Reads kube-proxy's configuration: a KubeProxyConfiguration (kubeproxy.config.k8s.io/v1alpha1, YAML or
/// JSON), or the kube-proxy ConfigMap as `kubectl get cm kube-proxy -n kube-system -o yaml` prints it
/// (kubeadm keeps the configuration as text under data."config.conf"; any data entry holding a
/// KubeProxyConfiguration is taken). Only the settings an IPVS-mode node is built from are read; a value
/// kube-proxy's validation would refuse raises a <see cref="ClusterSourceException"/> naming the line.
/// </summary>
public static class KubeProxyConfigReader
{
    /// <summary>Reads the file at <paramref name="path"/>.</summary>
    public static KubeProxyConfigFile ReadFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new ClusterSourceException("The kube-proxy configuration file does not exist.", FailureKind.NotFound, path, inner: ex);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw new ClusterSourceException("The kube-proxy configuration file cannot be read: " + ex.Message, FailureKind.PermissionDenied, path, inner: ex);
        }
        return ReadText(text, path);
    }

    /// <summary>Reads a configuration or ConfigMap from text; <paramref name="source"/> names it in errors.</summary>
    public static KubeProxyConfigFile ReadText(string text, string source)
    {
        var root = Root(text, source);
        var kind = Scalar(root, "kind");
        if (kind == "ConfigMap")
        {
            var data = Child(root, "data") as YamlMappingNode;
            var entries = data?.Children.Where(e => e.Value is YamlScalarNode).ToList() ?? [];
            var preferred = entries.Where(e => ((YamlScalarNode)e.Key).Value == "config.conf").Concat(entries);
            foreach (var entry in preferred)
            {
                var inner = ((YamlScalarNode)entry.Value).Value ?? "";
                YamlMappingNode innerRoot;
                try
                {
                    innerRoot = Root(inner, source);
                }
                catch (ClusterSourceException)
                {
                    continue; // kubeconfig.conf and other entries need not be YAML mappings
                }
                if (Scalar(innerRoot, "kind") == "KubeProxyConfiguration")
                    return Read(innerRoot, $"{source} (data.{((YamlScalarNode)entry.Key).Value})", (int)entry.Value.Start.Line);
            }
            throw new ClusterSourceException("The ConfigMap holds no KubeProxyConfiguration (kubeadm keeps it under data.\"config.conf\").", FailureKind.InvalidArgument, source);
        }
        if (kind != "KubeProxyConfiguration")
            throw new ClusterSourceException($"The file holds a {(kind is null ? "document without 'kind'" : "'" + kind + "'")}, not a KubeProxyConfiguration or the kube-proxy ConfigMap.",
                FailureKind.InvalidArgument, source, (int)root.Start.Line, (int)root.Start.Column);
        return Read(root, source, 0);
    }

    private static KubeProxyConfigFile Read(YamlMappingNode root, string source, int lineOffset)
    {
        var ipvs = Child(root, "ipvs") as YamlMappingNode;
        var iptables = Child(root, "iptables") as YamlMappingNode;
        var detect = Child(root, "detectLocal") as YamlMappingNode;
        ClusterSourceException Bad(YamlNode node, string what)
            => new($"{what}.", FailureKind.InvalidArgument, source, (int)node.Start.Line + lineOffset, (int)node.Start.Column);

        IReadOnlyList<IpNetwork>? Cidrs(YamlMappingNode? parent, string field, bool keywords, out bool primary)
        {
            primary = false;
            var node = parent is null ? null : Child(parent, field);
            if (node is null or YamlScalarNode { Value: null or "" or "null" or "~" }) return null;
            var texts = node switch
            {
                YamlSequenceNode seq => seq.Children.Select(c => (c, (c as YamlScalarNode)?.Value ?? "")).ToList(),
                YamlScalarNode s => s.Value!.Split(',').Select(t => ((YamlNode)s, t.Trim())).ToList(),
                _ => throw Bad(node, $"{field} is neither a list nor a string of CIDRs"),
            };
            var list = new List<IpNetwork>();
            foreach (var (at, text) in texts)
            {
                if (keywords && text == "all") list.AddRange([IpNetwork.Parse("0.0.0.0/0"), IpNetwork.Parse("::/0")]);
                else if (keywords && text == "localhost") list.AddRange([IpNetwork.Parse("127.0.0.0/8"), IpNetwork.Parse("::1/128")]);
                else if (keywords && text == "primary") primary = true;
                else if (text.Contains('/') && IpNetwork.TryParse(text, out var net)) list.Add(net!);
                else throw Bad(at, $"{field}: '{text}' is not a CIDR" + (keywords ? " nor one of the keywords all, primary, localhost" : ""));
            }
            return list;
        }

        bool? Bool(YamlMappingNode? parent, string field)
        {
            if (parent is null || Child(parent, field) is not YamlScalarNode { Value: { } v } node || v is "" or "null" or "~") return null;
            return v switch { "true" or "True" => true, "false" or "False" => false, _ => throw Bad(node, $"{field}: '{v}' is not true or false") };
        }

        TimeSpan? Duration(string field)
        {
            if (ipvs is null || Child(ipvs, field) is not YamlScalarNode { Value: { } v } node || v is "" or "null" or "~") return null;
            return GoDuration.TryParse(v, out var d) && d >= TimeSpan.Zero ? d : throw Bad(node, $"ipvs.{field}: '{v}' is not a duration such as 900s or 15m0s");
        }

        int? bit = null;
        if (iptables is not null && Child(iptables, "masqueradeBit") is YamlScalarNode { Value: { Length: > 0 } b } bitNode && b is not ("null" or "~"))
        {
            if (!int.TryParse(b, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n > 31) throw Bad(bitNode, $"iptables.masqueradeBit: '{b}' is not in 0-31");
            bit = n;
        }

        KubeLocalMode? mode = null;
        if (Child(root, "detectLocalMode") is YamlScalarNode { Value: { Length: > 0 } m } modeNode && m is not ("null" or "~"))
        {
            mode = Enum.TryParse<KubeLocalMode>(m, ignoreCase: false, out var parsed) && Enum.IsDefined(parsed) && !char.IsDigit(m[0])
                ? parsed
                : throw Bad(modeNode, $"detectLocalMode: '{m}' is not ClusterCIDR, NodeCIDR, BridgeInterface or InterfaceNamePrefix");
        }

        IPAddress? bind = null;
        if (Scalar(root, "bindAddress") is { Length: > 0 } bindText)
        {
            if (!IPAddress.TryParse(bindText, out var ip)) throw Bad(Child(root, "bindAddress")!, $"bindAddress: '{bindText}' is not an IP address");
            if (!ip.Equals(IPAddress.Any) && !ip.Equals(IPAddress.IPv6Any)) bind = ip;
        }

        var cluster = Cidrs(root, "clusterCIDR", false, out _);
        var nodePorts = Cidrs(root, "nodePortAddresses", true, out var primary);
        return new KubeProxyConfigFile
        {
            Source = source,
            Mode = Scalar(root, "mode") ?? "",
            HostnameOverride = Scalar(root, "hostnameOverride") is { Length: > 0 } h ? h : null,
            BindAddress = bind,
            Scheduler = ipvs is null ? null : Scalar(ipvs, "scheduler") is { Length: > 0 } s ? s : null,
            ExcludeCidrs = Cidrs(ipvs, "excludeCIDRs", false, out _),
            StrictArp = Bool(ipvs, "strictARP"),
            TcpTimeout = Duration("tcpTimeout"),
            TcpFinTimeout = Duration("tcpFinTimeout"),
            UdpTimeout = Duration("udpTimeout"),
            ClusterCidrs = cluster,
            NodePortAddresses = nodePorts,
            NodePortAddressesPrimary = primary,
            MasqueradeAll = Bool(iptables, "masqueradeAll"),
            MasqueradeBit = bit,
            DetectLocalMode = mode,
            BridgeInterface = detect is null ? null : Scalar(detect, "bridgeInterface"),
            InterfaceNamePrefix = detect is null ? null : Scalar(detect, "interfaceNamePrefix"),
        };
    }

    private static YamlMappingNode Root(string text, string source)
    {
        var stream = new YamlStream();
        try
        {
            using var reader = new StringReader(text);
            stream.Load(reader);
        }
        catch (YamlException ex)
        {
            throw new ClusterSourceException(ex.Message, FailureKind.InvalidArgument, source, (int)ex.Start.Line, (int)ex.Start.Column, ex);
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
            throw new ClusterSourceException("The file holds no YAML or JSON object.", FailureKind.InvalidArgument, source);
        return root;
    }

    private static YamlNode? Child(YamlMappingNode parent, string name)
        => parent.Children.TryGetValue(new YamlScalarNode(name), out var node) ? node : null;

    private static string? Scalar(YamlMappingNode parent, string name)
        => Child(parent, name) is YamlScalarNode { Value: { } v } && v is not ("null" or "~") ? v : null;
}

/// <summary>Go's time.Duration text (what metav1.Duration holds): "900s", "15m0s", "1h2m3.5s", "500ms", "0".</summary>
internal static class GoDuration
{
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (text == "0") return true;
        var span = text.AsSpan();
        var negative = span.Length > 0 && span[0] == '-';
        if (span.Length > 0 && span[0] is '-' or '+') span = span[1..];
        if (span.Length == 0) return false;
        double total = 0;
        while (span.Length > 0)
        {
            var n = 0;
            while (n < span.Length && (char.IsAsciiDigit(span[n]) || span[n] == '.')) n++;
            if (n == 0 || !double.TryParse(span[..n], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number)) return false;
            span = span[n..];
            var u = 0;
            while (u < span.Length && !char.IsAsciiDigit(span[u]) && span[u] != '.') u++;
            var unit = span[..u].ToString();
            span = span[u..];
            double? scale = unit switch { "ns" => 1e-9, "us" or "µs" or "μs" => 1e-6, "ms" => 1e-3, "s" => 1, "m" => 60, "h" => 3600, _ => null };
            if (scale is null) return false;
            total += number * scale.Value;
        }
        value = TimeSpan.FromSeconds(negative ? -total : total);
        return true;
    }
}

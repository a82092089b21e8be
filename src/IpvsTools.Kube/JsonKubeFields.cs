using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using IpvsTools.Cluster;

namespace IpvsTools.Kube;

/// <summary>Reads one property's value (current: its name) for the object being read.</summary>
internal delegate void JsonPropertyReader(ref Utf8JsonReader reader);

/// <summary>Reads one JSON object (current: its StartObject; on return: its EndObject) into what keeps its fields.</summary>
internal delegate T JsonObjectReader<T>(ref Utf8JsonReader reader);

/// <summary>
/// The readers of the fields <see cref="KubeObjectMapper"/> uses, from a <see cref="Utf8JsonReader"/>, into
/// the values its shared rules take (no KubernetesClient model objects). Each field takes exactly the JSON types the YAML path turns into the
/// same value (a string for a string, an integer for a number, true or false for a flag, null for none);
/// anything else throws <see cref="GiveUp"/>'s exception, and the whole file goes to the YAML path. A
/// repeated name is read again, the last one kept, as YamlDotNet keeps it. Other fields are skipped.
/// </summary>
internal static partial class JsonKubeFields
{
    /// <summary>The exception that abandons the fast path (never shown to anyone).</summary>
    public static JsonException GiveUp() => new("The JSON fast path leaves this file to the YAML path.");

    /// <summary>The next token; the end of the text gives up.</summary>
    public static void Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read()) throw GiveUp();
    }

    /// <summary>
    /// An object of a snapshot (current: its StartObject). The fields a kind does not have are skipped once
    /// its 'kind' has been read; <paramref name="items"/> reads a List's 'items' (null: skipped).
    /// </summary>
    public static JsonKubeObject ReadObject(ref Utf8JsonReader reader, JsonPropertyReader? items)
    {
        var o = new JsonKubeObject();
        while (NextProperty(ref reader))
        {
            var kind = o.Kind;
            if (reader.ValueTextEquals("kind"u8))
            {
                Next(ref reader);
                if (reader.TokenType != JsonTokenType.String) throw GiveUp(); // YAML takes 5 or true as a kind; let it
                o.Kind = JsonStringPool.Get(ref reader);
            }
            else if (reader.ValueTextEquals("metadata"u8) && kind is null or "Service" or "EndpointSlice" or "Node") o.Metadata = Object(ref reader, Metadata);
            else if (reader.ValueTextEquals("items"u8) && items is not null) items(ref reader);
            else if (reader.ValueTextEquals("spec"u8) && kind is "Node") NodeSpec(ref reader, o);
            else if (reader.ValueTextEquals("spec"u8) && kind is null or "Service") o.Spec = ServiceSpec(ref reader, kind is null ? o : null);
            else if (reader.ValueTextEquals("status"u8) && kind is null or "Service" or "Node") Status(ref reader, o);
            else if (reader.ValueTextEquals("addressType"u8) && kind is null or "EndpointSlice") o.AddressType = String(ref reader);
            else if (reader.ValueTextEquals("endpoints"u8) && kind is null or "EndpointSlice") o.Endpoints = SliceEndpoints(ref reader);
            else if (reader.ValueTextEquals("ports"u8) && kind is null or "EndpointSlice") o.Ports = SlicePorts(ref reader);
            else reader.Skip();
        }
        return o;
    }

    private static JsonKubeMeta Metadata(ref Utf8JsonReader reader)
    {
        var meta = new JsonKubeMeta();
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("name"u8)) meta.Name = String(ref reader);
            else if (reader.ValueTextEquals("namespace"u8)) meta.Namespace = String(ref reader);
            else if (reader.ValueTextEquals("labels"u8)) meta.Labels = Labels(ref reader);
            else reader.Skip();
        }
        return meta;
    }

    private static void NodeSpec(ref Utf8JsonReader reader, JsonKubeObject o)
    {
        (o.NodePodCidr, o.NodePodCidrs) = (null, null);
        if (!StartObjectOrNull(ref reader)) return;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("podCIDR"u8)) o.NodePodCidr = String(ref reader);
            else if (reader.ValueTextEquals("podCIDRs"u8)) o.NodePodCidrs = Strings(ref reader);
            else reader.Skip();
        }
    }

    /// <summary>
    /// spec (current: its name) of a Service, or of an object whose kind is not read yet (an item of a typed
    /// list, such as a NodeList's), whose Node fields (podCIDR, podCIDRs) are kept in <paramref name="node"/> too.
    /// </summary>
    private static KubeServiceSpecFields? ServiceSpec(ref Utf8JsonReader reader, JsonKubeObject? node)
    {
        if (node is not null) (node.NodePodCidr, node.NodePodCidrs) = (null, null);
        if (!StartObjectOrNull(ref reader)) return null;
        var spec = new KubeServiceSpecFields();
        while (NextProperty(ref reader))
        {
            if (node is not null && reader.ValueTextEquals("podCIDR"u8)) node.NodePodCidr = String(ref reader);
            else if (node is not null && reader.ValueTextEquals("podCIDRs"u8)) node.NodePodCidrs = Strings(ref reader);
            else if (reader.ValueTextEquals("type"u8)) spec.Type = String(ref reader);
            else if (reader.ValueTextEquals("clusterIP"u8)) spec.ClusterIP = String(ref reader);
            else if (reader.ValueTextEquals("clusterIPs"u8)) spec.ClusterIPs = Strings(ref reader);
            else if (reader.ValueTextEquals("ipFamilies"u8)) spec.IpFamilies = Strings(ref reader);
            else if (reader.ValueTextEquals("ports"u8)) spec.Ports = ServicePorts(ref reader);
            else if (reader.ValueTextEquals("externalIPs"u8)) spec.ExternalIPs = Strings(ref reader);
            else if (reader.ValueTextEquals("loadBalancerSourceRanges"u8)) spec.LoadBalancerSourceRanges = Strings(ref reader);
            else if (reader.ValueTextEquals("sessionAffinity"u8)) spec.SessionAffinity = String(ref reader);
            else if (reader.ValueTextEquals("sessionAffinityConfig"u8)) spec.SessionAffinityTimeoutSeconds = AffinityTimeout(ref reader);
            else if (reader.ValueTextEquals("internalTrafficPolicy"u8)) spec.InternalTrafficPolicy = String(ref reader);
            else if (reader.ValueTextEquals("externalTrafficPolicy"u8)) spec.ExternalTrafficPolicy = String(ref reader);
            else if (reader.ValueTextEquals("healthCheckNodePort"u8)) spec.HealthCheckNodePort = NullableInt(ref reader);
            else if (reader.ValueTextEquals("trafficDistribution"u8)) spec.TrafficDistribution = String(ref reader);
            else if (reader.ValueTextEquals("externalName"u8)) spec.ExternalName = String(ref reader);
            else reader.Skip();
        }
        return spec;
    }

    /// <summary>spec.ports (current: its name): the items that are not null with their places, or null.</summary>
    private static List<KubeServicePortFields>? ServicePorts(ref Utf8JsonReader reader)
    {
        if (!StartArrayOrNull(ref reader)) return null;
        var ports = new List<KubeServicePortFields>(1);
        for (var index = 0; NextItem(ref reader); index++)
        {
            if (!ObjectItem(ref reader)) continue;
            string? name = null, protocol = null, targetPort = null;
            int port = 0; // absent: the model's 0, which the mapper refuses
            int? nodePort = null;
            while (NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("name"u8)) name = String(ref reader);
                else if (reader.ValueTextEquals("protocol"u8)) protocol = String(ref reader);
                else if (reader.ValueTextEquals("port"u8)) port = Int(ref reader);
                else if (reader.ValueTextEquals("nodePort"u8)) nodePort = NullableInt(ref reader);
                else if (reader.ValueTextEquals("targetPort"u8)) targetPort = TargetPort(ref reader);
                else reader.Skip();
            }
            ports.Add(new KubeServicePortFields(index, name, protocol, port, nodePort, targetPort));
        }
        return ports;
    }

    /// <summary>
    /// targetPort (current: its name): a number or a string, as IntOrString's Value (the number's text); null
    /// and "" give up, as the YAML path makes them "null" and no value.
    /// </summary>
    private static string TargetPort(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        var value = reader.TokenType switch
        {
            JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
            JsonTokenType.String => JsonStringPool.Get(ref reader),
            _ => null,
        };
        if (string.IsNullOrEmpty(value)) throw GiveUp();
        return value;
    }

    /// <summary>
    /// sessionAffinityConfig (current: its name): its clientIP.timeoutSeconds; null when that or what holds it
    /// is null or absent (a repeated name replaces the whole object, as YamlDotNet does).
    /// </summary>
    private static int? AffinityTimeout(ref Utf8JsonReader reader)
    {
        int? timeout = null;
        if (!StartObjectOrNull(ref reader)) return null;
        while (NextProperty(ref reader))
        {
            if (!reader.ValueTextEquals("clientIP"u8))
            {
                reader.Skip();
                continue;
            }
            timeout = null;
            if (!StartObjectOrNull(ref reader)) continue;
            while (NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("timeoutSeconds"u8)) timeout = NullableInt(ref reader);
                else reader.Skip();
            }
        }
        return timeout;
    }

    /// <summary>A list's start (true) or null (false), current: the property's name; anything else gives up.</summary>
    private static bool StartArrayOrNull(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Null) return false;
        if (reader.TokenType != JsonTokenType.StartArray) throw GiveUp();
        return true;
    }

    /// <summary>Moves to the next item of the list being read; false at its end.</summary>
    private static bool NextItem(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        return reader.TokenType != JsonTokenType.EndArray;
    }

    /// <summary>The current item is an object (true, current: its StartObject) or null (false); anything else gives up.</summary>
    private static bool ObjectItem(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartObject => true,
        JsonTokenType.Null => false,
        _ => throw GiveUp(),
    };

    /// <summary>An object's start (true) or null (false), current: the property's name; anything else gives up.</summary>
    private static bool StartObjectOrNull(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Null) return false;
        if (reader.TokenType != JsonTokenType.StartObject) throw GiveUp();
        return true;
    }

    /// <summary>status (current: its name): a Service's loadBalancer.ingress and a Node's addresses.</summary>
    private static void Status(ref Utf8JsonReader reader, JsonKubeObject o)
    {
        o.Ingress = null;
        o.NodeAddresses = null;
        if (!StartObjectOrNull(ref reader)) return;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("loadBalancer"u8))
            {
                o.Ingress = null;
                if (!StartObjectOrNull(ref reader)) continue;
                while (NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("ingress"u8)) o.Ingress = Ingress(ref reader);
                    else reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("addresses"u8)) o.NodeAddresses = NodeAddresses(ref reader);
            else reader.Skip();
        }
    }

    /// <summary>status.loadBalancer.ingress (current: its name): the items that are not null with their places, or null.</summary>
    private static List<KubeIngressFields>? Ingress(ref Utf8JsonReader reader)
    {
        if (!StartArrayOrNull(ref reader)) return null;
        var ingress = new List<KubeIngressFields>(1);
        for (var index = 0; NextItem(ref reader); index++)
        {
            if (!ObjectItem(ref reader)) continue;
            string? ip = null, hostname = null, ipMode = null;
            while (NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("ip"u8)) ip = String(ref reader);
                else if (reader.ValueTextEquals("hostname"u8)) hostname = String(ref reader);
                else if (reader.ValueTextEquals("ipMode"u8)) ipMode = String(ref reader);
                else reader.Skip();
            }
            ingress.Add(new KubeIngressFields(index, ip, hostname, ipMode));
        }
        return ingress;
    }

    /// <summary>A Node's status.addresses (current: its name): the items that are not null, by the mapper's rule; or null.</summary>
    private static List<KubeNodeAddress>? NodeAddresses(ref Utf8JsonReader reader)
    {
        if (!StartArrayOrNull(ref reader)) return null;
        var addresses = new List<KubeNodeAddress>();
        while (NextItem(ref reader))
        {
            if (!ObjectItem(ref reader)) continue;
            string? type = null, address = null;
            while (NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("type"u8)) type = String(ref reader);
                else if (reader.ValueTextEquals("address"u8)) address = String(ref reader);
                else reader.Skip();
            }
            addresses.Add(KubeObjectMapper.NodeAddress(type, address));
        }
        return addresses;
    }

    private static string? NameOnly(ref Utf8JsonReader reader)
    {
        string? name = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("name"u8)) name = String(ref reader);
            else reader.Skip();
        }
        return name;
    }

    /// <summary>Moves to the next property name of the object being read; false at its end.</summary>
    private static bool NextProperty(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        return reader.TokenType == JsonTokenType.PropertyName;
    }

    /// <summary>An object or null (current: the property's name).</summary>
    private static T? Object<T>(ref Utf8JsonReader reader, JsonObjectReader<T> read) where T : class
    {
        Next(ref reader);
        return reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.StartObject => read(ref reader),
            _ => throw GiveUp(),
        };
    }

    /// <summary>A list of strings and nulls (as YamlDotNet keeps them), or null (current: the property's name).</summary>
    private static List<string>? Strings(ref Utf8JsonReader reader)
    {
        if (!StartArrayOrNull(ref reader)) return null;
        var list = new List<string>();
        while (NextItem(ref reader)) list.Add(StringItem(ref reader)!);
        return list;
    }

    /// <summary>metadata.labels (current: the property's name): names to strings or nulls, mapped by the mapper's rule; or null.</summary>
    private static Dictionary<string, string>? Labels(ref Utf8JsonReader reader)
    {
        if (!StartObjectOrNull(ref reader)) return null;
        var labels = KubeObjectMapper.NewLabels();
        while (NextProperty(ref reader))
        {
            var name = JsonStringPool.Get(ref reader);
            KubeObjectMapper.AddLabel(labels, name, String(ref reader));
        }
        return labels;
    }

    /// <summary>A string or null (current: the property's name).</summary>
    private static string? String(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        return StringItem(ref reader);
    }

    /// <summary>The current token as a string or null; anything else gives up.</summary>
    private static string? StringItem(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => JsonStringPool.Get(ref reader),
        JsonTokenType.Null => null,
        _ => throw GiveUp(),
    };

    /// <summary>An integer that fits in 32 bits (current: the property's name); null gives up.</summary>
    private static int Int(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value)) return value;
        throw GiveUp();
    }

    private static int? NullableInt(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        if (reader.TokenType == JsonTokenType.Null) return null;
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var value)) return value;
        throw GiveUp();
    }

    private static bool? NullableBool(ref Utf8JsonReader reader)
    {
        Next(ref reader);
        return reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.Null => null,
            _ => throw GiveUp(),
        };
    }
}

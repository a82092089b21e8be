using System;
using System.Collections.Generic;
using System.Text.Json;
using IpvsTools.Cluster;

namespace IpvsTools.Kube;

/// <summary>One item of an EndpointSlice's ports as the file has it: its place in the list (nulls counted) and its values.</summary>
internal readonly record struct JsonSlicePort(int Index, string? Name, string? Protocol, int? Port);

/// <summary>
/// An EndpointSlice's endpoints and ports, read straight into the engine's cluster types (a large snapshot's
/// endpoints are most of it): no KubernetesClient model objects and no lists that are thrown away, the
/// values handed to <see cref="KubeObjectMapper"/>'s shared rules (<see cref="KubeObjectMapper.Endpoint"/>,
/// <see cref="KubeObjectMapper.NonNull"/>, <see cref="KubeObjectMapper.HintNames"/>), which the YAML path
/// applies to what YamlDotNet deserializes. The lists are gathered in this thread's scratch lists and copied
/// once at their final size. The JSON types each field takes are those of the model readers beside this.
/// </summary>
internal static partial class JsonKubeFields
{
    [ThreadStatic] private static List<KubeEndpoint>? _scratchEndpoints;
    [ThreadStatic] private static List<string>? _scratchAddresses;
    [ThreadStatic] private static List<string?>? _scratchHints;

    /// <summary>endpoints (current: its name): the endpoints that are not null, or null.</summary>
    private static List<KubeEndpoint>? SliceEndpoints(ref Utf8JsonReader reader)
    {
        if (!StartArrayOrNull(ref reader)) return null;
        var scratch = _scratchEndpoints ??= new List<KubeEndpoint>();
        scratch.Clear();
        while (NextItem(ref reader))
        {
            if (ObjectItem(ref reader)) scratch.Add(SliceEndpoint(ref reader)); // the mapper passes over an endpoint that is null
        }
        var endpoints = new List<KubeEndpoint>(scratch);
        scratch.Clear();
        return endpoints;
    }

    /// <summary>One endpoint (current: its StartObject). A repeated name replaces the whole value, as YamlDotNet does.</summary>
    private static KubeEndpoint SliceEndpoint(ref Utf8JsonReader reader)
    {
        List<string>? addresses = null; // this thread's scratch list, until the mapper copies it
        bool? ready = null, serving = null, terminating = null;
        string? nodeName = null, zone = null;
        var zoneHints = KubeObjectMapper.HintNames(null);
        var nodeHints = zoneHints;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("addresses"u8)) addresses = SliceAddresses(ref reader);
            else if (reader.ValueTextEquals("conditions"u8))
            {
                (ready, serving, terminating) = (null, null, null);
                if (!StartObjectOrNull(ref reader)) continue;
                while (NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("ready"u8)) ready = NullableBool(ref reader);
                    else if (reader.ValueTextEquals("serving"u8)) serving = NullableBool(ref reader);
                    else if (reader.ValueTextEquals("terminating"u8)) terminating = NullableBool(ref reader);
                    else reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("nodeName"u8)) nodeName = String(ref reader);
            else if (reader.ValueTextEquals("zone"u8)) zone = String(ref reader);
            else if (reader.ValueTextEquals("hints"u8))
            {
                zoneHints = nodeHints = KubeObjectMapper.HintNames(null);
                if (!StartObjectOrNull(ref reader)) continue;
                while (NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("forZones"u8)) zoneHints = SliceHints(ref reader);
                    else if (reader.ValueTextEquals("forNodes"u8)) nodeHints = SliceHints(ref reader);
                    else reader.Skip();
                }
            }
            else reader.Skip();
        }
        var endpoint = KubeObjectMapper.Endpoint(addresses, ready, serving, terminating, nodeName, zone, zoneHints, nodeHints);
        addresses?.Clear();
        return endpoint;
    }

    /// <summary>addresses (current: its name): its strings and nulls in this thread's scratch list, or null.</summary>
    private static List<string>? SliceAddresses(ref Utf8JsonReader reader)
    {
        if (!StartArrayOrNull(ref reader)) return null;
        var scratch = _scratchAddresses ??= new List<string>();
        scratch.Clear();
        while (NextItem(ref reader)) scratch.Add(StringItem(ref reader)!);
        return scratch;
    }

    /// <summary>forZones or forNodes (current: its name): the mapper's names of its items (an item that is null: a null name).</summary>
    private static IReadOnlyList<string> SliceHints(ref Utf8JsonReader reader)
    {
        if (!StartArrayOrNull(ref reader)) return KubeObjectMapper.HintNames(null);
        var scratch = _scratchHints ??= new List<string?>();
        scratch.Clear();
        while (NextItem(ref reader)) scratch.Add(ObjectItem(ref reader) ? NameOnly(ref reader) : null);
        var names = KubeObjectMapper.HintNames(scratch);
        scratch.Clear();
        return names;
    }

    /// <summary>An EndpointSlice's ports (current: its name): the items that are not null with their places, or null.</summary>
    private static List<JsonSlicePort>? SlicePorts(ref Utf8JsonReader reader)
    {
        if (!StartArrayOrNull(ref reader)) return null;
        var ports = new List<JsonSlicePort>(1);
        for (var index = 0; NextItem(ref reader); index++)
        {
            if (!ObjectItem(ref reader)) continue;
            string? name = null, protocol = null;
            int? port = null;
            while (NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("name"u8)) name = String(ref reader);
                else if (reader.ValueTextEquals("protocol"u8)) protocol = String(ref reader);
                else if (reader.ValueTextEquals("port"u8)) port = NullableInt(ref reader);
                else reader.Skip();
            }
            ports.Add(new JsonSlicePort(index, name, protocol, port));
        }
        return ports;
    }
}

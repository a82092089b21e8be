using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using k8s;
using k8s.Autorest;
using k8s.Exceptions;
using k8s.Models;
using IpvsTools.Cluster;

namespace IpvsTools.Kube;

/// <summary>
/// Reads the cluster from its API server, as kube-proxy does at start: every Service and EndpointSlice
/// (paged, 500 at a time) and this node's Node object.
/// </summary>
public static class LiveClusterSource
{
    /// <summary>Items per list request.</summary>
    public const int PageSize = 500;

    /// <summary>
    /// Reads Services, EndpointSlices and the Node called <paramref name="nodeName"/> (none when null).
    /// Configuration: <paramref name="kubeconfig"/> (and <paramref name="context"/>) when given; else the
    /// in-cluster service account when running in a pod; else $KUBECONFIG or ~/.kube/config.
    /// </summary>
    public static ClusterSnapshot Read(string? kubeconfig, string? context, string? nodeName, CancellationToken cancellationToken = default)
    {
        var config = Configure(kubeconfig, context);
        var server = config.Host ?? "(no server)";
        try
        {
            using var client = Client(config, server);
            return ReadAsync(client, server, nodeName, cancellationToken).GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is not ClusterSourceException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            Rethrow(ex, server, cancellationToken);
            throw;
        }
    }

    /// <summary>A client for the configuration; a client certificate or key that cannot be used is a <see cref="ClusterSourceException"/>.</summary>
    internal static Kubernetes Client(KubernetesClientConfiguration config, string server)
    {
        try
        {
            return new Kubernetes(config);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            Rethrow(ex, server, CancellationToken.None);
            throw;
        }
    }

    /// <summary>Throws a failure of KubernetesClient or the network as a <see cref="ClusterSourceException"/>; returns for anything else.</summary>
    internal static void Rethrow(Exception ex, string server, CancellationToken cancellationToken)
    {
        switch (ex)
        {
            case HttpOperationException http:
                var status = http.Response?.StatusCode ?? 0;
                var kind = status switch
                {
                    HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => FailureKind.PermissionDenied,
                    HttpStatusCode.NotFound => FailureKind.NotFound,
                    _ => FailureKind.Other,
                };
                var hint = kind == FailureKind.PermissionDenied
                    ? " The credentials need list and watch on services and discovery.k8s.io/endpointslices and get on nodes (kube-proxy's ClusterRole system:node-proxier has them)."
                    : "";
                // No inner exception: an HttpOperationException holds the request with its headers, the
                // bearer token among them, and an ErrorRecord would show it (and remoting would carry it).
                throw new ClusterSourceException($"The API server answered {(int)status} {status}: {Body(http)}{hint}", kind, server);
            case HttpRequestException:
                throw new ClusterSourceException("The API server cannot be reached: " + ex.Message, FailureKind.Other, server, inner: ex);
            case TaskCanceledException when !cancellationToken.IsCancellationRequested:
                throw new ClusterSourceException("The API server did not answer in time.", FailureKind.Timeout, server, inner: ex);
            case KubernetesClientException:
                throw new ClusterSourceException(ex.Message, FailureKind.Other, server, inner: ex);
            case MappingException mapping:
                throw new ClusterSourceException($"{mapping.Field}: {mapping.Message}", FailureKind.InvalidArgument, server, inner: ex);
            case System.Security.Cryptography.CryptographicException:
                throw new ClusterSourceException("The kubeconfig's client certificate or key cannot be used: " + ex.Message, FailureKind.InvalidArgument, server, inner: ex);
            case System.Text.Json.JsonException:
                throw new ClusterSourceException("The API server's answer is not the JSON of Kubernetes objects: " + ex.Message, FailureKind.Protocol, server, inner: ex);
        }
    }

    internal static KubernetesClientConfiguration Configure(string? kubeconfig, string? context)
    {
        if (kubeconfig is not null && !System.IO.File.Exists(kubeconfig))
            throw new ClusterSourceException("The kubeconfig file does not exist.", FailureKind.NotFound, kubeconfig);
        try
        {
            if (kubeconfig is null && context is null && KubernetesClientConfiguration.IsInCluster())
                return KubernetesClientConfiguration.InClusterConfig();
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig, context);
        }
        catch (Exception ex) when (ex is KubeConfigException or System.IO.IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException or ArgumentException)
        {
            var where = kubeconfig ?? Environment.GetEnvironmentVariable("KUBECONFIG") ?? "~/.kube/config";
            var kind = ex is System.IO.FileNotFoundException or System.IO.DirectoryNotFoundException ? FailureKind.NotFound : FailureKind.InvalidArgument;
            throw new ClusterSourceException("The kubeconfig cannot be used: " + ex.Message, kind, where, inner: ex);
        }
    }

    private static async Task<ClusterSnapshot> ReadAsync(Kubernetes client, string server, string? nodeName, CancellationToken ct)
    {
        var services = new List<KubeService>();
        string? next = null;
        do
        {
            var page = await client.CoreV1.ListServiceForAllNamespacesAsync(continueParameter: next, limit: PageSize, cancellationToken: ct).ConfigureAwait(false);
            foreach (var s in page.Items ?? Array.Empty<V1Service>()) services.Add(Mapped(s, KubeObjectMapper.Service, "Service", s.Metadata));
            next = page.Metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(next));

        var slices = new List<KubeEndpointSlice>();
        next = null;
        do
        {
            var page = await client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(continueParameter: next, limit: PageSize, cancellationToken: ct).ConfigureAwait(false);
            foreach (var s in page.Items ?? Array.Empty<V1EndpointSlice>()) slices.Add(Mapped(s, KubeObjectMapper.EndpointSlice, "EndpointSlice", s.Metadata));
            next = page.Metadata?.ContinueProperty;
        }
        while (!string.IsNullOrEmpty(next));

        var nodes = await ReadNodeAsync(client, server, nodeName, ct).ConfigureAwait(false);
        return new ClusterSnapshot(services, slices, nodes, server);
    }

    /// <summary>The Node called <paramref name="nodeName"/> (none when null); a missing one is NotFound.</summary>
    internal static async Task<IReadOnlyList<KubeNode>> ReadNodeAsync(Kubernetes client, string server, string? nodeName, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(nodeName)) return Array.Empty<KubeNode>();
        try
        {
            var node = await client.CoreV1.ReadNodeAsync(nodeName, cancellationToken: ct).ConfigureAwait(false);
            return new[] { KubeObjectMapper.Node(node) };
        }
        catch (HttpOperationException ex) when (ex.Response?.StatusCode == HttpStatusCode.NotFound)
        {
            throw new ClusterSourceException($"The cluster has no node called '{nodeName}'.", FailureKind.NotFound, server);
        }
    }

    internal static TModel Mapped<TObject, TModel>(TObject obj, Func<TObject, TModel> map, string kind, V1ObjectMeta? meta)
    {
        try
        {
            return map(obj);
        }
        catch (MappingException ex)
        {
            throw new MappingException($"{kind} {meta?.NamespaceProperty}/{meta?.Name}: {ex.Message}", ex.Field);
        }
    }

    private static string Body(HttpOperationException ex)
    {
        var content = ex.Response?.Content;
        if (string.IsNullOrWhiteSpace(content)) return ex.Message;
        return content.Length > 300 ? content.Substring(0, 300) + "..." : content;
    }
}

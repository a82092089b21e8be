using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using k8s;
using k8s.Autorest;
using k8s.Models;
using IpvsTools.Cluster;

namespace IpvsTools.Kube;

/// <summary>
/// Follows the cluster as kube-proxy does: lists Services and EndpointSlices, then watches both from
/// the listed resource versions and yields a fresh snapshot after changes, saying which Services and
/// EndpointSlices changed (<see cref="ClusterSnapshot.Changes"/>). A slow consumer gets only the newest
/// snapshot (changes in between are folded into it, and into its Changes). When a watch ends (the server's
/// timeout) or its resource version expired (410 Gone), everything is listed again.
/// </summary>
public static class LiveClusterWatch
{
    /// <summary>
    /// Snapshots of the cluster: the first right after the lists, then one after each batch of
    /// changes, until <paramref name="cancellationToken"/> is cancelled (the enumeration then ends).
    /// Failures raise <see cref="ClusterSourceException"/> from the enumeration.
    /// </summary>
    public static IEnumerable<ClusterSnapshot> Watch(string? kubeconfig, string? context, string? nodeName, CancellationToken cancellationToken)
    {
        var config = LiveClusterSource.Configure(kubeconfig, context);
        var server = config.Host ?? "(no server)";
        using var client = LiveClusterSource.Client(config, server);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var box = new LatestSnapshot();
        var pump = Task.Run(() => PumpAsync(client, server, nodeName, box, stop.Token));
        try
        {
            while (true)
            {
                ClusterSnapshot? next;
                try
                {
                    next = box.Take(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
                if (next is null) break; // the pump ended
                yield return next;
            }
            // The pump ended by itself: a failure (wait for the task, whose exception is set after its finally ran).
            Exception? failure = null;
            try
            {
                pump.GetAwaiter().GetResult();
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                failure = ex;
            }
            if (failure is not null)
            {
                LiveClusterSource.Rethrow(failure, server, cancellationToken);
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(failure).Throw();
            }
        }
        finally
        {
            stop.Cancel();
            try
            {
                pump.Wait(TimeSpan.FromSeconds(10));
            }
            catch (AggregateException)
            {
            }
        }
    }

    private static async Task PumpAsync(Kubernetes client, string server, string? nodeName, LatestSnapshot box, CancellationToken ct)
    {
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var services = new Dictionary<string, KubeService>(StringComparer.Ordinal);
                var slices = new Dictionary<string, KubeEndpointSlice>(StringComparer.Ordinal);
                var serviceVersion = await ListAsync(ct, (next, t) => client.CoreV1.ListServiceForAllNamespacesAsync(continueParameter: next, limit: LiveClusterSource.PageSize, cancellationToken: t),
                    l => (l.Items, l.Metadata), s => services[Key(s.Metadata)] = LiveClusterSource.Mapped(s, KubeObjectMapper.Service, "Service", s.Metadata)).ConfigureAwait(false);
                var sliceVersion = await ListAsync(ct, (next, t) => client.DiscoveryV1.ListEndpointSliceForAllNamespacesAsync(continueParameter: next, limit: LiveClusterSource.PageSize, cancellationToken: t),
                    l => (l.Items, l.Metadata), s => slices[Key(s.Metadata)] = LiveClusterSource.Mapped(s, KubeObjectMapper.EndpointSlice, "EndpointSlice", s.Metadata)).ConfigureAwait(false);
                var nodes = await LiveClusterSource.ReadNodeAsync(client, server, nodeName, ct).ConfigureAwait(false);
                var gate = new object();
                // What changed since the last snapshot put in the box (the first after a list: everything).
                var changedServices = new HashSet<(string, string)>();
                var changedSlices = new HashSet<(string, string)>();
                var listed = true;
                void Publish()
                {
                    lock (gate)
                    {
                        var changes = listed ? ClusterChanges.Relist : new ClusterChanges(changedServices, changedSlices);
                        listed = false;
                        changedServices.Clear();
                        changedSlices.Clear();
                        box.Put(new ClusterSnapshot(services.Values.ToList(), slices.Values.ToList(), nodes, server) { Changes = changes });
                    }
                }
                Publish();

                using var round = CancellationTokenSource.CreateLinkedTokenSource(ct);
                var watches = new[]
                {
                    Follow(client.CoreV1.WatchListServiceForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: serviceVersion, cancellationToken: round.Token),
                        s => Key(s.Metadata), s => LiveClusterSource.Mapped(s, KubeObjectMapper.Service, "Service", s.Metadata), services, changedServices, gate, Publish),
                    Follow(client.DiscoveryV1.WatchListEndpointSliceForAllNamespacesAsync(allowWatchBookmarks: true, resourceVersion: sliceVersion, cancellationToken: round.Token),
                        s => Key(s.Metadata), s => LiveClusterSource.Mapped(s, KubeObjectMapper.EndpointSlice, "EndpointSlice", s.Metadata), slices, changedSlices, gate, Publish),
                };
                var ended = await Task.WhenAny(watches).ConfigureAwait(false);
                round.Cancel();
                try
                {
                    await Task.WhenAll(watches).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
                catch (Exception) when (ended.IsCompletedSuccessfully)
                {
                    // the other watch was cancelled mid-stream: it is listed again
                }
                await ended.ConfigureAwait(false); // a real failure of the watch that ended first surfaces here
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        finally
        {
            box.Complete();
        }
    }

    /// <summary>Applies a watch's events until it ends (server timeout or an ERROR event such as 410 Gone).</summary>
    private static async Task Follow<TObject, TModel>(IAsyncEnumerable<(WatchEventType, TObject)> events, Func<TObject, string> key, Func<TObject, TModel> map,
        Dictionary<string, TModel> state, HashSet<(string, string)> changed, object gate, Action publish)
        where TObject : IMetadata<V1ObjectMeta>
    {
        await foreach (var (type, obj) in events.ConfigureAwait(false))
        {
            switch (type)
            {
                case WatchEventType.Added or WatchEventType.Modified:
                    var model = map(obj);
                    lock (gate)
                    {
                        state[key(obj)] = model;
                        changed.Add((obj.Metadata?.NamespaceProperty ?? "default", obj.Metadata?.Name ?? ""));
                    }
                    publish();
                    break;
                case WatchEventType.Deleted:
                    lock (gate)
                    {
                        state.Remove(key(obj));
                        changed.Add((obj.Metadata?.NamespaceProperty ?? "default", obj.Metadata?.Name ?? ""));
                    }
                    publish();
                    break;
                case WatchEventType.Error:
                    return; // typically 410 Gone: list again
                default:
                    break; // bookmarks
            }
        }
    }

    private static async Task<string?> ListAsync<TList, TItem>(CancellationToken ct, Func<string?, CancellationToken, Task<TList>> page,
        Func<TList, (IList<TItem>? Items, V1ListMeta? Meta)> parts, Action<TItem> add)
    {
        string? next = null;
        string? version = null;
        do
        {
            var (items, meta) = parts(await page(next, ct).ConfigureAwait(false));
            foreach (var item in items ?? Array.Empty<TItem>()) add(item);
            next = meta?.ContinueProperty;
            version = meta?.ResourceVersion ?? version;
        }
        while (!string.IsNullOrEmpty(next));
        return version;
    }

    private static string Key(V1ObjectMeta? meta) => (meta?.NamespaceProperty ?? "") + "/" + (meta?.Name ?? "");

    /// <summary>A one-slot mailbox: Put replaces what was not taken yet, Take waits for something new.</summary>
    private sealed class LatestSnapshot
    {
        private readonly object _gate = new();
        private readonly SemaphoreSlim _signal = new(0);
        private ClusterSnapshot? _latest;
        private bool _completed;

        public void Put(ClusterSnapshot snapshot)
        {
            lock (_gate)
            {
                var wasEmpty = _latest is null;
                // Not taken yet: the new one replaces it, and says what changed since the one taken before.
                _latest = wasEmpty ? snapshot
                    : new ClusterSnapshot(snapshot.Services, snapshot.EndpointSlices, snapshot.Nodes, snapshot.Source) { Changes = ClusterChanges.Merge(_latest!.Changes, snapshot.Changes) };
                if (wasEmpty) _signal.Release();
            }
        }

        public void Complete()
        {
            lock (_gate)
            {
                _completed = true;
                _signal.Release();
            }
        }

        /// <summary>The newest snapshot, or null once the producer ended and everything was taken.</summary>
        public ClusterSnapshot? Take(CancellationToken ct)
        {
            while (true)
            {
                _signal.Wait(ct);
                lock (_gate)
                {
                    if (_latest is not null)
                    {
                        var s = _latest;
                        _latest = null;
                        return s;
                    }
                    if (_completed) return null;
                }
            }
        }
    }
}

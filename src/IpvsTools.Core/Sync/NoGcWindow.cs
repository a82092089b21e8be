using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime;

namespace IpvsTools.Sync;

/// <summary>
/// Holds the runtime's garbage collections off (a no-GC region) while a sync, a comparison or a plan reads the
/// cluster and the node and plans: what they allocate is mostly kept until the plan is made (the snapshot, the
/// desired state, the node's tables), so each collection on the way copies it again. In the lab, a no-op sync of
/// 10,000 Services x 10 ran 21 gen0, 14 gen1 and 3 gen2 collections; in a no-GC region it ran one, at its end,
/// and took a fifth less time. Once the work is done the region ends; the next collection finds what the work
/// allocated unreferenced. When the work allocates more than it said, the runtime collects and ends the region
/// itself: the rest runs as without it.
/// <para>
/// Process-wide: a second window while one is open (another runspace) is not opened, and a window is opened only
/// when the memory it asks for is a small part of what the machine has free. An operator who wants none sets
/// the environment variable IPVSTOOLS_NO_GC_WINDOW=1 for pwsh.
/// </para>
/// </summary>
public sealed class NoGcWindow : IDisposable
{
    /// <summary>Snapshots smaller than this are read and planned with the runtime's usual collections.</summary>
    public const long MinimumSnapshotBytes = 4L * 1024 * 1024;

    /// <summary>
    /// What a no-op sync allocates per byte of its snapshot file: 195 MB for the 39 MiB 10,000 Services x 10 file,
    /// about 5 (the read, the desired state, the node's tables, iptables-save, the plan), with room.
    /// </summary>
    public const int BytesPerSnapshotByte = 6;

    /// <summary>Beyond the snapshot's share: the cmdlet, the node read's fixed part and the pipeline.</summary>
    public const long BaseBytes = 32L * 1024 * 1024;

    /// <summary>A window asks for at most this share of the memory the machine (or its container) has free.</summary>
    public const int FreeMemoryShare = 4;

    /// <summary>The environment variable that, set to 1, keeps every window closed.</summary>
    public const string OptOutVariable = "IPVSTOOLS_NO_GC_WINDOW";

    private static readonly NoGcWindow Closed = new(0);

    private bool _ended;

    private NoGcWindow(long bytes) => Bytes = bytes;

    /// <summary>The allocations the window was opened for; 0 when none was opened.</summary>
    public long Bytes { get; }

    /// <summary>True when a no-GC region was started for this window.</summary>
    public bool IsOpen => Bytes > 0;

    /// <summary>
    /// A window for reading and planning the snapshot files <paramref name="paths"/>, sized from their lengths; not
    /// opened when one is not a regular file (a pipe's length is unknown), when together they are smaller than
    /// <see cref="MinimumSnapshotBytes"/>, or when <see cref="Open"/> declines.
    /// </summary>
    public static NoGcWindow ForSnapshotFiles(IEnumerable<string>? paths)
    {
        if (paths is null) return Closed;
        long total = 0;
        foreach (var path in paths)
        {
            try
            {
                var info = new FileInfo(path);
                if (!info.Exists || (info.Attributes & (FileAttributes.Device | FileAttributes.Directory)) != 0 || info.Length == 0) return Closed;
                total += info.Length;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                return Closed; // the read names the fault
            }
        }
        if (total < MinimumSnapshotBytes) return Closed;
        return Open(BaseBytes + BytesPerSnapshotByte * total);
    }

    /// <summary>
    /// Starts a no-GC region for <paramref name="bytes"/> of allocations, without a full blocking collection to
    /// make room. Declines (returns a window that is not open) when a region is open already, when the runtime
    /// cannot give that much without a full collection or at all, when it is more than a
    /// <see cref="FreeMemoryShare"/>th of the free memory, or when <see cref="OptOutVariable"/> is 1.
    /// </summary>
    public static NoGcWindow Open(long bytes)
    {
        if (bytes <= 0 || Environment.GetEnvironmentVariable(OptOutVariable) == "1") return Closed;
        var memory = GC.GetGCMemoryInfo();
        var free = memory.TotalAvailableMemoryBytes - memory.MemoryLoadBytes;
        if (bytes > free / FreeMemoryShare) return Closed;
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) return Closed;
        try
        {
            return GC.TryStartNoGCRegion(bytes, disallowFullBlockingGC: true) ? new NoGcWindow(bytes) : Closed;
        }
        catch (InvalidOperationException)
        {
            return Closed; // another thread's region began in between
        }
        catch (ArgumentOutOfRangeException)
        {
            return Closed; // more than the runtime's region can hold
        }
    }

    /// <summary>
    /// Ends the region, unless the runtime ended it already (the work allocated more than it said, or asked
    /// for a collection).
    /// </summary>
    public void Dispose()
    {
        if (!IsOpen || _ended) return;
        _ended = true;
        if (GCSettings.LatencyMode != GCLatencyMode.NoGCRegion) return;
        try
        {
            GC.EndNoGCRegion();
        }
        catch (InvalidOperationException)
        {
            // Ended by a collection in between: nothing left to end.
        }
    }
}

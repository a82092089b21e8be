using System.Runtime;
using Xunit;
using IpvsTools.Sync;

namespace IpvsTools.Tests.Kube;

[CollectionDefinition(nameof(NoGcWindowTests), DisableParallelization = true)]
public sealed class NoGcWindowCollection;

/// <summary>
/// The no-GC window of the sync, the comparison and the plan: opened only for large snapshot files and when the
/// memory is there, one at a time, and ended however the runtime left it. Runs alone: the region is process-wide.
/// </summary>
[Collection(nameof(NoGcWindowTests))]
public class NoGcWindowTests : IDisposable
{
    private readonly List<string> _files = [];

    public void Dispose()
    {
        foreach (var f in _files) File.Delete(f);
        if (GCSettings.LatencyMode == GCLatencyMode.NoGCRegion) GC.EndNoGCRegion();
    }

    private string FileOf(long length)
    {
        var path = Path.GetTempFileName();
        _files.Add(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write);
        file.SetLength(length); // sparse: only its length matters here
        return path;
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "mkfifo", SetLastError = true)]
    private static extern int MakeFifo(string path, uint mode);

    [Fact]
    public void AWindowHoldsCollectionsOffUntilItIsDisposed()
    {
        var before = GC.CollectionCount(0);
        using (var window = NoGcWindow.Open(64L * 1024 * 1024))
        {
            Assert.True(window.IsOpen);
            Assert.Equal(64L * 1024 * 1024, window.Bytes);
            Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
            var kept = new List<byte[]>();
            for (var i = 0; i < 1000; i++) kept.Add(new byte[16 * 1024]); // 16 MB, well inside the window
            Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
            Assert.Equal(1000, kept.Count);
        }
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        Assert.True(GC.CollectionCount(0) >= before);
    }

    [Fact]
    public void ASecondWindowWhileOneIsOpenIsNotOpenedAndLeavesTheFirstOpen()
    {
        using var first = NoGcWindow.Open(32L * 1024 * 1024);
        Assert.True(first.IsOpen);
        using (var second = NoGcWindow.Open(32L * 1024 * 1024))
        {
            Assert.False(second.IsOpen);
            Assert.Equal(0, second.Bytes);
        }
        Assert.Equal(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        first.Dispose();
        first.Dispose(); // twice: ends nothing more
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void AnOperatorCanKeepEveryWindowClosed()
    {
        Environment.SetEnvironmentVariable(NoGcWindow.OptOutVariable, "1");
        try
        {
            using var window = NoGcWindow.Open(32L * 1024 * 1024);
            Assert.False(window.IsOpen);
            using var files = NoGcWindow.ForSnapshotFiles([FileOf(8L * 1024 * 1024)]);
            Assert.False(files.IsOpen);
            Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        }
        finally
        {
            Environment.SetEnvironmentVariable(NoGcWindow.OptOutVariable, null);
        }
        using var open = NoGcWindow.Open(32L * 1024 * 1024);
        Assert.True(open.IsOpen);
    }

    [Fact]
    public void AWindowTheRuntimeEndedIsDisposedQuietly()
    {
        var window = NoGcWindow.Open(32L * 1024 * 1024);
        Assert.True(window.IsOpen);
        GC.Collect(); // a collection asked for inside the region ends it
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
        window.Dispose();
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void AWindowLargerThanAQuarterOfTheFreeMemoryIsNotOpened()
    {
        var memory = GC.GetGCMemoryInfo();
        var free = memory.TotalAvailableMemoryBytes - memory.MemoryLoadBytes;
        using var window = NoGcWindow.Open(free / NoGcWindow.FreeMemoryShare + 1);
        Assert.False(window.IsOpen);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }

    [Fact]
    public void TheWindowOfSnapshotFilesIsSizedFromTheirLengths()
    {
        var a = FileOf(3L * 1024 * 1024);
        var b = FileOf(2L * 1024 * 1024);
        using var window = NoGcWindow.ForSnapshotFiles([a, b]);
        Assert.True(window.IsOpen);
        Assert.Equal(NoGcWindow.BaseBytes + NoGcWindow.BytesPerSnapshotByte * 5L * 1024 * 1024, window.Bytes);
    }

    [Fact]
    public void NoWindowForSmallMissingOrUnsizedSources()
    {
        Assert.False(NoGcWindow.ForSnapshotFiles(null).IsOpen); // the live cluster
        Assert.False(NoGcWindow.ForSnapshotFiles([FileOf(NoGcWindow.MinimumSnapshotBytes - 1)]).IsOpen);
        Assert.False(NoGcWindow.ForSnapshotFiles([FileOf(8L * 1024 * 1024), "/nonexistent/snapshot.json"]).IsOpen);
        var fifo = Path.Combine(Path.GetTempPath(), "ipvstools-nogc-" + Guid.NewGuid().ToString("N"));
        Assert.Equal(0, MakeFifo(fifo, 0x180));
        _files.Add(fifo);
        Assert.False(NoGcWindow.ForSnapshotFiles([FileOf(8L * 1024 * 1024), fifo]).IsOpen); // `-Path <(kubectl ...)`: no length
        Assert.False(NoGcWindow.ForSnapshotFiles([FileOf(8L * 1024 * 1024), Path.GetTempPath()]).IsOpen);
        Assert.NotEqual(GCLatencyMode.NoGCRegion, GCSettings.LatencyMode);
    }
}

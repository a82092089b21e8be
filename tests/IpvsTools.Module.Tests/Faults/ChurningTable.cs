using System.Diagnostics;
using System.Text;
using IpvsTools.Testing;

namespace IpvsTools.ModuleTests.Faults;

/// <summary>
/// A namespace whose IPVS table holds <see cref="StableCount"/> services that stay (10.98.x.y:80, every
/// tenth with a real server) while another process, started with <see cref="StartChurn"/>, keeps adding
/// and removing 200 more (10.99.x.y:80) through one `ipvsadm -R` fed without pause.
/// </summary>
internal sealed class ChurningTable : IDisposable
{
    public const int StableCount = 1500;
    private Process? _churn;

    public ChurningTable()
    {
        Namespace = new TestNamespace();
        try
        {
            Lab.Dataplane(Namespace);
            var rules = new StringBuilder();
            foreach (var key in StableKeys())
            {
                var address = key["TCP ".Length..^":80".Length];
                rules.Append($"-A -t {address}:80 -s rr\n");
                if (address.EndsWith('0')) rules.Append($"-a -t {address}:80 -r 10.244.0.9:80 -m\n");
            }
            Lab.IpvsadmRestore(Namespace, rules.ToString());
        }
        catch
        {
            Namespace.Dispose();
            throw;
        }
    }

    public TestNamespace Namespace { get; }

    /// <summary>The stable services' names as Get-IpvsService prints them ("TCP 10.98.0.1:80").</summary>
    public static IEnumerable<string> StableKeys()
        => Enumerable.Range(0, StableCount).Select(i => $"TCP 10.98.{i / 250}.{i % 250 + 1}:80");

    /// <summary>Starts the other process: adds the 200 churning services, removes them, again and again until disposed.</summary>
    public void StartChurn()
    {
        var start = new ProcessStartInfo("ip") { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var argument in new[]
        {
            "netns", "exec", Namespace.Name, "bash", "-c",
            "while :; do for i in $(seq 0 199); do echo \"-A -t 10.99.$((i / 100)).$((i % 100 + 1)):80 -s rr\"; done; " +
            "for i in $(seq 0 199); do echo \"-D -t 10.99.$((i / 100)).$((i % 100 + 1)):80\"; done; done | ipvsadm -R",
        }) start.ArgumentList.Add(argument);
        _churn = Process.Start(start) ?? throw new InvalidOperationException("the churning ipvsadm -R did not start");
        _churn.StandardError.ReadToEndAsync();
        _churn.StandardOutput.ReadToEndAsync();
    }

    public void StopChurn()
    {
        if (_churn is null) return;
        try { _churn.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
        _churn.WaitForExit(30_000);
        _churn.Dispose();
        _churn = null;
    }

    public void Dispose()
    {
        StopChurn();
        Namespace.Dispose();
    }
}

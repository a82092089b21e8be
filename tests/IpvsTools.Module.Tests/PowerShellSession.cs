using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using Xunit;

[assembly: AssemblyFixture(typeof(IpvsTools.ModuleTests.PowerShellSession))]

namespace IpvsTools.ModuleTests;

/// <summary>
/// One PowerShell engine per test process (a start costs ~30 s under emulation), with the BUILT
/// module imported from out/IpvsTools through its manifest. Pipelines run one at a time.
/// </summary>
public sealed class PowerShellSession : IDisposable
{
    private readonly Runspace _runspace;
    private readonly object _gate = new();

    public PowerShellSession()
    {
        ModuleManifest = FindModule();
        var state = InitialSessionState.CreateDefault2();
        _runspace = RunspaceFactory.CreateRunspace(state);
        _runspace.Open();
        using var ps = PowerShell.Create(_runspace);
        ps.AddCommand("Import-Module").AddParameter("Name", ModuleManifest).AddParameter("ErrorAction", "Stop").AddParameter("PassThru");
        Module = (PSModuleInfo)ps.Invoke().Single().BaseObject;
    }

    public string ModuleManifest { get; }
    public string ModuleDirectory => Path.GetDirectoryName(ModuleManifest)!;
    public PSModuleInfo Module { get; }

    /// <summary>Runs a script with named variables set first; returns output and the errors it wrote.</summary>
    public Result Run(string script, IDictionary? variables = null)
    {
        lock (_gate)
        {
            using var ps = PowerShell.Create(_runspace);
            if (variables is not null)
            {
                foreach (DictionaryEntry v in variables) _runspace.SessionStateProxy.SetVariable((string)v.Key, v.Value);
            }
            ps.AddScript(script);
            try
            {
                var output = ps.Invoke();
                return new Result(output, ps.Streams.Error.ToList(), null);
            }
            catch (RuntimeException ex)
            {
                return new Result([], ps.Streams.Error.ToList(), ex.ErrorRecord);
            }
        }
    }

    /// <summary>Runs a script that must write no error; returns its output.</summary>
    public IReadOnlyList<PSObject> Ok(string script, IDictionary? variables = null)
    {
        var result = Run(script, variables);
        if (result.Terminating is not null || result.Errors.Count > 0)
        {
            var all = result.Errors.Append(result.Terminating).OfType<ErrorRecord>().Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message);
            throw new Xunit.Sdk.XunitException("The script wrote errors:\n" + string.Join("\n", all) + "\nScript:\n" + script);
        }
        return result.Output;
    }

    /// <summary>
    /// Starts a script, stops it after <paramref name="stopAfter"/> as Ctrl+C does, and returns whether it
    /// was still running then and how long the stop took to end it.
    /// </summary>
    public (bool WasRunning, TimeSpan StopTook) RunAndStop(string script, TimeSpan stopAfter, IDictionary? variables = null)
    {
        lock (_gate)
        {
            using var ps = PowerShell.Create(_runspace);
            if (variables is not null)
            {
                foreach (DictionaryEntry v in variables) _runspace.SessionStateProxy.SetVariable((string)v.Key, v.Value);
            }
            ps.AddScript(script);
            var running = ps.BeginInvoke();
            Thread.Sleep(stopAfter);
            var wasRunning = !running.IsCompleted;
            var watch = System.Diagnostics.Stopwatch.StartNew();
            ps.Stop();
            try
            {
                ps.EndInvoke(running);
            }
            catch (PipelineStoppedException)
            {
            }
            return (wasRunning, watch.Elapsed);
        }
    }

    public void Dispose() => _runspace.Dispose();

    internal static string FindModule()
    {
        var env = Environment.GetEnvironmentVariable("IPVSTOOLS_MODULE");
        if (!string.IsNullOrEmpty(env)) return Path.GetFullPath(env);
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "out", "IpvsTools", "IpvsTools.psd1");
            if (File.Exists(candidate)) return candidate;
        }
        throw new FileNotFoundException("The built module out/IpvsTools/IpvsTools.psd1 was not found above " + AppContext.BaseDirectory + ": run `dotnet build -c Release` at the repository root first, or set IPVSTOOLS_MODULE.");
    }

    public sealed record Result(IReadOnlyList<PSObject> Output, IReadOnlyList<ErrorRecord> Errors, ErrorRecord? Terminating)
    {
        /// <summary>Every error, terminating or not.</summary>
        public IEnumerable<ErrorRecord> AllErrors => Terminating is null ? Errors : Errors.Append(Terminating);
    }
}

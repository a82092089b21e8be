using System.Collections;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using IpvsTools.Shell;

namespace IpvsTools.ModuleTests;

/// <summary>
/// A second runspace in this process whose host is tests/IpvsTools.Shell's console host writing into
/// a string: what Out-Default prints (the module's format views) is the text a test asserts. Same
/// engine and the same built module as <see cref="PowerShellSession"/>, without another process start.
/// </summary>
public sealed class RenderingHost : IDisposable
{
    private static readonly Lazy<RenderingHost> Shared = new(() => new RenderingHost(PowerShellSession.FindModule()));
    private readonly StringWriter _output = new();
    private readonly StringWriter _error = new();
    private readonly Runspace _runspace;
    private readonly object _gate = new();

    private RenderingHost(string manifest)
    {
        PSStyle.Instance.OutputRendering = OutputRendering.PlainText;
        _runspace = RunspaceFactory.CreateRunspace(new ConsoleHost(_output, _error, 200), InitialSessionState.CreateDefault2());
        _runspace.Open();
        using var ps = PowerShell.Create(_runspace);
        ps.AddCommand("Import-Module").AddParameter("Name", manifest).AddParameter("ErrorAction", "Stop").Invoke();
    }

    public static RenderingHost Instance => Shared.Value;

    /// <summary>Runs SCRIPT piped to Out-Default and returns what the host printed; fails on any error.</summary>
    public string Render(string script, IDictionary? variables = null)
    {
        lock (_gate)
        {
            _output.GetStringBuilder().Clear();
            _error.GetStringBuilder().Clear();
            using var ps = PowerShell.Create(_runspace);
            if (variables is not null)
                foreach (DictionaryEntry v in variables) _runspace.SessionStateProxy.SetVariable((string)v.Key, v.Value);
            ps.AddScript(script).AddCommand("Out-Default");
            ps.Invoke();
            var errors = ps.Streams.Error.Select(e => e.FullyQualifiedErrorId + ": " + e.Exception.Message).ToList();
            if (errors.Count > 0 || _error.ToString().Contains("ERROR", StringComparison.Ordinal))
                throw new Xunit.Sdk.XunitException("Rendering wrote errors:\n" + string.Join("\n", errors) + _error + "\nScript:\n" + script);
            return _output.ToString();
        }
    }

    /// <summary>The non-empty lines of a rendering, right-trimmed.</summary>
    public static List<string> Lines(string text) => text.Split('\n').Select(l => l.TrimEnd('\r', ' ')).Where(l => l.Length > 0).ToList();

    public void Dispose() => _runspace.Dispose();
}

using System.Management.Automation;
using System.Management.Automation.Runspaces;
using IpvsTools.Shell;

// ipvstools-shell [-Module PATH] [-Width N] -Command "SCRIPT"
// Imports the module (default: out/IpvsTools found above this program), runs SCRIPT, renders its output
// with Out-Default (the module's format views apply), writes errors as
//   ERROR <FullyQualifiedErrorId> <Category>: <message>
// and exits 1 when the script wrote any error, else 0.
string? module = null, command = null;
var width = 160;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i].ToLowerInvariant())
    {
        case "-module": module = args[++i]; break;
        case "-width": width = int.Parse(args[++i]); break;
        case "-command": command = string.Join(' ', args[(i + 1)..]); i = args.Length; break;
        default: Console.Error.WriteLine($"unknown argument {args[i]}"); return 2;
    }
}
if (command is null)
{
    Console.Error.WriteLine("usage: ipvstools-shell [-Module PATH] [-Width N] -Command SCRIPT");
    return 2;
}
module ??= FindModule();

// Plain text: the output is read by tests and logs, not only by eyes.
PSStyle.Instance.OutputRendering = OutputRendering.PlainText;
var host = new ConsoleHost(Console.Out, Console.Error, width);
var state = InitialSessionState.CreateDefault2();
using var runspace = RunspaceFactory.CreateRunspace(host, state);
runspace.Open();
using var ps = PowerShell.Create(runspace);
ps.AddCommand("Import-Module").AddParameter("Name", module).AddParameter("ErrorAction", "Stop");
try
{
    ps.Invoke();
}
catch (Exception ex)
{
    Console.Error.WriteLine($"ERROR ModuleImportFailed: {ex.Message}");
    return 1;
}
ps.Commands.Clear();
ps.AddScript(command).AddCommand("Out-Default");
var failed = false;
try
{
    ps.Invoke();
}
catch (RuntimeException ex)
{
    Report(ex.ErrorRecord);
    failed = true;
}
foreach (var error in ps.Streams.Error)
{
    Report(error);
    failed = true;
}
return failed ? 1 : host.ExitCode;

static void Report(ErrorRecord error)
    => Console.Error.WriteLine($"ERROR {error.FullyQualifiedErrorId} {error.CategoryInfo.Category}: {error.Exception.Message}");

static string FindModule()
{
    var env = Environment.GetEnvironmentVariable("IPVSTOOLS_MODULE");
    if (!string.IsNullOrEmpty(env)) return env;
    for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "out", "IpvsTools", "IpvsTools.psd1");
        if (File.Exists(candidate)) return candidate;
    }
    throw new FileNotFoundException("out/IpvsTools/IpvsTools.psd1 was not found above " + AppContext.BaseDirectory + ": build first (dotnet build -c Release), or set IPVSTOOLS_MODULE.");
}

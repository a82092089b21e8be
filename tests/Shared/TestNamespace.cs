using System.Diagnostics;

namespace IpvsTools.Testing;

/// <summary>
/// A throwaway network namespace for one test (`ip netns add`), with lo up, deleted on Dispose.
/// Host- and lab-tier tests need root; without it they fail with the reason (they never skip).
/// </summary>
public sealed class TestNamespace : IDisposable
{
    public TestNamespace()
    {
        RequireRoot();
        Name = "ipvstools-t-" + Guid.NewGuid().ToString("N")[..12];
        Tool.Run("ip", "netns", "add", Name);
        Exec("ip", "link", "set", "lo", "up");
    }

    public string Name { get; }
    public string Path => "/run/netns/" + Name;

    /// <summary>Runs a program inside the namespace and returns its standard output; a non-zero exit fails the test.</summary>
    public string Exec(params string[] command) => Tool.Run(["ip", "netns", "exec", Name, .. command]);

    /// <summary>Runs a program inside the namespace with <paramref name="input"/> on its standard input (`ipset restore`, `ipvsadm -R`).</summary>
    public string Feed(string input, params string[] command) => Tool.RunWithInput(input, ["ip", "netns", "exec", Name, .. command]);

    /// <summary>Like <see cref="Exec"/> but returns the whole result, whatever the exit code.</summary>
    public Tool.Result TryExec(params string[] command) => Tool.TryRun(["ip", "netns", "exec", Name, .. command]);

    public void Dispose() => Tool.TryRun("ip", "netns", "delete", Name);

    public static void RequireRoot()
    {
        if (Environment.UserName != "root" && Tool.TryRun("id", "-u").Output.Trim() != "0")
            throw new InvalidOperationException("Host- and lab-tier tests need root (they create network namespaces): run the test command with sudo.");
    }
}

/// <summary>Runs the reference tools (ip, ipset, ipvsadm) with argument lists.</summary>
public static class Tool
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static string Run(params string[] command) => RunWithInput(null, command);

    /// <summary>Runs a command with <paramref name="input"/> on its standard input; a non-zero exit throws.</summary>
    public static string RunWithInput(string? input, string[] command)
    {
        var result = TryRunWithInput(input, command);
        if (result.ExitCode != 0)
            throw new InvalidOperationException($"`{string.Join(' ', command)}` exited {result.ExitCode}: {result.Error}{result.Output}");
        return result.Output;
    }

    public static Result TryRun(params string[] command) => TryRunWithInput(null, command);

    /// <summary>Runs a command, whatever its exit code; stops it and fails after <paramref name="timeout"/> (default 120 s).</summary>
    public static Result TryRunWithInput(string? input, string[] command, TimeSpan? timeout = null)
    {
        var limit = timeout ?? TimeSpan.FromSeconds(120);
        var start = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
        };
        foreach (var argument in command.Skip(1)) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{command[0]} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null) process.StandardInput.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(limit))
        {
            process.Kill(true);
            throw new TimeoutException($"`{string.Join(' ', command)}` did not finish within {limit.TotalSeconds:0} s");
        }
        return new Result(process.ExitCode, output.Result, error.Result);
    }
}

using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using IpvsTools.Netlink;
using IpvsTools.Namespaces;

namespace IpvsTools.Processes;

/// <summary>The outcome of a finished child process.</summary>
internal sealed record ProcessResult(string FileName, IReadOnlyList<string> Arguments, int ExitCode, string StandardOutput, string StandardError);

/// <summary>
/// Starts programs (iptables-save, iptables-restore, ...) with argument lists, never a shell string.
/// A child does not follow a thread's namespace, so in another namespace it is started through
/// `nsenter --net=PATH -- PROGRAM ARGS` (util-linux).
/// </summary>
internal static class ChildProcess
{
    // Where Debian and most distributions keep administrators' programs (iptables, ipset, conntrack), which
    // an ordinary user's PATH leaves out: without them an unprivileged user would be told to install tools
    // that are there, instead of the kernel's refusal (run as root).
    private static readonly string[] AdminFolders = ["/usr/local/sbin", "/usr/sbin", "/sbin"];

    /// <summary>A bare program name found on PATH stays as it is; one that is not, but is in one of the
    /// administrators' folders, is started from there. Anything else is returned unchanged.</summary>
    public static string ResolveProgram(string fileName)
    {
        if (fileName.Contains('/')) return fileName;
        foreach (var (candidate, onPath) in Candidates(fileName))
            if (System.IO.File.Exists(candidate)) return onPath ? fileName : candidate;
        return fileName;
    }

    /// <summary>The full path of the program a run of <paramref name="fileName"/> would start (PATH, then the
    /// administrators' folders), or null when there is none.</summary>
    public static string? FindProgram(string fileName)
    {
        if (fileName.Contains('/')) return System.IO.File.Exists(fileName) ? fileName : null;
        foreach (var (candidate, _) in Candidates(fileName))
            if (System.IO.File.Exists(candidate)) return candidate;
        return null;
    }

    /// <summary>Where a bare program name is looked for, in order: each PATH folder, then the administrators' folders.</summary>
    private static IEnumerable<(string Candidate, bool OnPath)> Candidates(string fileName)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var folder in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
            yield return (System.IO.Path.Combine(folder, fileName), true);
        foreach (var folder in AdminFolders)
            yield return (System.IO.Path.Combine(folder, fileName), false);
    }

    public static ProcessResult Run(string fileName, IReadOnlyList<string> arguments, NetworkNamespace? ns = null,
        string? standardInput = null, TimeSpan? timeout = null, CancellationToken cancellation = default)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            UseShellExecute = false,
        };
        if (ns is null)
        {
            start.FileName = ResolveProgram(fileName);
        }
        else
        {
            start.FileName = "nsenter";
            start.ArgumentList.Add("--net=" + ns.Path);
            start.ArgumentList.Add("--");
            start.ArgumentList.Add(ResolveProgram(fileName));
        }
        foreach (var argument in arguments) start.ArgumentList.Add(argument);

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new IpvsToolsException($"'{start.FileName}' did not start.", FailureKind.Other);
        }
        catch (Win32Exception ex)
        {
            throw new IpvsToolsException($"'{start.FileName}' could not be started ({ex.Message}); is it installed and on PATH?", FailureKind.NotFound, ex);
        }
        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync(cancellation);
            var stderr = process.StandardError.ReadToEndAsync(cancellation);
            if (standardInput is not null)
            {
                process.StandardInput.Write(standardInput);
                process.StandardInput.Close();
            }
            var limit = timeout ?? TimeSpan.FromMinutes(2);
            try
            {
                if (!process.WaitForExitAsync(cancellation).Wait(limit))
                {
                    process.Kill(entireProcessTree: true);
                    throw new IpvsToolsException($"'{fileName}' did not finish within {limit.TotalSeconds:0} s and was stopped.", FailureKind.Timeout);
                }
            }
            catch (AggregateException ex) when (ex.InnerException is TaskCanceledException or OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new OperationCanceledException(cancellation);
            }
            // nsenter fails when the namespace was deleted after it was resolved (`ip netns delete` while a
            // command runs): say so, rather than leave the caller to read nsenter's words as the program's.
            if (ns is not null && process.ExitCode != 0 && !System.IO.File.Exists(ns.Path))
                throw new IpvsToolsException($"Network namespace '{ns.DisplayName}' disappeared: {ns.Path} no longer exists, so '{fileName}' could not run in it.", FailureKind.NotFound);
            return new ProcessResult(fileName, arguments, process.ExitCode, stdout.Result, stderr.Result);
        }
    }
}

using System;
using System.Collections.Concurrent;
using System.IO;
using IpvsTools.Processes;

namespace IpvsTools.Iptables;

/// <summary>
/// What an iptables tool's <c>--version</c> printed, kept for the process. Every
/// <see cref="IptablesClient.Open"/> asked it before: one child process each, twice per sync (both
/// families), about 0.07 s each on a small node. The answer is kept under the program's name and the file
/// the name leads to (symbolic links followed to the end, with that file's change time): when the system's
/// alternatives switch iptables between nft and legacy, or a package replaces the tool, the file differs and
/// the tool is asked again.
/// </summary>
internal static class IptablesToolVersions
{
    private sealed record Answer(string Target, DateTime Changed, string Output);

    private static readonly ConcurrentDictionary<string, Answer> Known = new(StringComparer.Ordinal);

    /// <summary>The program's final file and its change time, or null when it cannot be found or read.</summary>
    public static (string Target, DateTime Changed)? Identify(string program)
    {
        try
        {
            if (ChildProcess.FindProgram(program) is not { } path) return null;
            var file = new FileInfo(path);
            var target = file.ResolveLinkTarget(returnFinalTarget: true) as FileInfo ?? file;
            if (!target.Exists) return null;
            return (target.FullName, target.LastWriteTimeUtc);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>What <paramref name="program"/> --version printed, when asked before and its file is unchanged.</summary>
    public static string? Lookup(string program, (string Target, DateTime Changed)? identity)
        => identity is { } id && Known.TryGetValue(program, out var answer) && answer.Target == id.Target && answer.Changed == id.Changed
            ? answer.Output
            : null;

    /// <summary>Keeps what <paramref name="program"/> --version printed, for the file identified before it ran.</summary>
    public static void Remember(string program, (string Target, DateTime Changed)? identity, string output)
    {
        if (identity is { } id) Known[program] = new Answer(id.Target, id.Changed, output);
    }
}

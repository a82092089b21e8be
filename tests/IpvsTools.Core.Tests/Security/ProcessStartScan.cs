using System.Text.RegularExpressions;
using IpvsTools.Processes;

namespace IpvsTools.Tests.Security;

/// <summary>
/// Reads C# source text for the ways a program could start another one through a shell or with one
/// command-line string. The rules (each finding names its rule, file and line):
/// - process-start: Process, ProcessStartInfo or a libc exec/system/popen/fork outside the one door
///   (src/IpvsTools.Core/Processes/ChildProcess.cs);
/// - arguments-string: ProcessStartInfo.Arguments, or its two-string constructor (a command line to split);
/// - shell-execute: UseShellExecute = true;
/// - shell-string: a shell as the program ("sh", "bash", "/bin/sh", ...) or a "sh -c" command line.
/// </summary>
internal static class ProcessStartScan
{
    public const string Door = "src/IpvsTools.Core/Processes/ChildProcess.cs";

    public sealed record Finding(string Rule, string File, int Line, string Text)
    {
        public override string ToString() => $"{File}:{Line}: {Rule}: {Text.Trim()}";
    }

    private static readonly (string Rule, Regex Pattern, bool DoorAllowed)[] Rules =
    [
        ("process-start", new Regex(@"\bProcess\s*\.\s*Start\b|\bnew\s+Process\s*\(|\bProcessStartInfo\b|\bnew\s*\(\s*\)\s*\{\s*StartInfo|\b(execv|execve|execvp|execl|execlp|posix_spawn|popen|system|fork|vfork)\s*\("), true),
        ("arguments-string", new Regex(@"\.\s*Arguments\s*=(?!=)|\bArguments\s*=\s*(\$?@?""|\$@""|string\.(Join|Concat|Format))|new\s+ProcessStartInfo\s*\([^,()]+,"), false),
        ("shell-execute", new Regex(@"UseShellExecute\s*=\s*true"), false),
        ("shell-string", new Regex(@"(\bRun\s*\(|\bFileName\s*=)\s*""(/usr)?(/bin/)?(sh|bash|dash|zsh|ksh|busybox)""|""(/usr)?/bin/(sh|bash|dash|zsh|ksh|busybox)""|\b(sh|bash)\s+-c\b"), false),
    ];

    /// <summary>Every finding in one file's text; <paramref name="file"/> is its path from the repository root.</summary>
    public static IEnumerable<Finding> Scan(string file, string text)
    {
        var isDoor = file.Replace('\\', '/') == Door;
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = StripComment(lines[i]);
            foreach (var (rule, pattern, doorAllowed) in Rules)
            {
                if (isDoor && doorAllowed) continue;
                // "Arguments =" in the door is only fine as ArgumentList; the rule's pattern does not match that.
                if (pattern.IsMatch(line)) yield return new Finding(rule, file, i + 1, lines[i]);
            }
        }
    }

    /// <summary>Every C# file under src/ of the repository at <paramref name="root"/>, build output left out.</summary>
    public static IEnumerable<Finding> ScanSources(string root)
    {
        foreach (var path in Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, path).Replace('\\', '/');
            if (relative.Contains("/obj/") || relative.Contains("/bin/")) continue;
            foreach (var finding in Scan(relative, File.ReadAllText(path))) yield return finding;
        }
    }

    /// <summary>The repository root: the first folder above the test program holding IpvsTools.slnx.</summary>
    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IpvsTools.slnx"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException("IpvsTools.slnx was not found above " + AppContext.BaseDirectory + ": run the test program from the repository's build output.");
    }

    // Documentation and comments may describe shells ("never a shell string"); code may not use them.
    private static string StripComment(string line)
    {
        var trimmed = line.TrimStart();
        if (trimmed.StartsWith("//", StringComparison.Ordinal) || trimmed.StartsWith("*", StringComparison.Ordinal)) return "";
        return line;
    }
}

using System.Text;
using System.Text.RegularExpressions;
using IpvsTools.Netlink;
using IpvsTools.Testing;
using Xunit;
using IpvsTools.Ipsets;
using IpvsTools.Namespaces;

namespace IpvsTools.Tests.Ipset;

/// <summary>
/// The ipset project's own test suite (tests/*.t of ipset 7.17, copied in Fixtures/ipset-7.17 with its
/// source) played through IpvsTools and through the ipset 7.17 tool side by side. Each .t file runs in
/// two throwaway namespaces: every case that is an `ipset` command (or a restore of a suite file) goes
/// to the module in one (read as the one-line restore file Import-Ipset would get: parsed, checked
/// against the kernel's sets, then applied) and to the tool in the other. Each case passes when:
/// <list type="bullet">
/// <item>the module succeeds exactly when the tool does (the tool's 1 and 2 are both "refused");</item>
/// <item>a refusal by the module changed nothing (it came before any write);</item>
/// <item>both namespaces then hold the same sets and members (save text without initval and hashsize,
/// which follow each namespace's random hash seed, and without members still counting down their
/// timeout, which expire at moments of their own; lines sorted);</item>
/// <item>in the module's namespace, Export-Ipset's text (<see cref="IpsetText.FormatSave"/>) and the
/// list text are byte for byte what `ipset save` and `ipset list` print there (member timeouts read
/// a moment apart left out).</item>
/// </list>
/// Cases that are shell pipelines (diff against listings, sendip, iptables, sleep, check_* scripts) are
/// not run: the listings are checked live instead, against the tool on the same kernel. Where the tool
/// itself answers other than the suite expects (the suite's sleeps are not played, the host kernel
/// differs), the module must still answer as the tool does; the count is printed.
/// </summary>
[Trait("Tier", "Host")]
public class IpsetSuiteHostTests(ITestOutputHelper output)
{
    internal static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "Fixtures", "ipset-7.17");

    /// <summary>
    /// Every .t file of the suite with ipset cases (the iptables match/target files have none to play
    /// here). IPVSTOOLS_IPSET_SUITE_FILES (.t names separated by spaces) narrows the list when rerunning a few.
    /// </summary>
    public static TheoryData<string> Files() => FilesFor(lab: false);

    /// <summary>
    /// Set types the project's host machines lack (Debian 12 hosts built without them; the lab's Debian
    /// kernel has them): files that create one run in the lab tier (<see cref="IpsetSuiteLabTests"/>).
    /// </summary>
    internal static readonly string[] LabTypes = ["hash:mac", "hash:ip,mac", "hash:ip,mark", "hash:net,net", "hash:net,port,net"];

    /// <summary>The set types a .t file creates.</summary>
    internal static IReadOnlyList<string> TypesOf(string file)
        => File.ReadLines(Path.Combine(Folder, file)).Select(Case.Read)
            .Where(c => c?.Kind == CaseKind.Command && !c.IsListing)
            .SelectMany(c => IpsetRestoreParser.Parse(c!.RestoreLine).Lines)
            .Where(l => l.CreateOptions is not null).Select(l => l.CreateOptions!.Type).Distinct().ToList();

    internal static TheoryData<string> FilesFor(bool lab) => new(FileNames(lab));

    /// <summary>
    /// The lab's files in two halves of about the same number of ipset cases (the largest file first into
    /// the half with fewer), one per class: xunit runs the two classes side by side on the lab's two vCPUs,
    /// each file in its own pair of namespaces, as the host tier runs this suite beside its other classes.
    /// </summary>
    internal static TheoryData<string> LabHalf(int half)
    {
        var halves = new[] { new List<string>(), new List<string>() };
        var weights = new int[2];
        foreach (var (file, cases) in FileNames(lab: true)
                     .Select(f => (File: f, Cases: File.ReadLines(Path.Combine(Folder, f)).Select(Case.Read).Count(c => c is not null && c.Kind != CaseKind.Shell)))
                     .OrderByDescending(f => f.Cases).ThenBy(f => f.File, StringComparer.Ordinal))
        {
            var to = weights[0] <= weights[1] ? 0 : 1;
            halves[to].Add(file);
            weights[to] += cases;
        }
        return new(halves[half].Order(StringComparer.Ordinal));
    }

    private static List<string> FileNames(bool lab)
    {
        var data = new List<string>();
        var only = Environment.GetEnvironmentVariable("IPVSTOOLS_IPSET_SUITE_FILES")?.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        foreach (var file in Directory.GetFiles(Folder, "*.t").Select(Path.GetFileName).Order(StringComparer.Ordinal))
        {
            if (only is not null && !only.Contains(file)) continue;
            // ipset 4.x's iptree and iptreemap types are gone from ipset 7 (its runtest.sh leaves these files out).
            if (file is "iptree.t" or "iptreemap.t") continue;
            if (!File.ReadLines(Path.Combine(Folder, file!)).Select(Case.Read).Any(c => c?.Kind is CaseKind.Command or CaseKind.Restore or CaseKind.Save)) continue;
            if (TypesOf(file!).Any(LabTypes.Contains) == lab) data.Add(file!);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void EveryIpsetCaseAgreesWithTheTool(string file) => Check(file, output);

    internal static void Check(string file, ITestOutputHelper output)
    {
        var tally = Run(file);
        output.WriteLine(tally.Summary(file));
        Assert.True(tally.Failures.Count == 0,
            $"{tally.Summary(file)}\n{tally.Failures.Count} case(s) where IpvsTools and ipset 7.17 differ:\n" + string.Join("\n", tally.Failures.Take(25)));
        Assert.True(tally.Run > 0, $"{file}: no case ran");
    }

    internal static Tally Run(string file)
    {
        var tally = new Tally();
        using var module = new TestNamespace();
        using var tool = new TestNamespace();
        using var client = IpsetClient.Open(NetworkNamespace.Resolve(module.Name));
        // A kernel without one of the file's types would refuse its cases in both namespaces alike and
        // prove nothing: that is a failure with the reason, not a pass.
        foreach (var type in TypesOf(file))
        {
            try
            {
                client.GetTypeRevisions(type, IpsetTypeInfo.Get(type).EffectiveFamily(null));
            }
            catch (IpvsToolsException ex) when (ex.Kind == FailureKind.ModuleMissing)
            {
                Assert.Fail($"{file} creates {type} sets, which this kernel does not have ({ex.Message}); " +
                    (LabTypes.Contains(type) ? "this file belongs to the lab tier." : "its cases cannot be checked here."));
            }
        }
        // Files a case saves to (ipset -S > FILE) and a later case restores: the module's own export in
        // its namespace, the tool's own save in the other.
        var work = Directory.CreateTempSubdirectory("ipvstools-ipset-suite-");
        var moduleFiles = Directory.CreateDirectory(Path.Combine(work.FullName, "module")).FullName;
        var toolFiles = Directory.CreateDirectory(Path.Combine(work.FullName, "tool")).FullName;
        string Source(string folder, string name) => File.Exists(Path.Combine(folder, name)) ? Path.Combine(folder, name) : Path.Combine(Folder, name);
        try
        {
            var description = "";
            var number = 0;
            // The module's namespace as the previous case left it: its save after that case (nothing writes
            // there in between; members that expire meanwhile are left out of every comparison by Normalize).
            // One run of the tool fewer per case, out of five (0.13-0.16 s each in the lab).
            var before = module.Exec("ipset", "save");
            foreach (var text in File.ReadLines(Path.Combine(Folder, file)))
            {
                number++;
                if (text.StartsWith('#'))
                {
                    description = text.TrimStart('#', ' ');
                    continue;
                }
                var c = Case.Read(text);
                if (c is null) continue;
                if (c.Kind == CaseKind.Shell)
                {
                    tally.Skipped++;
                    continue;
                }
                tally.Run++;
                var where = $"{file}:{number} ({description}): {c.Command}";
                bool toolOk, moduleOk;
                string? why;
                switch (c.Kind)
                {
                    case CaseKind.Restore:
                        toolOk = Tool.TryRunWithInput(File.ReadAllText(Source(toolFiles, c.File!)), ["ip", "netns", "exec", tool.Name, "ipset", .. c.Arguments]).ExitCode == 0;
                        (moduleOk, why) = Apply(client, File.ReadAllText(Source(moduleFiles, c.File!)), exist: c.Exist);
                        break;
                    case CaseKind.Save:
                        var saved = tool.TryExec(["ipset", .. c.Arguments]);
                        toolOk = saved.ExitCode == 0;
                        if (toolOk) File.WriteAllText(Path.Combine(toolFiles, c.File!), saved.Output);
                        try
                        {
                            File.WriteAllText(Path.Combine(moduleFiles, c.File!), IpsetText.FormatSave(client.List(c.Arguments.Length > 1 ? c.Arguments[1] : null)));
                            (moduleOk, why) = (true, null);
                        }
                        catch (IpvsToolsException ex)
                        {
                            (moduleOk, why) = (false, ex.Message);
                        }
                        break;
                    default:
                        toolOk = tool.TryExec(["ipset", .. c.Arguments]).ExitCode == 0;
                        (moduleOk, why) = Play(client, module, c);
                        // A test of a member that counts down its timeout: the two answers come a moment
                        // apart, and the member may run out between them (the lab's emulated CPU is slow
                        // enough for the suite's 2-second timeouts). Ask both again, back to back; the
                        // case passes only if they then agree (tests change nothing).
                        for (var again = 0; moduleOk != toolOk && c.IsTest && Expiring.IsMatch(before) && again < 3; again++)
                        {
                            (moduleOk, why) = Play(client, module, c);
                            toolOk = tool.TryExec(["ipset", .. c.Arguments]).ExitCode == 0;
                            if (moduleOk == toolOk) tally.AskedAgain++;
                        }
                        break;
                }
                if ((c.Expected == 0) != toolOk) tally.ToolDiffersFromSuite++;
                var problems = new List<string>();
                if (moduleOk != toolOk) problems.Add($"the tool {(toolOk ? "succeeded" : "refused")}, IpvsTools {(moduleOk ? "succeeded" : "refused: " + why)}");
                var after = module.Exec("ipset", "save");
                if (!moduleOk && !c.IsListing && Normalize(after) != Normalize(before)) problems.Add("IpvsTools refused but the kernel changed");
                var toolSave = tool.Exec("ipset", "save");
                if (Normalize(after) != Normalize(toolSave)) problems.Add($"the namespaces differ:\n--- IpvsTools\n{Normalize(after)}--- ipset\n{Normalize(toolSave)}");
                if (SameAsTheTool(client, module, after) is { } differs) problems.Add(differs);
                if (problems.Count == 0) tally.Passed++;
                else tally.Failures.Add(where + "\n  " + string.Join("\n  ", problems));
                before = after;
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }
        return tally;
    }

    /// <summary>
    /// Null when, in the module's namespace, the module's save and list texts are byte for byte the tool's
    /// (member timeouts aside); else what differs. Read up to five times, a second apart: a member may
    /// expire between the module's read and the tool's, and in the lab under load (a case takes seconds
    /// there) the members a file added a few cases apart run out one after another. <paramref name="toolSave"/>:
    /// the tool's save of the namespace the caller has just read, used for the first comparison (each run of
    /// the tool costs 0.1-0.15 s in the lab, and every case of the suite runs it four to six times).
    /// </summary>
    internal static string? SameAsTheTool(IpsetClient client, TestNamespace ns, string? toolSave = null)
    {
        string? problem = null;
        for (var attempt = 0; attempt < 5; attempt++)
        {
            if (attempt > 0) Thread.Sleep(1000);
            var sets = client.List();
            var save = IpsetText.FormatSave(sets);
            var list = IpsetListText.Format(sets);
            toolSave = attempt == 0 && toolSave is not null ? toolSave : ns.Exec("ipset", "save");
            var toolList = ns.Exec("ipset", "list");
            problem = Ticking(save) != Ticking(toolSave) ? $"Export text differs from ipset save:\n{save}--- ipset save\n{toolSave}"
                : Ticking(list) != Ticking(toolList) ? $"list text differs from ipset list:\n{list}--- ipset list\n{toolList}"
                : null;
            if (problem is null) return null;
        }
        return problem;
    }

    /// <summary>One case through the module: a listing compared with the tool's, or a command as a one-line restore.</summary>
    private static (bool Ok, string? Why) Play(IpsetClient client, TestNamespace ns, Case c)
    {
        if (c.IsListing)
        {
            var name = c.Words.Skip(1).FirstOrDefault(w => !w.StartsWith('-'));
            try
            {
                var sets = client.List(name);
                var text = c.Words[0] is "save" ? IpsetText.FormatSave(sets) : IpsetListText.Format(sets);
                var toolResult = ns.TryExec(["ipset", .. c.Arguments]);
                if (toolResult.ExitCode != 0) return (true, "IpvsTools listed what the tool refuses to list");
                return Ticking(text) == Ticking(toolResult.Output) ? (true, null) : (false, $"listing differs:\n{text}--- ipset\n{toolResult.Output}");
            }
            catch (IpvsToolsException ex)
            {
                return (false, ex.Message);
            }
        }
        return Apply(client, c.RestoreLine, exist: false);
    }

    /// <summary>What Import-Ipset does with a text: parse, check against the kernel's sets, apply.</summary>
    internal static (bool Ok, string? Why) Apply(IpsetClient client, string text, bool exist)
    {
        var script = IpsetRestoreParser.Parse(text);
        if (script.Errors.Count > 0) return (false, script.Errors[0].Message);
        var errors = IpsetRestoreValidator.Validate(script, client.ListHeaders(),
            name => client.List(name).SelectMany(s => s.Members).Select(m => m.Element).ToList(), exist);
        if (errors.Count > 0) return (false, errors[0].Message);
        var result = client.Restore(script, exist);
        return result.Failure is null ? (true, null) : (false, result.Failure.Message);
    }

    private static readonly Regex Seeded = new(@" (initval 0x[0-9a-f]{8}|hashsize \d+)", RegexOptions.Compiled);
    private static readonly Regex Expiring = new(@"^add \S+ .*? timeout [1-9]", RegexOptions.Compiled | RegexOptions.Multiline);

    /// <summary>
    /// Save text comparable across namespaces, lines sorted: without the hash seed and the hashsize (a
    /// hash grows at moments its seed decides), and without members that are still counting down (the
    /// suite's sleeps are not played, so they expire at moments of their own); permanent members stay.
    /// </summary>
    internal static string Normalize(string save)
    {
        var lines = save.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(l => !Expiring.IsMatch(l))
            .Select(l => Seeded.Replace(l, ""))
            .Order(StringComparer.Ordinal);
        return string.Concat(lines.Select(l => l + "\n"));
    }

    private static readonly Regex ListedTimeout = new(@"^(?!create |Header: )(.*? timeout )\d+", RegexOptions.Compiled | RegexOptions.Multiline);

    /// <summary>The text with member timeouts (which tick between two reads) left out; everything else as it is.</summary>
    internal static string Ticking(string text) => ListedTimeout.Replace(text, "${1}T");

    internal sealed class Tally
    {
        public int Run, Passed, Skipped, ToolDiffersFromSuite, AskedAgain;
        public readonly List<string> Failures = new();

        public string Summary(string file)
            => $"{file}: {Run} ipset case(s) run, {Passed} passed, {Failures.Count} failed; {Skipped} shell case(s) not run; " +
               $"the tool answered otherwise than the suite expects in {ToolDiffersFromSuite}" +
               (AskedAgain > 0 ? $"; {AskedAgain} test(s) of an expiring member agreed when asked again" : "");
    }

    internal enum CaseKind { Command, Restore, Save, Shell }

    /// <summary>A case line of a .t file: "EXPECTED COMMAND".</summary>
    internal sealed class Case
    {
        private static readonly Regex Line = new(@"^(\d+) (.*)$", RegexOptions.Compiled);
        private static readonly Regex RestoreFromFile = new(@"^ipset( -!)? (-R|restore|r)( -!)? (< (\S+)|-f (\S+))$", RegexOptions.Compiled);
        private static readonly Regex SaveToFile = new(@"^ipset (-S|save|s)( [^-\s]\S*)? > (\S+)$", RegexOptions.Compiled);
        private static readonly Regex ThenRemove = new(@" && rm \S+$", RegexOptions.Compiled);

        public int Expected;
        public string Command = "";
        public CaseKind Kind;
        public string[] Arguments = [];
        public string[] Words = [];
        /// <summary>The file a restore reads or a save writes.</summary>
        public string? File;
        public bool Exist;
        public string RestoreLine = "";

        /// <summary>test (-T, or a prefix of test): asks whether a member is in a set, changes nothing.</summary>
        public bool IsTest => Kind == CaseKind.Command && Words.FirstOrDefault(w => w is not ("-!" or "-exist")) is { } verb
            && (verb == "-T" || (verb.TrimStart('-') is { Length: > 0 } typed && "test".StartsWith(typed, StringComparison.Ordinal)));

        /// <summary>list or save: compared as text, changes nothing.</summary>
        public bool IsListing => Kind == CaseKind.Command && Words.Length > 0 && Words[0] is "list" or "save";

        public static Case? Read(string text)
        {
            var match = Line.Match(text);
            if (!match.Success) return null;
            var c = new Case { Expected = int.Parse(match.Groups[1].Value), Command = match.Groups[2].Value, Kind = CaseKind.Shell };
            var restore = RestoreFromFile.Match(c.Command);
            if (restore.Success)
            {
                c.Kind = CaseKind.Restore;
                c.Exist = restore.Groups[1].Success || restore.Groups[3].Success;
                c.File = restore.Groups[5].Success ? restore.Groups[5].Value : restore.Groups[6].Value;
                c.Arguments = c.Exist ? ["-!", "restore"] : ["restore"];
                return c;
            }
            var save = SaveToFile.Match(c.Command);
            if (save.Success)
            {
                c.Kind = CaseKind.Save;
                c.File = save.Groups[3].Value;
                c.Arguments = save.Groups[2].Success ? ["save", save.Groups[2].Value.Trim()] : ["save"];
                return c;
            }
            // "ipset -X && rm FILE": the rm only cleans up after the suite.
            var command = ThenRemove.Replace(c.Command, "");
            if (!command.StartsWith("ipset ", StringComparison.Ordinal) || command.IndexOfAny(['|', '<', '>', ';', '&', '`', '$', '(', ')']) >= 0) return c;
            var argv = ShellWords(command.Substring("ipset ".Length));
            if (argv is null) return c;
            // Environment options that change only what is printed (-q) are passed to the tool; any other
            // output form (terse, sorted, xml, resolve, names only) is not what IpvsTools prints: not run.
            var words = new List<string>();
            foreach (var w in argv)
            {
                if (w is "-q" or "-quiet") continue;
                if (w is "-t" or "-terse" or "-s" or "-sorted" or "-o" or "-output" or "-r" or "-resolve" or "-n" or "-name" or "-f" or "-file") return c;
                words.Add(w);
            }
            var verb = words.FirstOrDefault(w => w is not ("-!" or "-exist"));
            if (verb is null) return c;
            var listing = Listing(verb);
            if (listing is null && !IsRestoreCommand(verb)) return c;
            c.Kind = CaseKind.Command;
            c.Arguments = argv;
            c.Words = listing is null ? words.ToArray() : [listing, .. words.Where(w => w != verb && w is not ("-!" or "-exist"))];
            c.RestoreLine = string.Join(" ", words.Select(Quote));
            return c;
        }

        // What ipset_match_cmd finds for list and save (prefix of list, -L, save, -S); the rest is left to the restore parser.
        private static string? Listing(string word)
        {
            var typed = word.StartsWith("--", StringComparison.Ordinal) ? word[2..] : word;
            if (typed.Length == 0 || typed == "-") return null;
            string[] earlier = ["create", "new", "-N", "add", "-A", "del", "-D", "test", "-T", "destroy", "x", "-X"];
            if (earlier.Any(n => n.StartsWith(typed, StringComparison.Ordinal))) return null;
            if ("list".StartsWith(typed, StringComparison.Ordinal) || typed == "-L") return "list";
            if ("save".StartsWith(typed, StringComparison.Ordinal) || typed == "-S") return "save";
            return null;
        }

        private static bool IsRestoreCommand(string word)
        {
            var script = IpsetRestoreParser.Parse(word + " x y");
            return script.Errors.All(e => !e.Problem.Contains("is not an ipset command") && !e.Problem.Contains("cannot be restored"));
        }

        private static string Quote(string word) => word.Contains(' ') || word.Length == 0 ? "\"" + word + "\"" : word;

        /// <summary>Words as the shell splits them: spaces, double and single quotes; null for anything else (variables, escapes).</summary>
        private static string[]? ShellWords(string text)
        {
            var words = new List<string>();
            var word = new StringBuilder();
            var inWord = false;
            char quote = '\0';
            foreach (var ch in text)
            {
                if (quote != '\0')
                {
                    if (ch == quote) quote = '\0';
                    else word.Append(ch);
                    continue;
                }
                if (ch is '"' or '\'')
                {
                    quote = ch;
                    inWord = true;
                }
                else if (ch == '\\') return null;
                else if (ch == ' ')
                {
                    if (inWord) words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
                else
                {
                    word.Append(ch);
                    inWord = true;
                }
            }
            if (quote != '\0') return null;
            if (inWord) words.Add(word.ToString());
            return words.ToArray();
        }
    }
}

/// <summary>
/// The ipset suite's files for set types the host kernel lacks (hash:mac, hash:ip,mark, hash:net,net,
/// hash:net,port,net: <see cref="IpsetSuiteHostTests.LabTypes"/>), played the same way in the lab's
/// Debian kernel, which has them. Its own trait (LabIpsetSuite), run by tests/run.sh's lab tier in the
/// first boot: about 550 cases of a dozen process starts each under TCG, so the files are split into two
/// classes (<see cref="IpsetSuiteHostTests.LabHalf"/>) that xunit runs side by side on the two vCPUs.
/// A half left without files (IPVSTOOLS_IPSET_SUITE_FILES naming one file) is a skip, never a pass.
/// </summary>
[Trait("Tier", "LabIpsetSuite")]
public class IpsetSuiteLabTests(ITestOutputHelper output)
{
    public static TheoryData<string> Files() => IpsetSuiteHostTests.LabHalf(0);

    [Theory(SkipTestWithoutData = true)]
    [MemberData(nameof(Files))]
    public void EveryIpsetCaseAgreesWithTheTool(string file) => IpsetSuiteHostTests.Check(file, output);
}

/// <summary>The other half of <see cref="IpsetSuiteLabTests"/>'s files.</summary>
[Trait("Tier", "LabIpsetSuite")]
public class IpsetSuiteLabTestsOtherHalf(ITestOutputHelper output)
{
    public static TheoryData<string> Files() => IpsetSuiteHostTests.LabHalf(1);

    [Theory(SkipTestWithoutData = true)]
    [MemberData(nameof(Files))]
    public void EveryIpsetCaseAgreesWithTheTool(string file) => IpsetSuiteHostTests.Check(file, output);
}

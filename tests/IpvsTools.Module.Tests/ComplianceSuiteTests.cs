using System.Management.Automation.Language;
using System.Text.Json;
using Xunit;

namespace IpvsTools.ModuleTests;

/// <summary>
/// Pester cannot be installed here, so the compliance suites users run (tests/compliance/*.Tests.ps1)
/// are checked by parsing them with the PowerShell parser: no syntax error, and every command they call
/// is either the built module's (with parameters it has, splatted hashtable keys included), a function
/// the suite defines, or on the committed allowlist of Pester 5 and core commands with their parameters.
/// </summary>
public sealed class ComplianceSuiteTests(PowerShellSession session)
{
    private static readonly string Root = FindRoot();
    private static readonly string SuiteDirectory = Path.Combine(Root, "tests", "compliance");

    public static TheoryData<string> Suites()
        => new(Directory.GetFiles(SuiteDirectory, "*.Tests.ps1").Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Fact]
    public void ThereAreSuitesForEachIssueLayer()
    {
        var names = Suites().Select(s => (string)s.Data).ToList();
        Assert.Contains("KubeProxyIpvs.Tests.ps1", names);
        Assert.Contains("KubeProxyIpvs.Compare.Tests.ps1", names);
        Assert.Contains("KubeProxy.Tests.ps1", names);
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void EveryCommandOfTheSuiteExistsWithItsParameters(string suite)
    {
        var ast = Parser.ParseFile(Path.Combine(SuiteDirectory, suite), out _, out var errors);
        Assert.Empty(errors.Select(e => $"{e.Extent.StartLineNumber}: {e.Message}"));
        var module = ModuleCommands();
        var allow = Allowlist.Load(Path.Combine(SuiteDirectory, "allowed-commands.json"));
        var functions = ast.FindAll(a => a is FunctionDefinitionAst, true).Cast<FunctionDefinitionAst>()
            .ToDictionary(f => f.Name, FunctionParameters, StringComparer.OrdinalIgnoreCase);
        var splats = SplatKeys(ast);
        var problems = new List<string>();
        foreach (var command in ast.FindAll(a => a is CommandAst, true).Cast<CommandAst>())
        {
            var line = command.Extent.StartLineNumber;
            var name = command.GetCommandName();
            if (name is null)
            {
                problems.Add($"{line}: a command whose name is not a literal ({command.Extent.Text}) cannot be checked");
                continue;
            }
            HashSet<string>? parameters;
            if (module.TryGetValue(name, out parameters))
            {
                if (allow.Pending.ContainsKey(name)) problems.Add($"{name} is exported now: remove it from pendingModule in allowed-commands.json");
            }
            else if (functions.TryGetValue(name, out parameters) || allow.Commands.TryGetValue(name, out parameters) || allow.Pending.TryGetValue(name, out parameters))
            {
            }
            else
            {
                problems.Add($"{line}: {name} is neither IpvsTools' nor a function of the suite nor on the allowlist");
                continue;
            }
            foreach (var used in command.CommandElements.OfType<CommandParameterAst>().Select(p => p.ParameterName))
                if (!parameters.Contains(used)) problems.Add($"{line}: {name} has no parameter -{used}");
            foreach (var splat in command.CommandElements.OfType<VariableExpressionAst>().Where(v => v.Splatted))
                foreach (var key in splats.GetValueOrDefault(splat.VariablePath.UserPath) ?? [])
                    if (!parameters.Contains(key)) problems.Add($"{line}: {name} has no parameter -{key} (splatted from @{splat.VariablePath.UserPath})");
            if (name == "Should" && command.CommandElements.Skip(1).OfType<StringConstantExpressionAst>().FirstOrDefault(s => s.StringConstantType == StringConstantType.BareWord) is { } bare)
                problems.Add($"{line}: Should {bare.Value} is Pester 4 syntax; Pester 5 takes Should -{bare.Value}");
        }
        Assert.Empty(problems);
    }

    [Theory]
    [MemberData(nameof(Suites))]
    public void EverySuiteTakesDataAndTagsEveryDescribe(string suite)
    {
        var ast = Parser.ParseFile(Path.Combine(SuiteDirectory, suite), out _, out _);
        Assert.NotNull(ast.ParamBlock); // New-PesterContainer -Data binds here
        var describes = ast.FindAll(a => a is CommandAst c && c.GetCommandName() == "Describe", true).Cast<CommandAst>().ToList();
        Assert.NotEmpty(describes);
        Assert.All(describes, d => Assert.Contains(d.CommandElements.OfType<CommandParameterAst>(), p => p.ParameterName == "Tag"));
    }

    [Fact]
    public void TheAllowlistNamesOnlyCommandsThatAreNotTheModules()
    {
        var module = ModuleCommands();
        var allow = Allowlist.Load(Path.Combine(SuiteDirectory, "allowed-commands.json"));
        Assert.DoesNotContain(allow.Commands.Keys, module.ContainsKey);
        Assert.All(allow.Pending.Keys, k => Assert.Matches("^[A-Z][a-z]+-Kube|^[A-Z][a-z]+-Ipvs|^[A-Z][a-z]+-Ipset", k));
    }

    /// <summary>Each exported command of the built module with its parameters and their aliases (common parameters included).</summary>
    private Dictionary<string, HashSet<string>> ModuleCommands()
    {
        var lines = session.Ok("""
            foreach ($c in Get-Command -Module IpvsTools) {
                foreach ($p in $c.Parameters.Values) { "$($c.Name)`t$($p.Name)"; foreach ($a in $p.Aliases) { "$($c.Name)`t$a" } }
            }
            """).Select(o => o.ToString().Split('\t'));
        return lines.GroupBy(l => l[0], StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Select(l => l[1]).ToHashSet(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
    }

    private static HashSet<string> FunctionParameters(FunctionDefinitionAst f)
    {
        var declared = (f.Parameters ?? f.Body.ParamBlock?.Parameters ?? Enumerable.Empty<ParameterAst>()).Select(p => p.Name.VariablePath.UserPath);
        return declared.ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The keys given to each variable that is splatted: hashtable literals assigned to it and $var.Key = ... assignments.</summary>
    private static Dictionary<string, List<string>> SplatKeys(Ast ast)
    {
        var keys = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        void Add(string variable, string key)
        {
            if (!keys.TryGetValue(variable, out var list)) keys[variable] = list = [];
            list.Add(key);
        }
        foreach (var assignment in ast.FindAll(a => a is AssignmentStatementAst, true).Cast<AssignmentStatementAst>())
        {
            if (assignment.Left is VariableExpressionAst v && assignment.Right is CommandExpressionAst { Expression: HashtableAst table })
                foreach (var pair in table.KeyValuePairs)
                    if (pair.Item1 is StringConstantExpressionAst k) Add(v.VariablePath.UserPath, k.Value);
            if (assignment.Left is MemberExpressionAst { Expression: VariableExpressionAst target, Member: StringConstantExpressionAst member })
                Add(target.VariablePath.UserPath, member.Value);
        }
        return keys;
    }

    private sealed record Allowlist(Dictionary<string, HashSet<string>> Commands, Dictionary<string, HashSet<string>> Pending)
    {
        public static Allowlist Load(string path)
        {
            using var json = JsonDocument.Parse(File.ReadAllText(path));
            var commands = new Dictionary<string, HashSet<string>>(StringComparer.OrdinalIgnoreCase);
            foreach (var group in new[] { "pester", "core" })
                foreach (var c in json.RootElement.GetProperty(group).EnumerateObject())
                    commands[c.Name] = c.Value.EnumerateArray().Select(p => p.GetString()!).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var pending = json.RootElement.GetProperty("pendingModule").EnumerateObject()
                .ToDictionary(c => c.Name, c => c.Value.GetProperty("parameters").EnumerateArray().Select(p => p.GetString()!).ToHashSet(StringComparer.OrdinalIgnoreCase), StringComparer.OrdinalIgnoreCase);
            return new Allowlist(commands, pending);
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (Directory.Exists(Path.Combine(dir.FullName, "tests", "compliance"))) return dir.FullName;
        throw new DirectoryNotFoundException("tests/compliance was not found above " + AppContext.BaseDirectory);
    }
}

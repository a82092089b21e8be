using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using IpvsTools.Ipsets;
using IpvsTools.Iptables;
using IpvsTools.KubeProxy.IpvsMode;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>Completes -NetworkNamespace with the names under /run/netns.</summary>
public sealed class NetworkNamespaceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var directory = IpvsTools.Namespaces.NetworkNamespace.NamedNamespaceDirectory;
        if (!Directory.Exists(directory)) return Array.Empty<CompletionResult>();
        return Completion.Matching(Directory.EnumerateFiles(directory).Select(Path.GetFileName)!, wordToComplete);
    }
}

/// <summary>Completes ipset names from the kernel (in the namespace already typed, if any).</summary>
public sealed class IpsetNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        try
        {
            var ns = IpvsTools.Namespaces.NetworkNamespace.Resolve(fakeBoundParameters["NetworkNamespace"] as string);
            using var client = IpsetClient.Open(ns);
            return Completion.Matching(client.List().Select(s => s.Name), wordToComplete);
        }
        catch (IpvsToolsException)
        {
            return Array.Empty<CompletionResult>();
        }
    }
}

/// <summary>Completes -Family of the ipset cmdlets.</summary>
public sealed class IpsetFamilyCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
        => Completion.Matching(["inet", "inet6"], wordToComplete);
}

/// <summary>Completes kube-proxy's set names.</summary>
public sealed class KubeIpsetNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
        => Completion.Matching(KubeIpsetDefinition.Names, wordToComplete);
}

internal static class Completion
{
    public static IEnumerable<CompletionResult> Matching(IEnumerable<string> candidates, string wordToComplete)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        var pattern = new WildcardPattern(word + "*", WildcardOptions.IgnoreCase);
        return candidates.Where(pattern.IsMatch).OrderBy(c => c, StringComparer.Ordinal)
            .Select(c => new CompletionResult(c, c, CompletionResultType.ParameterValue, c)).ToList();
    }

    /// <summary>As <see cref="Matching"/>, each completion in single quotes (for values holding commas or spaces).</summary>
    public static IEnumerable<CompletionResult> Quoted(IEnumerable<string> candidates, string wordToComplete)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        var pattern = new WildcardPattern(WildcardPattern.Escape(word) + "*", WildcardOptions.IgnoreCase);
        return candidates.Where(pattern.IsMatch).Distinct(StringComparer.Ordinal).OrderBy(c => c, StringComparer.Ordinal)
            .Select(c => new CompletionResult("'" + c.Replace("'", "''", StringComparison.Ordinal) + "'", c, CompletionResultType.ParameterValue, c)).ToList();
    }
}

/// <summary>
/// Completes -Member of Remove-IpsetMember and Test-IpsetMember with the members of the set typed with -Name,
/// read from the kernel, quoted (members hold commas, which PowerShell would split). Add-IpsetMember gets
/// nothing: its members are by definition not in the set yet.
/// </summary>
public sealed class IpsetMemberCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (string.Equals(commandName, "Add-IpsetMember", StringComparison.OrdinalIgnoreCase)) return Array.Empty<CompletionResult>();
        var name = fakeBoundParameters["Name"] as string ?? fakeBoundParameters["SetName"] as string;
        if (string.IsNullOrEmpty(name) || WildcardPattern.ContainsWildcardCharacters(name)) return Array.Empty<CompletionResult>();
        try
        {
            var ns = IpvsTools.Namespaces.NetworkNamespace.Resolve(fakeBoundParameters["NetworkNamespace"] as string);
            using var client = IpsetClient.Open(ns);
            var set = client.List(name).FirstOrDefault();
            if (set is null) return Array.Empty<CompletionResult>();
            return Completion.Quoted(set.Members.Select(m => m.Element), wordToComplete);
        }
        catch (IpvsToolsException)
        {
            return Array.Empty<CompletionResult>();
        }
    }
}

/// <summary>Completes -Chain of Get-KubeIptablesRule with the chains of the families and tables typed (IPv4 and every table when none is).</summary>
public sealed class IptablesChainCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var families = new List<IptablesFamily>();
        foreach (var f in Values(fakeBoundParameters["Family"]))
        {
            if (string.Equals(f, "inet", StringComparison.OrdinalIgnoreCase)) families.Add(IptablesFamily.IPv4);
            else if (string.Equals(f, "inet6", StringComparison.OrdinalIgnoreCase)) families.Add(IptablesFamily.IPv6);
            else if (Enum.TryParse<IptablesFamily>(f, true, out var family)) families.Add(family);
        }
        if (families.Count == 0) families.Add(IptablesFamily.IPv4);
        var tables = Values(fakeBoundParameters["Table"]).ToList();
        IptablesBackend? backend = Enum.TryParse<IptablesBackend>(fakeBoundParameters["Backend"]?.ToString(), true, out var b) ? b : null;
        var names = new List<string>();
        try
        {
            var ns = IpvsTools.Namespaces.NetworkNamespace.Resolve(fakeBoundParameters["NetworkNamespace"] as string);
            foreach (var family in families.Distinct())
            {
                var ruleset = IptablesClient.Open(family, backend, ns).Read();
                names.AddRange(ruleset.Chains.Where(c => tables.Count == 0 || tables.Contains(c.Table, StringComparer.OrdinalIgnoreCase)).Select(c => c.Name));
            }
        }
        catch (IpvsToolsException)
        {
            return Array.Empty<CompletionResult>();
        }
        return Completion.Matching(names.Distinct(StringComparer.Ordinal), wordToComplete);
    }

    private static IEnumerable<string> Values(object? value) => value switch
    {
        null => [],
        string s => [s],
        IEnumerable e => e.Cast<object?>().Where(o => o is not null).Select(o => o!.ToString()!),
        _ => [value.ToString()!],
    };
}

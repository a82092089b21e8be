using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace IpvsTools.Commands;

/// <summary>Completes -NetworkNamespace with the names under /run/netns.</summary>
public sealed class NetworkNamespaceCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var directory = Netlink.NetworkNamespace.NamedNamespaceDirectory;
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
            var ns = Netlink.NetworkNamespace.Resolve(fakeBoundParameters["NetworkNamespace"] as string);
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
        => Completion.Matching(KubeIpsetCatalog.Names, wordToComplete);
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
}

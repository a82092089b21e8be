using System;
using System.Collections;
using System.Globalization;
using System.Net;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using IpvsTools.Ipvs;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>Completes -Scheduler with the kernel's schedulers and any loaded scheduler module.</summary>
public sealed class IpvsSchedulerCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
        => Completion.Matching(IpvsSchedulers.Known(), wordToComplete);
}

/// <summary>Completes -SchedulerFlags with the names the scheduler already typed gives its flags (sh-port for sh...).</summary>
public sealed class IpvsSchedulerFlagCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var scheduler = fakeBoundParameters["Scheduler"] as string;
        var names = string.IsNullOrEmpty(scheduler)
            ? IpvsSchedulers.FlagNames("sh").Concat(IpvsSchedulers.FlagNames("mh")).Distinct()
            : IpvsSchedulers.FlagNames(scheduler);
        return Completion.Matching(names, wordToComplete);
    }
}

/// <summary>
/// Reads the services of the namespace already typed (-NetworkNamespace) for the completers below;
/// nothing when the kernel cannot be asked (no IPVS, no permission): completion never fails loudly.
/// </summary>
internal static class IpvsCompletionSource
{
    public static IReadOnlyList<IpvsService> Services(IDictionary fakeBoundParameters, bool includeDestinations)
    {
        try
        {
            var ns = IpvsTools.Namespaces.NetworkNamespace.Resolve(fakeBoundParameters["NetworkNamespace"] as string);
            using var client = IpvsClient.Open(ns);
            return client.GetServices(includeDestinations);
        }
        catch (IpvsToolsException)
        {
            return [];
        }
    }

    /// <summary>The one service of that key with its real servers (none when it does not exist or the kernel cannot be asked).</summary>
    public static IReadOnlyList<IpvsService> Service(IDictionary fakeBoundParameters, IpvsServiceKey key)
    {
        try
        {
            var ns = IpvsTools.Namespaces.NetworkNamespace.Resolve(fakeBoundParameters["NetworkNamespace"] as string);
            using var client = IpvsClient.Open(ns);
            return client.GetService(key) is { } service ? [service] : [];
        }
        catch (IpvsToolsException)
        {
            return [];
        }
    }

    /// <summary>The services that match what is typed already: -Protocol, -Address, -Port, -Service.</summary>
    public static IEnumerable<IpvsService> Matching(IDictionary bound, bool includeDestinations)
    {
        var services = Services(bound, includeDestinations).Where(s => !s.Key.IsFirewallMark);
        if (bound["Protocol"] is { } protocol && Enum.TryParse<IpvsProtocol>(protocol.ToString(), true, out var p))
            services = services.Where(s => s.Protocol == p);
        if (bound["Address"] is { } address && IPAddress.TryParse(First(address), out var a))
            services = services.Where(s => a.Equals(s.Address));
        if (bound["Port"] is { } port && ushort.TryParse(First(port), out var n))
            services = services.Where(s => s.Port == n);
        return services;
    }

    public static string? First(object value) => value is IEnumerable e and not string ? e.Cast<object?>().FirstOrDefault()?.ToString() : value.ToString();
}

/// <summary>Completes a service's virtual address (-Address of Get-/Set-/Remove-IpvsService...) from the kernel's IPVS table.</summary>
public sealed class IpvsServiceAddressCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var bound = new Hashtable(fakeBoundParameters, StringComparer.OrdinalIgnoreCase);
        bound.Remove("Address");
        return Completion.Matching(IpvsCompletionSource.Matching(bound, false).Select(s => s.Address!.ToString()).Distinct(), wordToComplete);
    }
}

/// <summary>Completes a service's virtual port from the kernel's IPVS table (narrowed by -Address and -Protocol when typed).</summary>
public sealed class IpvsServicePortCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var bound = new Hashtable(fakeBoundParameters, StringComparer.OrdinalIgnoreCase);
        bound.Remove("Port");
        var ports = IpvsCompletionSource.Matching(bound, false).Select(s => s.Port).Distinct().Order().Select(p => p.ToString(CultureInfo.InvariantCulture));
        var word = (wordToComplete ?? "").Trim('\'', '"');
        return ports.Where(p => p.StartsWith(word, StringComparison.Ordinal)).Select(p => new CompletionResult(p, p, CompletionResultType.ParameterValue, p)).ToList();
    }
}

/// <summary>Completes -Service with the kernel's services by name ('TCP 10.96.0.10:53', 'FWM 5'), quoted.</summary>
public sealed class IpvsServiceNameCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var word = (wordToComplete ?? "").Trim('\'', '"');
        var pattern = new WildcardPattern(word + "*", WildcardOptions.IgnoreCase);
        return IpvsCompletionSource.Services(fakeBoundParameters, false).Select(s => s.Key.DisplayName).Where(pattern.IsMatch)
            .Order(StringComparer.Ordinal)
            .Select(n => new CompletionResult("'" + n + "'", n, CompletionResultType.ParameterValue, n)).ToList();
    }
}

/// <summary>Completes a real server's address (-Address of Set-/Remove-IpvsDestination) from the service typed with -Service, or every service.</summary>
public sealed class IpvsDestinationAddressCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        // A typed -Service is looked up alone (one GET_SERVICE and its destination dump), never the whole table.
        var services = fakeBoundParameters["Service"] is { } typed && IpvsServiceKey.TryParse(IpvsCompletionSource.First(typed), out var key)
            ? IpvsCompletionSource.Service(fakeBoundParameters, key!)
            : IpvsCompletionSource.Services(fakeBoundParameters, true);
        return Completion.Matching(services.SelectMany(s => s.Destinations).Select(d => d.Address.ToString()).Distinct(), wordToComplete);
    }
}

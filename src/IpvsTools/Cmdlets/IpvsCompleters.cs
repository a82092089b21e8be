using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;

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

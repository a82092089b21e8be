using System;
using System.Management.Automation;
using IpvsTools.Netlink;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>
/// What every IpvsTools cmdlet shares: -NetworkNamespace, and turning engine errors into ErrorRecords
/// whose ErrorId is &lt;Verb&gt;&lt;Noun&gt;&lt;Condition&gt; with the right category and target.
/// </summary>
public abstract class IpvsToolsCmdlet : PSCmdlet
{
    /// <summary>
    /// The network namespace to work in: a name under /run/netns (as `ip netns` makes) or a path such as
    /// /proc/PID/ns/net. Omitted, null or empty: the namespace of the PowerShell process. Null is allowed
    /// because piped objects read from the process's own namespace carry a null NetworkNamespace.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(NetworkNamespaceCompleter))]
    [Alias("NetNs")]
    [AllowNull]
    [AllowEmptyString]
    public string? NetworkNamespace { get; set; }

    /// <summary>"GetIpset" for Get-Ipset: the prefix of every ErrorId this cmdlet writes.</summary>
    protected string ErrorIdPrefix
    {
        get
        {
            var attribute = (CmdletAttribute)Attribute.GetCustomAttribute(GetType(), typeof(CmdletAttribute))!;
            return attribute.VerbName + attribute.NounName;
        }
    }

    /// <summary>The namespace to use, or a terminating error when it does not exist.</summary>
    protected NetworkNamespace? ResolveNetworkNamespace()
    {
        try
        {
            return IpvsTools.Namespaces.NetworkNamespace.Resolve(NetworkNamespace);
        }
        catch (IpvsToolsException ex)
        {
            ThrowTerminatingError(ErrorFor(ex, NetworkNamespace, "NetworkNamespace" + Condition(ex.Kind)));
            return null;
        }
    }

    /// <summary>" in network namespace 'x'" for a message about <paramref name="ns"/>; "" for the process's own namespace.</summary>
    protected static string Where(NetworkNamespace? ns) => ns is null ? "" : $" in network namespace '{ns.DisplayName}'";

    /// <summary>An ErrorRecord for an engine error; the condition defaults to the error's kind.</summary>
    protected ErrorRecord ErrorFor(IpvsToolsException exception, object? target, string? condition = null)
        => new(exception, ErrorIdPrefix + (condition ?? Condition(exception.Kind)), Category(exception.Kind), target);

    /// <summary>An ErrorRecord for a refusal the cmdlet itself decides (bad input).</summary>
    protected ErrorRecord ErrorFor(string message, string condition, ErrorCategory category, object? target)
        => new(new ArgumentException(message), ErrorIdPrefix + condition, category, target);

    /// <summary>
    /// -NodePortRange (the API server's --service-node-port-range, "30000-32767") as its first and last port,
    /// 30000-32767 when <paramref name="text"/> is null; false after writing the error that refuses it.
    /// </summary>
    protected bool TryNodePortRange(string? text, out int first, out int last)
    {
        first = 30000;
        last = 32767;
        if (text is null || KubeProxyConfigInput.TryParseRange(text, out first, out last)) return true;
        WriteError(ErrorFor($"-NodePortRange: '{text}' is not a port range such as 30000-32767.", "InvalidNodePortRange", ErrorCategory.InvalidArgument, text));
        return false;
    }

    /// <summary>Errors after which nothing else the cmdlet could do would work: stop the pipeline.</summary>
    protected static bool IsFatal(IpvsToolsException exception)
        => exception.Kind is FailureKind.PermissionDenied or FailureKind.ModuleMissing or FailureKind.NotSupported or FailureKind.Protocol;

    /// <summary>The ErrorId condition for an engine failure kind.</summary>
    public static string Condition(FailureKind kind) => kind switch
    {
        FailureKind.PermissionDenied => "PermissionDenied",
        FailureKind.NotFound => "NotFound",
        FailureKind.AlreadyExists => "AlreadyExists",
        FailureKind.InvalidArgument => "InvalidArgument",
        FailureKind.ModuleMissing => "KernelModuleMissing",
        FailureKind.Busy => "Busy",
        FailureKind.NotSupported => "NotSupported",
        FailureKind.StateUnknown => "StateUnknown",
        FailureKind.Protocol => "ProtocolError",
        FailureKind.Timeout => "Timeout",
        _ => "Failed",
    };

    /// <summary>The ErrorCategory for an engine failure kind.</summary>
    public static ErrorCategory Category(FailureKind kind) => kind switch
    {
        FailureKind.PermissionDenied => ErrorCategory.PermissionDenied,
        FailureKind.NotFound => ErrorCategory.ObjectNotFound,
        FailureKind.AlreadyExists => ErrorCategory.ResourceExists,
        FailureKind.InvalidArgument => ErrorCategory.InvalidArgument,
        FailureKind.ModuleMissing => ErrorCategory.NotInstalled,
        FailureKind.Busy => ErrorCategory.ResourceBusy,
        FailureKind.NotSupported => ErrorCategory.NotImplemented,
        FailureKind.StateUnknown => ErrorCategory.InvalidResult,
        FailureKind.Protocol => ErrorCategory.ProtocolError,
        FailureKind.Timeout => ErrorCategory.OperationTimeout,
        _ => ErrorCategory.NotSpecified,
    };
}

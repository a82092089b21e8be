using System;

namespace IpvsTools;

/// <summary>What kind of failure an engine error is; the cmdlets map it to an ErrorCategory.</summary>
public enum FailureKind
{
    Other,
    PermissionDenied,
    NotFound,
    AlreadyExists,
    InvalidArgument,
    ModuleMissing,
    Busy,
    NotSupported,
    /// <summary>The outcome is not known (for example ENOBUFS): read the kernel again.</summary>
    StateUnknown,
    Protocol,
    Timeout,
}

/// <summary>Base of every error the engine raises on purpose.</summary>
public class IpvsToolsException : Exception
{
    public IpvsToolsException(string message, FailureKind kind, Exception? inner = null)
        : base(message, inner) => Kind = kind;

    public FailureKind Kind { get; }
}

using System;
using System.Collections.Generic;
using System.Management.Automation;
using IpvsTools.Namespaces;

namespace IpvsTools.Commands;

/// <summary>
/// What the cmdlets that talk to a kernel subsystem share (the IPVS and ipset cmdlets): one client of each
/// kind per network namespace for the whole pipeline (piped objects may name different namespaces), and
/// one error policy: a refusal of bad input and an error about one item are non-terminating; an error after
/// which nothing else could work (<see cref="IpvsToolsCmdlet.IsFatal"/>: permission, missing kernel module,
/// unsupported protocol, protocol fault) and a client that cannot be opened stop the pipeline.
/// </summary>
public abstract class KernelCmdlet : IpvsToolsCmdlet, IDisposable
{
    private readonly Dictionary<(Type Kind, string Namespace), IDisposable> _clients = new();

    /// <summary>
    /// The client of type <typeparamref name="TClient"/> for <paramref name="ns"/>, opened with
    /// <paramref name="open"/> on first use; a failure to open is terminating, with <paramref name="failureTarget"/>
    /// as the error's target.
    /// </summary>
    protected TClient CachedClient<TClient>(NetworkNamespace? ns, Func<NetworkNamespace?, TClient> open, object? failureTarget)
        where TClient : class, IDisposable
    {
        var id = (typeof(TClient), ns?.Path ?? "");
        if (_clients.TryGetValue(id, out var cached)) return (TClient)cached;
        TClient client;
        try
        {
            client = open(ns);
        }
        catch (IpvsToolsException ex)
        {
            ThrowTerminatingError(ErrorFor(ex, failureTarget));
            throw; // not reached
        }
        _clients[id] = client;
        return client;
    }

    /// <summary>Writes an engine error about one item: fatal kinds stop the pipeline, the others are per item.</summary>
    protected void Report(IpvsToolsException exception, object? target, string? condition = null)
    {
        var record = ErrorFor(exception, target, condition);
        if (IsFatal(exception)) ThrowTerminatingError(record);
        WriteError(record);
    }

    /// <summary>A refusal of bad input, decided before the kernel is asked; never terminating.</summary>
    protected void Refuse(string message, string condition, object? target, ErrorCategory category = ErrorCategory.InvalidArgument)
        => WriteError(ErrorFor(message, condition, category, target));

    public void Dispose()
    {
        foreach (var client in _clients.Values) client.Dispose();
        _clients.Clear();
        GC.SuppressFinalize(this);
    }
}

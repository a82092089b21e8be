using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Runtime.CompilerServices;

namespace IpvsTools.Ipvs;

/// <summary>
/// Checks a restore file's operations against the table they will meet, before any is applied: each
/// line is played on a model of the table (services and their real servers), so a -A of a service that
/// exists, a -a to a service that does not, or a -d of a real server that is not there is found, with
/// its line number, before the kernel is touched. Schedulers are checked by name.
/// </summary>
public static class IpvsConfigPlan
{
    /// <summary>Every line that would fail; empty when the whole file fits the table.</summary>
    /// <param name="operations">The parsed lines, in order.</param>
    /// <param name="table">The services (with real servers) as the kernel has them now.</param>
    /// <param name="isKnownScheduler">Whether a scheduler name exists (see <see cref="IpvsSchedulers.IsKnown"/>).</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static IReadOnlyList<IpvsConfigLineError> Check(IReadOnlyList<IpvsConfigOperation> operations, IReadOnlyList<IpvsService> table,
        Func<string, bool> isKnownScheduler)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(isKnownScheduler);
        var model = new Dictionary<IpvsServiceKey, HashSet<(IPAddress, ushort)>>();
        foreach (var service in table) model[service.Key] = service.Destinations.Select(d => (d.Address, d.Port)).ToHashSet();
        var errors = new List<IpvsConfigLineError>();
        foreach (var op in operations)
        {
            var problem = Play(op, model, isKnownScheduler);
            if (problem is not null) errors.Add(new IpvsConfigLineError(op.Line, op.Text, problem));
        }
        return errors;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string? Play(IpvsConfigOperation op, Dictionary<IpvsServiceKey, HashSet<(IPAddress, ushort)>> model, Func<string, bool> isKnownScheduler)
    {
        var key = op.Service;
        var exists = key is not null && model.ContainsKey(key);
        switch (op.Command)
        {
            case IpvsConfigCommand.AddService:
                if (exists) return $"IPVS service {key!.DisplayName} already exists (an earlier line or the table has it)";
                if (!isKnownScheduler(op.ServiceSettings!.Scheduler)) return UnknownScheduler(op.ServiceSettings.Scheduler);
                model[key!] = new HashSet<(IPAddress, ushort)>();
                return null;
            case IpvsConfigCommand.EditService:
                if (!exists) return NoService(key!);
                return isKnownScheduler(op.ServiceSettings!.Scheduler) ? null : UnknownScheduler(op.ServiceSettings.Scheduler);
            case IpvsConfigCommand.DeleteService:
                if (!exists) return NoService(key!);
                model.Remove(key!);
                return null;
            case IpvsConfigCommand.Clear:
                model.Clear();
                return null;
            case IpvsConfigCommand.Zero:
                return key is null || exists ? null : NoService(key);
            case IpvsConfigCommand.AddDestination:
                if (!exists) return NoService(key!);
                return model[key!].Add((op.DestinationAddress!, op.DestinationPort)) ? null : $"IPVS service {key!.DisplayName} already has real server {Endpoint(op)}";
            case IpvsConfigCommand.EditDestination:
                if (!exists) return NoService(key!);
                return model[key!].Contains((op.DestinationAddress!, op.DestinationPort)) ? null : NoDestination(op);
            case IpvsConfigCommand.DeleteDestination:
                if (!exists) return NoService(key!);
                return model[key!].Remove((op.DestinationAddress!, op.DestinationPort)) ? null : NoDestination(op);
            default:
                return null;
        }
    }

    private static string Endpoint(IpvsConfigOperation op) => IpvsadmSaveText.FormatEndpoint(op.DestinationAddress!, op.DestinationPort);

    private static string NoService(IpvsServiceKey key) => $"there is no IPVS service {key.DisplayName} (neither in the table nor added by an earlier line)";

    private static string NoDestination(IpvsConfigOperation op) => $"IPVS service {op.Service!.DisplayName} has no real server {Endpoint(op)}";

    private static string UnknownScheduler(string scheduler)
        => $"'{scheduler}' is not an IPVS scheduler (the kernel's are {string.Join(", ", IpvsSchedulers.KernelSchedulers)}; load another scheduler's module first: modprobe {IpvsSchedulers.ModuleName(scheduler)})";
}

using System;
using System.Linq;
using System.Management.Automation;
using IpvsTools.Ipvs;

namespace IpvsTools.Commands;

/// <summary>
/// Accepts the schedulers the kernel ships (<see cref="IpvsSchedulers.KernelSchedulers"/>, without "none"),
/// as kube-proxy's --ipvs-scheduler does; anything else is a parameter validation error.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class ValidateKernelSchedulerAttribute : ValidateArgumentsAttribute
{
    protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
    {
        var name = arguments?.ToString();
        var allowed = IpvsSchedulers.KernelSchedulers.Where(s => s != "none").ToList();
        if (name is null || !allowed.Contains(name, StringComparer.Ordinal))
            throw new ValidationMetadataException($"'{name}' is not an IPVS scheduler of the kernel; use one of {string.Join(", ", allowed)}.");
    }
}

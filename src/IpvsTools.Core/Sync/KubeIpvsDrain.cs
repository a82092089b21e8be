using System;
using System.Linq;
using System.Threading;

namespace IpvsTools.Sync;

/// <summary>How <see cref="KubeIpvsDrain.SyncAndDrain"/> ended.</summary>
public enum KubeIpvsDrainOutcome
{
    /// <summary>Every plan was applied and nothing is left draining (or no drain timeout was given).</summary>
    Done = 0,

    /// <summary>A plan was not applied (declined, -WhatIf, or stopped between writes); nothing more was tried.</summary>
    NotApplied = 1,

    /// <summary>The drain timeout passed with real servers still draining; a later sync removes them.</summary>
    StillDraining = 2,

    /// <summary>Cancelled while waiting for connections to end.</summary>
    Cancelled = 3,
}

/// <summary>What <see cref="KubeIpvsDrain.SyncAndDrain"/> did: how it ended, and the last plan with the real servers it left draining.</summary>
public sealed class KubeIpvsDrainResult
{
    internal KubeIpvsDrainResult(KubeIpvsDrainOutcome outcome, KubeIpvsPlan lastPlan, int draining)
    {
        Outcome = outcome;
        LastPlan = lastPlan;
        Draining = draining;
    }

    /// <summary>How it ended.</summary>
    public KubeIpvsDrainOutcome Outcome { get; }

    /// <summary>The last plan made.</summary>
    public KubeIpvsPlan LastPlan { get; }

    /// <summary>Real servers draining after the last plan: those at weight 0 waiting, and those the plan set to weight 0.</summary>
    public int Draining { get; }
}

/// <summary>
/// One sync with graceful termination (Sync-KubeIpvs -DrainTimeout): plan and apply; then, while real servers
/// drain (weight 0, connections left), re-plan every <c>interval</c> and apply what the new plan holds (the
/// removals of real servers whose connections ended) until none drains, the timeout passes, or it is
/// cancelled. Planning and applying are the caller's (a fresh read of the node each time, and the caller's
/// confirmation and output), so this knows no cmdlet.
/// </summary>
public static class KubeIpvsDrain
{
    /// <summary>How often a draining node is planned again.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Plans with <paramref name="plan"/> and applies with <paramref name="apply"/> (false: not applied, stop);
    /// with a <paramref name="drainTimeout"/> above zero, then re-plans and applies non-empty plans until no real
    /// server drains or the timeout passes, calling <paramref name="waiting"/> (how many drain, time left) before each wait.
    /// </summary>
    public static KubeIpvsDrainResult SyncAndDrain(Func<KubeIpvsPlan> plan, Func<KubeIpvsPlan, bool> apply, TimeSpan? drainTimeout,
        Action<int, TimeSpan>? waiting = null, CancellationToken cancellation = default, TimeSpan? interval = null)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(apply);
        var first = plan();
        if (!apply(first)) return new KubeIpvsDrainResult(KubeIpvsDrainOutcome.NotApplied, first, Draining(first));
        if (drainTimeout is not { } timeout || timeout <= TimeSpan.Zero) return new KubeIpvsDrainResult(KubeIpvsDrainOutcome.Done, first, Draining(first));

        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var again = plan();
            if (!again.IsEmpty && !apply(again)) return new KubeIpvsDrainResult(KubeIpvsDrainOutcome.NotApplied, again, Draining(again));
            var draining = Draining(again);
            if (draining == 0) return new KubeIpvsDrainResult(KubeIpvsDrainOutcome.Done, again, 0);
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero) return new KubeIpvsDrainResult(KubeIpvsDrainOutcome.StillDraining, again, draining);
            waiting?.Invoke(draining, left);
            if (cancellation.WaitHandle.WaitOne(interval ?? DefaultInterval)) return new KubeIpvsDrainResult(KubeIpvsDrainOutcome.Cancelled, again, draining);
        }
    }

    /// <summary>Real servers draining after <paramref name="plan"/>: those waiting at weight 0, and those it sets to weight 0.</summary>
    public static int Draining(KubeIpvsPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return plan.Draining.Count + plan.Operations.OfType<KubeVirtualServerOperation>().Count(o => o.SetsWeightZero);
    }
}

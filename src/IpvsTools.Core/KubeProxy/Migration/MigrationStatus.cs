namespace IpvsTools.KubeProxy.Migration;

/// <summary>What a migration check found: nothing in the way, something that changes, or something that must be dealt with first.</summary>
public enum MigrationStatus
{
    /// <summary>Nothing in the way.</summary>
    Pass,

    /// <summary>Behaviour that changes with the switch, or something that could not be checked: read it, then decide.</summary>
    Warning,

    /// <summary>Deal with it before the switch (or the switch breaks something, or loses state).</summary>
    Blocker,
}

using System;

namespace IpvsTools.Diagnostics;

/// <summary>How a probe ended.</summary>
public enum ProbeFailure
{
    /// <summary>It answered (TCP connected; UDP got an answer).</summary>
    None = 0,
    /// <summary>Refused: a TCP reset or an ICMP port unreachable. The host is there; nothing listens on the port.</summary>
    Refused,
    /// <summary>No route, or the host did not answer ARP/neighbour discovery: the address is not there.</summary>
    Unreachable,
    /// <summary>Nothing came back before the timeout.</summary>
    Timeout,
    /// <summary>Not probed: the protocol has no probe (SCTP), or the address family is not usable here.</summary>
    NotProbed,
    /// <summary>Another socket error.</summary>
    Other,
}

/// <summary>The result of one probe: answered or not, the latency, and what happened in words.</summary>
public sealed class ProbeOutcome
{
    public ProbeOutcome(bool? answered, ProbeFailure failure, double? latencyMilliseconds, string detail)
    {
        Answered = answered;
        Failure = failure;
        LatencyMilliseconds = latencyMilliseconds;
        Detail = detail ?? "";
    }

    /// <summary>True: it answered. False: it did not. Null: not probed, or a UDP service without an answer (UDP need not answer).</summary>
    public bool? Answered { get; }

    public ProbeFailure Failure { get; }

    public double? LatencyMilliseconds { get; }

    public string Detail { get; }

    public override string ToString() => Detail;

    internal static string Milliseconds(double ms) => ms.ToString(ms < 10 ? "0.00" : "0.0", System.Globalization.CultureInfo.InvariantCulture) + " ms";
}

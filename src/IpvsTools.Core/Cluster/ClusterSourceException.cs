using System;
using System.Globalization;

namespace IpvsTools.Cluster;

/// <summary>
/// A cluster source could not be read: a snapshot file that is malformed (with the file and the
/// position), or an API server that refused or could not be reached.
/// </summary>
public sealed class ClusterSourceException : IpvsToolsException
{
    /// <summary>An error at a position of a file (line and column from 1), or without one.</summary>
    public ClusterSourceException(string message, FailureKind kind, string? source = null, int line = 0, int column = 0, Exception? inner = null)
        : base(Compose(message, source, line, column), kind, inner)
    {
        SourceName = source;
        Line = line;
        Column = column;
        Reason = message;
    }

    /// <summary>The file or API server the error is about.</summary>
    public string? SourceName { get; }

    /// <summary>The line (from 1) in the file; 0 when not known.</summary>
    public int Line { get; }

    /// <summary>The column (from 1) in the line; 0 when not known.</summary>
    public int Column { get; }

    /// <summary>The message without the position.</summary>
    public string Reason { get; }

    private static string Compose(string message, string? source, int line, int column)
    {
        if (source is null) return message;
        if (line <= 0) return source + ": " + message;
        return string.Format(CultureInfo.InvariantCulture, "{0}:{1}:{2}: {3}", source, line, column, message);
    }
}

using System;
using System.Text;
using System.Text.Json;

namespace IpvsTools.Kube;

/// <summary>
/// Short strings of one snapshot read, shared: a cluster's node names, namespaces, port names, protocols, label
/// names and kinds repeat in every object (a node name once per endpoint), and every copy of them would live as
/// long as the snapshot. A string read from the JSON is looked up by its bytes in a small table of the strings
/// last read and reused when equal; anything else is made as <see cref="Utf8JsonReader.GetString"/> makes it
/// (escaped values, non-ASCII values and long ones always are), so the values read are the same either way.
/// One pool serves one thread's read (<see cref="JsonSnapshotReader"/> makes it per file).
/// </summary>
internal sealed class JsonStringPool
{
    private const int MaxLength = 64;
    private readonly string?[] _slots = new string?[4096];

    [ThreadStatic]
    private static JsonStringPool? _current;

    /// <summary>The pool of this thread's read; null outside one (then strings are made as usual).</summary>
    public static JsonStringPool? Current
    {
        get => _current;
        set => _current = value;
    }

    /// <summary>The current string token's value (the reader is on a String token).</summary>
    public static string Get(ref Utf8JsonReader reader)
    {
        var pool = _current;
        if (pool is null || reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxLength) return reader.GetString()!;
        return pool.Get(reader.ValueSpan) ?? reader.GetString()!;
    }

    /// <summary>The string of these bytes when they are ASCII, shared with an equal one read before; null when not ASCII.</summary>
    private string? Get(ReadOnlySpan<byte> utf8)
    {
        var hash = 2166136261u;
        foreach (var b in utf8) hash = (hash ^ b) * 16777619u;
        ref var slot = ref _slots[hash & (uint)(_slots.Length - 1)];
        if (slot is { } known && Ascii.Equals(utf8, known)) return known;
        if (!Ascii.IsValid(utf8)) return null;
        return slot = Encoding.ASCII.GetString(utf8);
    }
}

using System;
using System.Collections.Concurrent;

namespace IpvsTools.Netlink;

/// <summary>A generic netlink family as the controller (nlctrl) describes it.</summary>
internal sealed record GenericNetlinkFamily(string Name, ushort Id, uint Version, uint MaxAttribute);

/// <summary>
/// Resolves generic netlink family names ("IPVS") to their message type ids through the controller,
/// and caches them: family ids are global to the kernel, not per namespace. A family the kernel does
/// not know raises <see cref="NetlinkException"/> with ENOENT (asking also makes the kernel try to load a
/// module that declares the family's alias).
/// </summary>
internal static class GenericNetlink
{
    public const ushort ControllerId = 0x10;
    public const byte CommandGetFamily = 3;
    public const ushort AttributeFamilyId = 1;
    public const ushort AttributeFamilyName = 2;
    public const ushort AttributeVersion = 3;
    public const ushort AttributeHeaderSize = 4;
    public const ushort AttributeMaxAttribute = 5;
    public const int HeaderLength = 4;

    private static readonly ConcurrentDictionary<string, GenericNetlinkFamily> Cache = new(StringComparer.Ordinal);

    public static GenericNetlinkFamily Resolve(NetlinkSocket socket, string name)
    {
        if (socket.Protocol != NetlinkProtocol.Generic) throw new ArgumentException("A NETLINK_GENERIC socket is needed.", nameof(socket));
        if (Cache.TryGetValue(name, out var cached)) return cached;
        var family = Query(socket, name);
        Cache[name] = family;
        return family;
    }

    /// <summary>Forgets a cached id (for example after the module that owns the family was reloaded).</summary>
    public static void Forget(string name) => Cache.TryRemove(name, out _);

    /// <summary>Writes the CTRL_CMD_GETFAMILY request for <paramref name="name"/>.</summary>
    public static NetlinkMessageWriter BuildGetFamily(string name)
    {
        var writer = new NetlinkMessageWriter();
        writer.BeginMessage(ControllerId, NetlinkConstants.FlagRequest | NetlinkConstants.FlagAck)
            .WriteGenericHeader(CommandGetFamily, 1)
            .PutString(AttributeFamilyName, name)
            .EndMessage();
        return writer;
    }

    /// <summary>Decodes a controller reply; null when it is not a family description.</summary>
    public static GenericNetlinkFamily? ParseFamily(NetlinkMessage reply)
    {
        if (reply.Type != ControllerId) return null;
        string? familyName = null;
        ushort? id = null;
        uint version = 0, maxAttribute = 0;
        var attributes = reply.Attributes(HeaderLength);
        while (attributes.TryRead(out var attribute))
        {
            switch (attribute.Type)
            {
                case AttributeFamilyId: id = attribute.GetU16(); break;
                case AttributeFamilyName: familyName = attribute.GetString(); break;
                case AttributeVersion: version = attribute.GetU32(); break;
                case AttributeMaxAttribute: maxAttribute = attribute.GetU32(); break;
            }
        }
        return id is null || familyName is null ? null : new GenericNetlinkFamily(familyName, id.Value, version, maxAttribute);
    }

    private static GenericNetlinkFamily Query(NetlinkSocket socket, string name)
    {
        GenericNetlinkFamily? found = null;
        socket.Execute(BuildGetFamily(name), reply => found ??= ParseFamily(reply), $"Looking up the generic netlink family '{name}'");
        return found ?? throw new NetlinkDecodeException($"the controller's answer for '{name}' named no family id");
    }
}

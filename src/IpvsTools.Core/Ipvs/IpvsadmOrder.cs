using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;

namespace IpvsTools.Ipvs;

/// <summary>
/// The order `ipvsadm -L` lists in. ipvsadm sorts services by fwmark, family, protocol, address and
/// port, and each service's destinations by address and port, with comparisons that subtract
/// unsigned 32-bit values and read the difference as an int: the subtraction wraps, so 192.168.x sorts
/// before 10.96.x, and the order is not transitive. The result therefore depends on the sorting
/// algorithm and the input order: glibc's qsort, which is a top-down merge sort (first half n/2,
/// left element taken on ties), fed in the kernel's dump order. <see cref="Sort{T}"/> is that merge sort.
/// </summary>
internal static class IpvsadmOrder
{
    /// <summary>ipvs_cmp_services: fwmark, family, protocol, address (wrapping), port.</summary>
    public static int CompareServices(IpvsServiceKey a, IpvsServiceKey b)
    {
        var r = unchecked((int)(a.FirewallMark - b.FirewallMark));
        if (r != 0) return r;
        r = IpvsRequests.KernelFamily(a.AddressFamily) - IpvsRequests.KernelFamily(b.AddressFamily);
        if (r != 0) return r;
        r = (ushort)a.Protocol - (ushort)b.Protocol;
        if (r != 0) return r;
        r = CompareAddresses(a.AddressFamily, a.Address, b.Address);
        if (r != 0) return r;
        return a.Port - b.Port;
    }

    /// <summary>ipvs_cmp_dests: address (wrapping; all four words when the first is IPv6), then port.</summary>
    public static int CompareDestinations(IpvsDestination a, IpvsDestination b)
    {
        var r = CompareAddresses(a.AddressFamily, a.Address, b.Address);
        if (r != 0) return r;
        return a.Port - b.Port;
    }

    /// <summary>
    /// Compares the kernel's 16-byte forms word by word (IPv6) or the first word only (otherwise), each
    /// word in host order after ntohl, the difference wrapped to an int.
    /// </summary>
    private static int CompareAddresses(AddressFamily family, IPAddress? a, IPAddress? b)
    {
        Span<byte> left = stackalloc byte[IpvsConstants.AddressLength];
        Span<byte> right = stackalloc byte[IpvsConstants.AddressLength];
        IpvsAddressText.WriteKernelBytes(a, left);
        IpvsAddressText.WriteKernelBytes(b, right);
        var words = family == AddressFamily.InterNetworkV6 ? 4 : 1;
        for (var i = 0; i < words; i++)
        {
            var r = unchecked((int)(BinaryPrimitives.ReadUInt32BigEndian(left.Slice(4 * i)) - BinaryPrimitives.ReadUInt32BigEndian(right.Slice(4 * i))));
            if (r != 0) return r;
        }
        return 0;
    }

    /// <summary>The items in the order glibc's qsort (merge sort) puts them with <paramref name="compare"/>.</summary>
    public static List<T> Sort<T>(IEnumerable<T> items, Comparison<T> compare)
    {
        var array = new List<T>(items).ToArray();
        if (array.Length > 1) MergeSort(array, 0, array.Length, new T[array.Length], compare);
        return new List<T>(array);
    }

    // msort_with_tmp: sort both halves (the first has n/2 elements), merge them taking the left
    // element while compare(left, right) <= 0, then copy the merged prefix back; what is left of the
    // right half is already in place.
    private static void MergeSort<T>(T[] items, int start, int count, T[] scratch, Comparison<T> compare)
    {
        if (count <= 1) return;
        var leftCount = count / 2;
        var rightCount = count - leftCount;
        MergeSort(items, start, leftCount, scratch, compare);
        MergeSort(items, start + leftCount, rightCount, scratch, compare);
        int left = start, right = start + leftCount, written = 0;
        while (leftCount > 0 && rightCount > 0)
        {
            if (compare(items[left], items[right]) <= 0)
            {
                scratch[written++] = items[left++];
                leftCount--;
            }
            else
            {
                scratch[written++] = items[right++];
                rightCount--;
            }
        }
        while (leftCount-- > 0) scratch[written++] = items[left++];
        Array.Copy(scratch, 0, items, start, written);
    }
}

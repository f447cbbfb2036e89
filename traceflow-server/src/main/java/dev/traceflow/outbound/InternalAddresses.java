package dev.traceflow.outbound;

import dev.traceflow.http.CidrBlocks;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The addresses an outbound request must not reach unless allowed: everything that is not a
 * public unicast address of the Internet, and IPv6 forms that carry such an IPv4 address inside.
 * Documentation ranges (192.0.2.0/24, 2001:db8::/32...) are not listed: nothing routes them.
 */
final class InternalAddresses {

    private record Range(String reason, CidrBlocks blocks) {

        static Range of(String reason, String... cidrs) {
            return new Range(reason, CidrBlocks.parse("built-in range", List.of(cidrs)));
        }
    }

    /** First match wins: broadcast before the reserved 240.0.0.0/4 that holds it. */
    private static final List<Range> RANGES = List.of(
            Range.of("unspecified address", "0.0.0.0/8", "::/128"),
            Range.of("loopback address", "127.0.0.0/8", "::1/128"),
            // 169.254.169.254 is the cloud metadata service of AWS, GCP and Azure
            Range.of("link-local address", "169.254.0.0/16", "fe80::/10"),
            Range.of("private address",
                    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
                    "100.64.0.0/10",     // carrier-grade NAT (shared address space)
                    "fc00::/7",          // unique local
                    "fec0::/10",         // site-local, deprecated but still routed by some networks
                    "64:ff9b:1::/48"),   // NAT64 for local use (RFC 8215)
            Range.of("broadcast address", "255.255.255.255/32"),
            Range.of("multicast address", "224.0.0.0/4", "ff00::/8"),
            Range.of("reserved address",
                    "192.0.0.0/24",      // IETF protocol assignments
                    "198.18.0.0/15",     // benchmarking
                    "240.0.0.0/4",       // future use
                    "100::/64"));        // discard-only

    private InternalAddresses() {
    }

    /**
     * Why the address may not be reached, or empty when it may: it is public, or it (or the IPv4
     * address inside it) lies in {@code allowed}.
     */
    static Optional<String> refusal(InetAddress address, CidrBlocks allowed) {
        Optional<InetAddress> inner = embeddedIpv4(address);
        if (allowed.contains(address) || inner.map(allowed::contains).orElse(false)) {
            return Optional.empty();
        }
        Optional<String> own = reason(address);
        if (own.isPresent()) {
            return own;
        }
        return inner.flatMap(InternalAddresses::reason);
    }

    private static Optional<String> reason(InetAddress address) {
        return RANGES.stream().filter(r -> r.blocks().contains(address)).map(Range::reason).findFirst();
    }

    /**
     * The IPv4 address an IPv6 address stands for: IPv4-compatible ({@code ::a.b.c.d}), IPv4-mapped
     * ({@code ::ffff:a.b.c.d}, when the JDK left it IPv6), IPv4-translated ({@code ::ffff:0:a.b.c.d}),
     * NAT64's well-known prefix ({@code 64:ff9b::a.b.c.d}) and 6to4 ({@code 2002:aabb:ccdd::}): a
     * gateway on the way may deliver such a packet to that IPv4 address.
     */
    static Optional<InetAddress> embeddedIpv4(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return Optional.empty();
        }
        byte[] a = address.getAddress();
        if (startsWith(a, new byte[12])
                || startsWith(a, new byte[]{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff})
                || startsWith(a, new byte[]{0, 0, 0, 0, 0, 0, 0, 0, (byte) 0xff, (byte) 0xff, 0, 0})
                || startsWith(a, new byte[]{0, 0x64, (byte) 0xff, (byte) 0x9b, 0, 0, 0, 0, 0, 0, 0, 0})) {
            return Optional.of(ipv4(Arrays.copyOfRange(a, 12, 16)));
        }
        if (a[0] == 0x20 && a[1] == 0x02) {
            return Optional.of(ipv4(Arrays.copyOfRange(a, 2, 6)));
        }
        return Optional.empty();
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        return Arrays.equals(a, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static Inet4Address ipv4(byte[] four) {
        try {
            return (Inet4Address) InetAddress.getByAddress(four);
        } catch (UnknownHostException e) {
            throw new IllegalStateException("four bytes are always an IPv4 address", e);
        }
    }
}

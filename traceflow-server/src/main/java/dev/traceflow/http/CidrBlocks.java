package dev.traceflow.http;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * A list of CIDR blocks an operator wrote in a setting ({@code TRACEFLOW_TRUSTED_PROXIES},
 * {@code TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS}), IPv4 and IPv6. An IPv4 address never lies in an
 * IPv6 block nor the other way round: callers that care about IPv4 inside IPv6 check both forms.
 */
public final class CidrBlocks {

    private record Block(byte[] network, int prefix) {

        boolean contains(byte[] a) {
            if (a.length != network.length) {
                return false;
            }
            int whole = prefix / 8;
            for (int i = 0; i < whole; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[whole] & mask) == (network[whole] & mask);
        }
    }

    private final List<Block> blocks;

    private CidrBlocks(List<Block> blocks) {
        this.blocks = blocks;
    }

    /**
     * @param setting the environment variable the blocks came from, named in the error
     * @param cidrs   blocks such as {@code 10.0.0.0/8}, {@code fd00::/8}, or single addresses (a
     *                whole-length block); blank entries are skipped
     * @throws IllegalArgumentException naming the setting and the entry that is no CIDR block of IP literals
     *                                  (host names are never looked up)
     */
    public static CidrBlocks parse(String setting, List<String> cidrs) {
        return new CidrBlocks(cidrs.stream().map(String::strip).filter(s -> !s.isEmpty())
                .map(cidr -> block(setting, cidr)).toList());
    }

    private static Block block(String setting, String cidr) {
        int slash = cidr.indexOf('/');
        Optional<InetAddress> address = IpAddresses.parse(slash < 0 ? cidr : cidr.substring(0, slash));
        if (address.isEmpty()) {
            throw new IllegalArgumentException(setting + ": '" + cidr + "' is no CIDR block (e.g. 10.0.0.0/8)");
        }
        byte[] network = address.get().getAddress();
        int prefix;
        try {
            prefix = slash < 0 ? network.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < 0 || prefix > network.length * 8) {
            throw new IllegalArgumentException(setting + ": '" + cidr + "' has no valid prefix length");
        }
        return new Block(network, prefix);
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    /** Whether the address lies in one of the blocks. */
    public boolean contains(InetAddress address) {
        byte[] a = address.getAddress();
        return blocks.stream().anyMatch(b -> b.contains(a));
    }
}

package dev.traceflow.http;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * The proxies whose forwarded headers are believed: CIDR blocks the operator lists
 * ({@code TRACEFLOW_TRUSTED_PROXIES}), none by default.
 */
final class TrustedProxies {

    private record Block(byte[] network, int prefix) {

        boolean contains(InetAddress address) {
            byte[] a = address.getAddress();
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

    /**
     * @param cidrs blocks such as {@code 10.0.0.0/8}, {@code fd00::/8}, or single addresses (a whole-length block)
     * @throws IllegalArgumentException naming the entry that is no CIDR block of IP literals
     */
    TrustedProxies(List<String> cidrs) {
        this.blocks = cidrs.stream().map(String::strip).filter(s -> !s.isEmpty()).map(TrustedProxies::block).toList();
    }

    private static Block block(String cidr) {
        int slash = cidr.indexOf('/');
        Optional<InetAddress> address = IpAddresses.parse(slash < 0 ? cidr : cidr.substring(0, slash));
        if (address.isEmpty()) {
            throw new IllegalArgumentException("TRACEFLOW_TRUSTED_PROXIES: '" + cidr + "' is no CIDR block (e.g. 10.0.0.0/8)");
        }
        byte[] network = address.get().getAddress();
        int prefix;
        try {
            prefix = slash < 0 ? network.length * 8 : Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            prefix = -1;
        }
        if (prefix < 0 || prefix > network.length * 8) {
            throw new IllegalArgumentException("TRACEFLOW_TRUSTED_PROXIES: '" + cidr + "' has no valid prefix length");
        }
        return new Block(network, prefix);
    }

    boolean isEmpty() {
        return blocks.isEmpty();
    }

    /** Whether the literal is an address inside a listed block (host names never are). */
    boolean trusts(String literal) {
        Optional<InetAddress> address = IpAddresses.parse(literal);
        return address.isPresent() && blocks.stream().anyMatch(b -> b.contains(address.get()));
    }

    /**
     * The client of a request that came from {@code peer} with these {@code X-Forwarded-For}
     * values: the peer itself unless it is a listed proxy; otherwise the nearest address in the
     * chain (read from the right, where the proxies appended) that is no listed proxy. What a
     * client wrote to the left of that is its own claim and not believed; an entry that is no IP
     * literal ends the walk at the proxy that passed it on.
     */
    String client(String peer, List<String> forwardedFor) {
        if (!trusts(peer)) {
            return peer;
        }
        String client = peer;
        for (int h = forwardedFor.size() - 1; h >= 0; h--) {
            String[] entries = forwardedFor.get(h).split(",");
            for (int i = entries.length - 1; i >= 0; i--) {
                String entry = entries[i].strip();
                Optional<InetAddress> address = IpAddresses.parse(entry);
                if (address.isEmpty()) {
                    return client;
                }
                client = address.get().getHostAddress();
                if (!trusts(client)) {
                    return client;
                }
            }
        }
        return client;
    }
}

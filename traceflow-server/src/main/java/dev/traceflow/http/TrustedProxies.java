package dev.traceflow.http;

import java.net.InetAddress;
import java.util.List;
import java.util.Optional;

/**
 * The proxies whose forwarded headers are believed: CIDR blocks the operator lists
 * ({@code TRACEFLOW_TRUSTED_PROXIES}), none by default.
 */
final class TrustedProxies {

    private final CidrBlocks blocks;

    /**
     * @param cidrs blocks such as {@code 10.0.0.0/8}, {@code fd00::/8}, or single addresses (a whole-length block)
     * @throws IllegalArgumentException naming the entry that is no CIDR block of IP literals
     */
    TrustedProxies(List<String> cidrs) {
        this.blocks = CidrBlocks.parse("TRACEFLOW_TRUSTED_PROXIES", cidrs);
    }

    boolean isEmpty() {
        return blocks.isEmpty();
    }

    /** Whether the literal is an address inside a listed block (host names never are). */
    boolean trusts(String literal) {
        Optional<InetAddress> address = IpAddresses.parse(literal);
        return address.isPresent() && blocks.contains(address.get());
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

package dev.traceflow.outbound;

import org.apache.hc.client5.http.DnsResolver;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * The resolver of HTTP clients that connect only to addresses {@link OutboundGuard} returned
 * (alert webhooks, git sources): it refuses every name, so a request that names a host instead of
 * a checked address fails instead of reaching an address nobody checked.
 */
public final class NoDnsResolver implements DnsResolver {

    public static final NoDnsResolver INSTANCE = new NoDnsResolver();

    private NoDnsResolver() {
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        throw new UnknownHostException("outbound addresses come from OutboundGuard only");
    }

    @Override
    public String resolveCanonicalHostname(String host) throws UnknownHostException {
        throw new UnknownHostException("outbound addresses come from OutboundGuard only");
    }
}

package dev.traceflow.outbound;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/**
 * Turns a host name into its addresses for {@link OutboundGuard}. The system's resolver unless a
 * bean of this type exists (tests give names the addresses they need without asking DNS).
 */
@FunctionalInterface
public interface HostResolver {

    /** {@link InetAddress#getAllByName}: the JVM's resolver, with its cache. */
    HostResolver SYSTEM = host -> List.of(InetAddress.getAllByName(host));

    /**
     * @param host a host name in ASCII (IDNs as punycode), lower case, without a trailing dot; never
     *             an IP literal (the guard reads those itself)
     * @return every address of the name, the preferred one first; never empty
     * @throws UnknownHostException when the name has no address
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;
}

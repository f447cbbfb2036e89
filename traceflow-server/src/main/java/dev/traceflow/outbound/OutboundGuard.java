package dev.traceflow.outbound;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.http.CidrBlocks;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Optional;

/**
 * The SSRF guard for URLs that users configure: http or https, a host, no credentials, no
 * fragment, and a host that is and resolves only to public addresses, unless the operator allows
 * the network ({@code TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS}). A name is refused when any one of its
 * addresses is internal, since the connection could go to any of them.
 *
 * <p>Check with {@link #requireAllowed} when the URL is saved and with
 * {@link #requireAllowedAtConnect} before every request: DNS may answer differently the second
 * time (rebinding). The client must connect to exactly the address the second check returned (not
 * resolve the name again) and never follow redirects, which would lead past the guard.
 */
@Component
public class OutboundGuard {

    private final CidrBlocks allowed;
    private final HostResolver resolver;

    /**
     * @param allowedNetworks CIDR blocks whose addresses are allowed although internal
     * @param resolver        how host names are resolved (never given IP literals)
     * @throws IllegalArgumentException naming {@code TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS} and the entry that is no CIDR block
     */
    public OutboundGuard(List<String> allowedNetworks, HostResolver resolver) {
        this.allowed = CidrBlocks.parse("TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS", allowedNetworks);
        this.resolver = resolver;
    }

    /** The system's resolver unless the context has a {@link HostResolver} bean. */
    @Autowired
    OutboundGuard(TraceFlowProperties properties, ObjectProvider<HostResolver> resolver) {
        this(properties.outbound().allowedNetworks(), resolver.getIfAvailable(() -> HostResolver.SYSTEM));
    }

    /**
     * Checks a URL as it is configured.
     *
     * @return the URL with its host in plain form (what to store and later send to)
     * @throws OutboundRefused when the URL is malformed, not http(s), carries credentials or a
     *                         fragment, its host does not resolve, or any of its addresses is internal
     */
    public URI requireAllowed(String url) {
        OutboundUrl parsed = OutboundUrl.parse(url);
        try {
            address(parsed);
        } catch (UnknownHostException e) {
            throw new OutboundRefused("host does not resolve", "URL refused: its host " + parsed.host() + " does not resolve");
        }
        return parsed.uri();
    }

    /**
     * Checks a URL again right before a request, resolving its host anew.
     *
     * @return the address to connect to: the first the resolver gave, all of them being allowed
     * @throws OutboundRefused      as {@link #requireAllowed}, a final answer
     * @throws UnknownHostException when the host does not resolve now (worth trying again later)
     */
    public InetAddress requireAllowedAtConnect(URI url) throws UnknownHostException {
        return address(OutboundUrl.parse(url.toString()));
    }

    /**
     * A URL read as {@link #requireAllowed} reads it, without looking its host up: for URLs of
     * other protocols (git over ssh) whose host and port are checked in an http(s) URL's form.
     *
     * @return the URL with its host in plain form
     * @throws OutboundRefused when the URL is malformed, not http(s), or carries credentials or a fragment
     */
    public URI normalize(String url) {
        return OutboundUrl.parse(url).uri();
    }

    /**
     * Whether the address lies in the networks the operator allowed. Protocols without TLS (a git
     * server over plain http) are only for those: on the Internet, such a request could be read
     * and changed on its way.
     */
    public boolean inAllowedNetwork(InetAddress address) {
        return allowed.contains(address) || InternalAddresses.embeddedIpv4(address).map(allowed::contains).orElse(false);
    }

    private InetAddress address(OutboundUrl url) throws UnknownHostException {
        List<InetAddress> addresses = url.literal() != null ? List.of(url.literal()) : resolver.resolve(url.host());
        if (addresses == null || addresses.isEmpty()) {
            throw new UnknownHostException(url.host());
        }
        for (InetAddress address : addresses) {
            Optional<String> refusal = InternalAddresses.refusal(address, allowed);
            if (refusal.isPresent()) {
                String what = url.literal() != null ? "is " : "resolves to ";
                String article = "aeiou".indexOf(refusal.get().charAt(0)) >= 0 ? "an " : "a ";
                throw new OutboundRefused(refusal.get(), "URL refused: its host " + url.host() + " " + what + article + refusal.get()
                        + "; the server's administrator can allow such networks with TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS");
            }
        }
        return addresses.getFirst();
    }
}

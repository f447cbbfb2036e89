package dev.traceflow.outbound;

import org.springframework.stereotype.Component;

import java.net.URI;

// PLACEHOLDER until the delivery branch (alertsend) merges: same signature as agreed; refuses
// everything but well-formed http(s) URLs and does no address check.
@Component
public class OutboundGuard {
    public URI requireAllowed(String url) {
        try {
            URI u = URI.create(url);
            if (u.getHost() == null || !("http".equals(u.getScheme()) || "https".equals(u.getScheme()))) {
                throw new OutboundRefused("an http or https URL with a host is required");
            }
            return u;
        } catch (IllegalArgumentException e) {
            throw new OutboundRefused("not a URL");
        }
    }
}

package dev.traceflow.processing.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.pipeline.EventBatch;
import dev.traceflow.core.pipeline.EventProcessor;
import org.springframework.stereotype.Component;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Derives what queries group by: user agent → browser, OS, device type and bot flag; URL → path
 * and UTM parameters; referrer → traffic source (API.md: {@code properties.trafficSource}, else
 * {@code utm_source}, else the referrer's host unless it is the page's own host, else
 * {@code direct}); {@code properties.country} → country.
 */
@Component
class EnrichProcessor implements EventProcessor {

    private final UserAgents userAgents;

    EnrichProcessor(UserAgents userAgents) {
        this.userAgents = userAgents;
    }

    @Override
    public String name() {
        return "enrich";
    }

    @Override
    public void process(EventBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            if (batch.isLive(i)) {
                enrich(batch.get(i));
            }
        }
    }

    void enrich(Event e) {
        UserAgents.ClientInfo client = userAgents.parse(e.userAgent());
        e.client(client.browser(), client.browserVersion(), client.os(), client.osVersion(), client.deviceType());
        e.bot(client.bot());

        UrlParts page = UrlParts.parse(e.url());
        e.path(page.path());
        e.utm(page.query("utm_source"), page.query("utm_medium"), page.query("utm_campaign"));
        e.trafficSource(trafficSource(e, page));

        if (e.country() == null && e.properties().get("country") instanceof String country && !country.isBlank()) {
            e.country(country.length() > 64 ? country.substring(0, 64) : country);
        }
    }

    private static String trafficSource(Event e, UrlParts page) {
        if (e.properties().get("trafficSource") instanceof String declared && !declared.isBlank()) {
            return declared;
        }
        if (e.utmSource() != null && !e.utmSource().isBlank()) {
            return e.utmSource();
        }
        UrlParts referrer = UrlParts.parse(e.referrer());
        if (referrer.host() != null && !referrer.host().equals(page.host())) {
            return referrer.host().startsWith("www.") ? referrer.host().substring(4) : referrer.host();
        }
        return "direct";
    }

    /** The parts of a URL we keep; lenient, since browsers send what they send. */
    record UrlParts(String host, String path, String rawQuery) {

        private static final UrlParts EMPTY = new UrlParts(null, null, null);

        static UrlParts parse(String url) {
            if (url == null || url.isBlank()) {
                return EMPTY;
            }
            try {
                URI uri = URI.create(url.strip());
                String host = uri.getHost() == null ? null : uri.getHost().toLowerCase(Locale.ROOT);
                String path = uri.getRawPath();
                if (path == null || path.isEmpty()) {
                    path = uri.isOpaque() ? null : "/";
                }
                return new UrlParts(host, path, uri.getRawQuery());
            } catch (IllegalArgumentException notAUri) {
                // e.g. spaces or '|' unescaped: fall back to cutting at the first '?' or '#'
                String s = url.strip();
                int scheme = s.indexOf("://");
                int start = scheme < 0 ? 0 : s.indexOf('/', scheme + 3);
                if (start < 0) {
                    return EMPTY;
                }
                int end = s.length();
                int q = s.indexOf('?', start);
                int h = s.indexOf('#', start);
                if (q >= 0) end = Math.min(end, q);
                if (h >= 0) end = Math.min(end, h);
                String query = q < 0 ? null : s.substring(q + 1, h > q ? h : s.length());
                return new UrlParts(null, s.substring(start, end), query);
            }
        }

        /** The first value of a query parameter, URL-decoded; null when absent or empty. */
        String query(String name) {
            if (rawQuery == null) {
                return null;
            }
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0 && pair.regionMatches(0, name, 0, name.length()) && eq == name.length()) {
                    try {
                        String v = URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                        return v.isBlank() ? null : (v.length() > 200 ? v.substring(0, 200) : v);
                    } catch (IllegalArgumentException badEscape) {
                        return null;
                    }
                }
            }
            return null;
        }
    }
}

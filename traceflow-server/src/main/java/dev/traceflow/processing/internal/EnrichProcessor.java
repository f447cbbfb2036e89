package dev.traceflow.processing.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.pipeline.EventBatch;
import dev.traceflow.core.pipeline.EventProcessor;
import org.springframework.stereotype.Component;

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
        Previous previous = new Previous();
        batch.forEachLive((position, e) -> enrich(e, previous));
    }

    /**
     * What the batch's previous event's user agent, URL and referrer gave. The events of a batch
     * nearly always share a user agent and mostly a page (the parser hands them the same String for
     * the same text), so the cache is asked, and a URL parsed, once per change rather than per event,
     * and the events share the Strings made from them (path, UTM values, source), which the encoders
     * after the pipeline then find equal by identity. Compared by identity, not equals: an equal
     * String that is another object costs what it cost before, no more.
     */
    private static final class Previous {
        String userAgent;
        UserAgents.ClientInfo client;
        String url;
        Page page;
        String referrer;
        UrlParts referrerParts;
    }

    /** A page URL's parts and its UTM parameters. */
    private record Page(UrlParts parts, String utmSource, String utmMedium, String utmCampaign) {

        static Page of(String url) {
            UrlParts parts = UrlParts.parse(url);
            return new Page(parts, parts.query("utm_source"), parts.query("utm_medium"), parts.query("utm_campaign"));
        }
    }

    private void enrich(Event e, Previous previous) {
        String userAgent = e.userAgent();
        if (userAgent == null || userAgent != previous.userAgent) {
            previous.client = userAgents.parse(userAgent);
            previous.userAgent = userAgent;
        }
        UserAgents.ClientInfo client = previous.client;
        e.client(client.browser(), client.browserVersion(), client.os(), client.osVersion(), client.deviceType());
        e.bot(client.bot());

        String url = e.url();
        if (url == null || url != previous.url || previous.page == null) {
            previous.page = Page.of(url);
            previous.url = url;
        }
        Page page = previous.page;
        e.path(page.parts().path());
        e.utm(page.utmSource(), page.utmMedium(), page.utmCampaign());
        e.trafficSource(trafficSource(e, page.parts(), previous));

        if (e.country() == null && e.properties().get("country") instanceof String country && !country.isBlank()) {
            e.country(country.length() > 64 ? country.substring(0, 64) : country);
        }
    }

    private static String trafficSource(Event e, UrlParts page, Previous previous) {
        if (e.properties().get("trafficSource") instanceof String declared && !declared.isBlank()) {
            return declared;
        }
        if (e.utmSource() != null && !e.utmSource().isBlank()) {
            return e.utmSource();
        }
        String referrerUrl = e.referrer();
        if (referrerUrl == null || referrerUrl != previous.referrer || previous.referrerParts == null) {
            previous.referrerParts = UrlParts.parse(referrerUrl);
            previous.referrer = referrerUrl;
        }
        UrlParts referrer = previous.referrerParts;
        if (referrer.host() != null && !referrer.host().equals(page.host())) {
            return referrer.host().startsWith("www.") ? referrer.host().substring(4) : referrer.host();
        }
        return "direct";
    }

    /** The parts of a URL we keep; lenient, since browsers send what they send. */
    record UrlParts(String host, String path, String rawQuery) {

        private static final UrlParts EMPTY = new UrlParts(null, null, null);

        /**
         * Splits {@code scheme://[user@]host[:port]/path?query#fragment} or a relative
         * {@code /path?query}. Deliberately not java.net.URI: that rejects what browsers send
         * (unescaped spaces, '|', '{') and costs microseconds per event at ingest rates.
         */
        static UrlParts parse(String url) {
            if (url == null || url.isBlank()) {
                return EMPTY;
            }
            String s = url.strip();
            String host = null;
            int pathStart = 0;
            int scheme = s.indexOf("://");
            if (scheme > 0 && scheme < 16) {
                int authorityStart = scheme + 3;
                int authorityEnd = s.length();
                for (int i = authorityStart; i < s.length(); i++) {
                    char c = s.charAt(i);
                    if (c == '/' || c == '?' || c == '#') {
                        authorityEnd = i;
                        break;
                    }
                }
                String authority = s.substring(authorityStart, authorityEnd);
                int at = authority.lastIndexOf('@');
                if (at >= 0) {
                    authority = authority.substring(at + 1);
                }
                int colon = authority.startsWith("[") ? authority.indexOf("]:") + 1 : authority.lastIndexOf(':');
                if (colon > 0) {
                    authority = authority.substring(0, colon);
                }
                host = authority.isEmpty() ? null : authority.toLowerCase(Locale.ROOT);
                pathStart = authorityEnd;
            } else if (!s.startsWith("/")) {
                return EMPTY; // mailto:, data:, about:blank, or not a URL at all
            }
            int fragment = s.indexOf('#', pathStart);
            int end = fragment < 0 ? s.length() : fragment;
            int q = s.indexOf('?', pathStart);
            String query = null;
            if (q >= 0 && q < end) {
                query = s.substring(q + 1, end);
                end = q;
            }
            String path = s.substring(pathStart, end);
            return new UrlParts(host, path.isEmpty() ? "/" : path, query);
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

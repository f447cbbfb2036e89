package dev.traceflow.processing.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventType;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class EnrichProcessorTest {

    private final EnrichProcessor enrich = new EnrichProcessor(new UserAgents());

    private Event enriched(Event.Builder b) {
        Event e = b.build();
        enrich.process(Events.batch(e));
        return e;
    }

    /** The events of one batch, built fresh each time, with user agents, URLs and referrers repeating and changing. */
    private static List<Event> mixedBatch() {
        String shop = "https://shop.test/p/1?utm_source=newsletter&utm_medium=email";
        String cart = "https://www.shop.test/cart";
        String google = "https://www.google.com/";
        return List.of(
                Events.of(EventType.PAGEVIEW).userAgent(Events.CHROME).url(shop).referrer(google).build(),
                Events.of(EventType.CLICK).userAgent(Events.CHROME).url(shop).referrer(google).build(),
                Events.of(EventType.EVENT).userAgent(Events.CHROME).url(shop).referrer(google)
                        .properties(Map.of("trafficSource", "partner")).build(),
                Events.of(EventType.PAGEVIEW).userAgent(Events.IPHONE).url(cart).referrer(google).build(),
                Events.of(EventType.EVENT).userAgent(Events.IPHONE).url(cart).referrer(cart).build(),
                Events.of(EventType.EVENT).url(cart).build(),
                Events.of(EventType.PAGEVIEW).userAgent(Events.CHROME).url(cart).referrer("https://t.co/").build(),
                Events.of(EventType.EVENT).userAgent(Events.GOOGLEBOT).build());
    }

    private static List<Object> enrichment(Event e) {
        return Arrays.asList(e.browser(), e.browserVersion(), e.os(), e.osVersion(), e.deviceType(), e.bot(), e.path(),
                e.utmSource(), e.utmMedium(), e.utmCampaign(), e.trafficSource(), e.country());
    }

    @Test
    void aBatch_isEnrichedAsItsEventsOneByOne_sharingWhatRepeats() {
        List<Event> together = mixedBatch();
        enrich.process(Events.batch(together.toArray(Event[]::new)));
        List<Event> alone = mixedBatch();
        for (Event e : alone) {
            enrich.process(Events.batch(e));
        }

        for (int i = 0; i < together.size(); i++) {
            assertThat(enrichment(together.get(i))).as("event " + i).isEqualTo(enrichment(alone.get(i)));
        }
        assertThat(together.get(1).path()).as("one String for the events of one page").isSameAs(together.get(0).path());
        assertThat(together.get(1).utmSource()).isSameAs(together.get(0).utmSource()).isEqualTo("newsletter");
        assertThat(together.get(2).trafficSource()).isEqualTo("partner");
        assertThat(together.get(4).trafficSource()).as("a referrer of the page's own host").isEqualTo("direct");
        assertThat(together.get(6).trafficSource()).isEqualTo("t.co");
    }

    @Test
    void enrich_desktopChrome() {
        Event e = enriched(Events.of(EventType.PAGEVIEW).userAgent(Events.CHROME));
        assertThat(e.browser()).isEqualTo("Chrome");
        assertThat(e.browserVersion()).isEqualTo("120");
        assertThat(e.os()).isEqualTo("Windows");
        assertThat(e.deviceType()).isEqualTo("desktop");
        assertThat(e.bot()).isFalse();
    }

    @Test
    void enrich_iphoneIsMobileSafari() {
        Event e = enriched(Events.of(EventType.PAGEVIEW).userAgent(Events.IPHONE));
        assertThat(e.browser()).isEqualTo("Mobile Safari");
        assertThat(e.os()).isEqualTo("iOS");
        assertThat(e.deviceType()).isEqualTo("mobile");
    }

    @Test
    void enrich_ipadIsTablet() {
        assertThat(enriched(Events.of(EventType.PAGEVIEW).userAgent(Events.IPAD)).deviceType()).isEqualTo("tablet");
    }

    @Test
    void enrich_firefoxAndroidMobile() {
        Event e = enriched(Events.of(EventType.PAGEVIEW).userAgent(Events.FIREFOX_ANDROID));
        assertThat(e.deviceType()).isEqualTo("mobile");
        assertThat(e.os()).isEqualTo("Android");
    }

    @Test
    void enrich_crawlersAndHeadlessBrowsersAreBots() {
        for (String ua : new String[]{Events.GOOGLEBOT, Events.HEADLESS}) {
            Event e = enriched(Events.of(EventType.PAGEVIEW).userAgent(ua));
            assertThat(e.bot()).as(ua).isTrue();
            assertThat(e.deviceType()).isEqualTo("bot");
        }
    }

    @Test
    void enrich_plainHttpClientsAreNotBots() {
        for (String ua : new String[]{"curl/8.5.0", "okhttp/4.12.0", "node-fetch/1.0", "reqwest/0.11"}) {
            assertThat(enriched(Events.of(EventType.EVENT).userAgent(ua)).bot()).as(ua).isFalse();
        }
    }

    @Test
    void enrich_missingUserAgentLeavesClientFieldsEmpty() {
        Event e = enriched(Events.of(EventType.PAGEVIEW));
        assertThat(e.browser()).isNull();
        assertThat(e.deviceType()).isNull();
        assertThat(e.bot()).isFalse();
    }

    @Test
    void enrich_urlGivesPathWithoutQueryAndUtm() {
        Event e = enriched(Events.of(EventType.PAGEVIEW)
                .url("https://shop.test/pricing/plans?utm_source=newsletter&utm_medium=email&utm_campaign=spring%20sale#top"));
        assertThat(e.path()).isEqualTo("/pricing/plans");
        assertThat(e.utmSource()).isEqualTo("newsletter");
        assertThat(e.utmMedium()).isEqualTo("email");
        assertThat(e.utmCampaign()).isEqualTo("spring sale");
        assertThat(e.trafficSource()).isEqualTo("newsletter");
    }

    @Test
    void enrich_rootUrlHasPathSlash() {
        assertThat(enriched(Events.of(EventType.PAGEVIEW).url("https://shop.test")).path()).isEqualTo("/");
    }

    @Test
    void enrich_urlThatIsNotAUriStillGivesAPath() {
        assertThat(enriched(Events.of(EventType.PAGEVIEW).url("https://shop.test/a b|c?x=1")).path()).isEqualTo("/a b|c");
    }

    @Test
    void enrich_urlParsingHandlesPortsUserInfoFragmentsAndRelativeUrls() {
        assertThat(EnrichProcessor.UrlParts.parse("https://user:pw@Shop.Test:8443/a/b?x=1#frag"))
                .isEqualTo(new EnrichProcessor.UrlParts("shop.test", "/a/b", "x=1"));
        assertThat(EnrichProcessor.UrlParts.parse("https://shop.test#top")).isEqualTo(new EnrichProcessor.UrlParts("shop.test", "/", null));
        assertThat(EnrichProcessor.UrlParts.parse("https://shop.test?q=1")).isEqualTo(new EnrichProcessor.UrlParts("shop.test", "/", "q=1"));
        assertThat(EnrichProcessor.UrlParts.parse("/checkout?step=2")).isEqualTo(new EnrichProcessor.UrlParts(null, "/checkout", "step=2"));
        assertThat(EnrichProcessor.UrlParts.parse("http://[::1]:8080/x")).isEqualTo(new EnrichProcessor.UrlParts("[::1]", "/x", null));
        assertThat(EnrichProcessor.UrlParts.parse("about:blank").path()).isNull();
        assertThat(EnrichProcessor.UrlParts.parse("not a url").path()).isNull();
    }

    @Test
    void trafficSource_referrerHostWithoutWww() {
        Event e = enriched(Events.of(EventType.PAGEVIEW).url("https://shop.test/").referrer("https://www.google.com/search?q=x"));
        assertThat(e.trafficSource()).isEqualTo("google.com");
    }

    @Test
    void trafficSource_sameHostReferrerIsDirect() {
        Event e = enriched(Events.of(EventType.PAGEVIEW).url("https://shop.test/b").referrer("https://shop.test/a"));
        assertThat(e.trafficSource()).isEqualTo("direct");
    }

    @Test
    void trafficSource_noReferrerIsDirect() {
        assertThat(enriched(Events.of(EventType.PAGEVIEW).url("https://shop.test/")).trafficSource()).isEqualTo("direct");
    }

    @Test
    void trafficSource_declaredPropertyWins() {
        Event e = enriched(Events.of(EventType.PAGEVIEW).url("https://shop.test/?utm_source=x")
                .properties(Map.of("trafficSource", "partner", "country", "DE")));
        assertThat(e.trafficSource()).isEqualTo("partner");
        assertThat(e.country()).isEqualTo("DE");
    }
}

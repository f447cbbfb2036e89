package dev.traceflow.benchmark;

import java.util.List;
import java.util.random.RandomGenerator;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Builds single events of the TraceFlow event API (API.md) with plausible content: a web shop's
 * pages, clicks, custom events, Web Vitals, navigation timings, JavaScript errors with Chrome stacks
 * and resource timings. Used only while preparing the {@link BatchTemplates}, never in the load loop,
 * so it favours readability over speed.
 */
final class SyntheticEvents {

    /** The type mix in percent; it sums to 100. Errors and resources are rarer, as in real traffic. */
    enum Type {
        PAGEVIEW("pageview", 40),
        CLICK("click", 15),
        EVENT("event", 15),
        WEB_VITAL("web-vital", 10),
        PERFORMANCE("performance", 10),
        ERROR("error", 5),
        RESOURCE("resource", 5);

        final String wireName;
        final int weightPercent;

        Type(String wireName, int weightPercent) {
            this.wireName = wireName;
            this.weightPercent = weightPercent;
        }

        static Type pick(RandomGenerator random) {
            int roll = random.nextInt(100);
            for (Type type : values()) {
                roll -= type.weightPercent;
                if (roll < 0) {
                    return type;
                }
            }
            return PAGEVIEW;
        }
    }

    static final String APP_ID = "demo";
    private static final String ORIGIN = "https://shop.example.com";

    private record Page(String path, String title) {
    }

    private static final List<Page> PAGES = List.of(
            new Page("/", "Example Shop"),
            new Page("/products", "All products | Example Shop"),
            new Page("/products/%d", "Trail shoe %d | Example Shop"),
            new Page("/products/%d", "Rain jacket %d | Example Shop"),
            new Page("/search?q=running+shoes", "Search | Example Shop"),
            new Page("/cart", "Cart | Example Shop"),
            new Page("/checkout/payment", "Checkout | Example Shop"),
            new Page("/account/orders", "Your orders | Example Shop"),
            new Page("/blog/how-to-choose-trail-shoes", "How to choose trail shoes"));

    private static final String[] UTM = {
            "utm_source=newsletter&utm_medium=email&utm_campaign=summer_sale",
            "utm_source=google&utm_medium=cpc&utm_campaign=brand",
            "utm_source=instagram&utm_medium=social"};
    private static final String[] REFERRERS = {"https://www.google.com/", "https://www.bing.com/", "https://t.co/"};
    private static final String[] SELECTORS = {
            "button.add-to-cart", "a.nav-link[href=\"/cart\"]", "#checkout-submit", "div.product-card > img",
            "button[data-action=\"filter\"]"};
    private static final String[] CUSTOM_EVENTS = {"add_to_cart", "search", "filter_applied", "checkout_started"};
    private static final String[] ASSETS = {
            "/assets/app.3f9a1c.js", "/assets/vendor.91bd02.js", "/assets/main.7c21e0.css", "/img/hero-1280.webp"};
    private static final String[] ERROR_MESSAGES = {
            "Cannot read properties of undefined (reading 'price')",
            "Failed to fetch",
            "x.map is not a function",
            "gtag is not defined"};
    private static final String[] ERROR_TYPES = {"TypeError", "TypeError", "TypeError", "ReferenceError"};
    private static final String[] STACK_FRAMES = {
            "at renderCartItem (" + ORIGIN + "/assets/app.3f9a1c.js:1:48213)",
            "at Array.map (<anonymous>)",
            "at CartView (" + ORIGIN + "/assets/app.3f9a1c.js:1:50122)",
            "at renderWithHooks (" + ORIGIN + "/assets/vendor.91bd02.js:2:31870)",
            "at updateFunctionComponent (" + ORIGIN + "/assets/vendor.91bd02.js:2:35544)",
            "at HTMLButtonElement.onClick (" + ORIGIN + "/assets/app.3f9a1c.js:1:12007)"};

    private final JsonNodeFactory nodes = JsonNodeFactory.instance;

    /**
     * One event of {@code type} for {@code visitor}.
     *
     * @param eventId   the value of {@code eventId}; the templates pass a fixed-width placeholder
     * @param timestamp epoch milliseconds
     */
    ObjectNode create(Type type, Visitor visitor, String eventId, long timestamp, RandomGenerator random) {
        ObjectNode event = nodes.objectNode();
        event.put("appId", APP_ID);
        event.put("type", type.wireName);
        event.put("timestamp", timestamp);
        event.put("eventId", eventId);
        event.put("sessionId", visitor.sessionId());
        if (visitor.userId() != null) {
            event.put("userId", visitor.userId());
        } else {
            event.put("anonymousId", visitor.anonymousId());
        }
        Page page = PAGES.get(random.nextInt(PAGES.size()));
        int productId = 1000 + random.nextInt(500);
        event.put("url", url(page, productId, type == Type.PAGEVIEW && random.nextInt(100) < 15, random));
        if (type == Type.PAGEVIEW) {
            // The browser SDK puts the user agent on page views only; for the other events the
            // server falls back to the request's User-Agent header, which the batch carries.
            event.put("userAgent", visitor.userAgent());
        }
        event.put("release", visitor.release());
        event.put("environment", "production");
        switch (type) {
            case PAGEVIEW -> {
                event.put("title", page.title().formatted(productId));
                if (random.nextInt(100) < 40) {
                    event.put("referrer", REFERRERS[random.nextInt(REFERRERS.length)]);
                }
            }
            case CLICK -> {
                event.put("x", random.nextInt(visitor.viewportWidth()));
                event.put("y", random.nextInt(visitor.viewportHeight()));
                event.put("viewportWidth", visitor.viewportWidth());
                event.put("viewportHeight", visitor.viewportHeight());
                event.put("selector", SELECTORS[random.nextInt(SELECTORS.length)]);
            }
            case EVENT -> {
                event.put("name", CUSTOM_EVENTS[random.nextInt(CUSTOM_EVENTS.length)]);
                ObjectNode properties = event.putObject("properties");
                properties.put("productId", "p_" + productId);
                properties.put("price", (1_999 + 100 * random.nextInt(80)) / 100.0);
            }
            case WEB_VITAL -> addWebVital(event, timestamp, random);
            case PERFORMANCE -> {
                ObjectNode metrics = event.putObject("metrics");
                int ttfb = 80 + random.nextInt(400);
                int fcp = ttfb + 200 + random.nextInt(900);
                metrics.put("fcp", fcp);
                metrics.put("lcp", fcp + random.nextInt(1500));
                metrics.put("fid", 1 + random.nextInt(40));
                metrics.put("inp", 40 + random.nextInt(300));
                metrics.put("cls", random.nextInt(250) / 1000.0);
                metrics.put("ttfb", ttfb);
                metrics.put("domLoad", fcp + 100 + random.nextInt(600));
                metrics.put("load", fcp + 700 + random.nextInt(2000));
            }
            case ERROR -> {
                int which = random.nextInt(ERROR_MESSAGES.length);
                event.put("message", ERROR_MESSAGES[which]);
                event.put("errorType", ERROR_TYPES[which]);
                event.put("stack", chromeStack(ERROR_TYPES[which], ERROR_MESSAGES[which], 3 + random.nextInt(4)));
            }
            case RESOURCE -> {
                String asset = ASSETS[random.nextInt(ASSETS.length)];
                event.put("name", ORIGIN + asset);
                event.put("initiatorType", asset.endsWith(".css") ? "link" : asset.endsWith(".js") ? "script" : "img");
                event.put("duration", Math.round((5 + random.nextDouble() * 400) * 10) / 10.0);
                event.put("transferSize", 2_000 + random.nextInt(300_000));
            }
        }
        return event;
    }

    private void addWebVital(ObjectNode event, long timestamp, RandomGenerator random) {
        String[] names = {"LCP", "INP", "CLS", "FCP", "TTFB"};
        String name = names[random.nextInt(names.length)];
        double value = switch (name) {
            case "CLS" -> random.nextInt(300) / 1000.0;
            case "INP" -> 40 + random.nextInt(500);
            case "TTFB" -> 80 + random.nextInt(900);
            default -> 600 + random.nextInt(4000) + random.nextInt(10) / 10.0;
        };
        double good = switch (name) {
            case "CLS" -> 0.1;
            case "INP" -> 200;
            case "TTFB" -> 800;
            case "FCP" -> 1800;
            default -> 2500;
        };
        event.put("name", name);
        event.put("value", value);
        event.put("rating", value <= good ? "good" : value <= good * 2 ? "needs-improvement" : "poor");
        event.put("delta", value);
        // web-vitals' id format: v<major>-<page load time>-<random>
        event.put("id", "v4-" + timestamp + "-" + (1_000_000_000_000L + random.nextLong(9_000_000_000_000L)));
    }

    private static String url(Page page, int productId, boolean withUtm, RandomGenerator random) {
        String url = ORIGIN + page.path().formatted(productId);
        if (!withUtm) {
            return url;
        }
        return url + (url.contains("?") ? "&" : "?") + UTM[random.nextInt(UTM.length)];
    }

    private static String chromeStack(String errorType, String message, int frames) {
        StringBuilder stack = new StringBuilder(errorType).append(": ").append(message);
        for (int i = 0; i < frames; i++) {
            stack.append("\n    ").append(STACK_FRAMES[i]);
        }
        return stack.toString();
    }
}

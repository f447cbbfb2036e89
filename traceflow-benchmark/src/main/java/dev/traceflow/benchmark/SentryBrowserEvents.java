package dev.traceflow.benchmark;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.random.RandomGenerator;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Error events as {@code @sentry/browser} (11.x, default integrations) sends an uncaught exception
 * of a web shop: the exception with its stack frames (oldest call first, as Sentry lists them) and
 * mechanism, level, platform, the page's URL and request headers, release and environment, the
 * SDK's name, version and integrations, the trace and culture contexts, the latest breadcrumbs
 * (navigations, clicks, fetches, console), the user when logged in, and a tag. Used only while
 * preparing the {@link EnvelopeTemplates}, never in the load loop.
 */
final class SentryBrowserEvents {

    static final String SDK_NAME = "sentry.javascript.browser";
    static final String SDK_VERSION = "11.17.0";
    private static final String ORIGIN = "https://shop.example.com";
    private static final List<String> INTEGRATIONS = List.of("InboundFilters", "FunctionToString", "BrowserApiErrors",
            "Breadcrumbs", "GlobalHandlers", "LinkedErrors", "Dedupe", "HttpContext", "CultureContext", "BrowserSession",
            "BrowserTracing");
    private static final String[][] ERRORS = {
            {"TypeError", "Cannot read properties of undefined (reading 'price')"},
            {"TypeError", "Failed to fetch"},
            {"TypeError", "x.map is not a function"},
            {"ReferenceError", "gtag is not defined"},
            {"Error", "Request failed with status code 502"}};
    /** Frames of a React shop's bundle, oldest call first. */
    private static final String[][] FRAMES = {
            {"/assets/vendor.91bd02.js", "HTMLButtonElement.dispatchEvent", "2", "9120"},
            {"/assets/vendor.91bd02.js", "batchedUpdates", "2", "41022"},
            {"/assets/vendor.91bd02.js", "updateFunctionComponent", "2", "35544"},
            {"/assets/vendor.91bd02.js", "renderWithHooks", "2", "31870"},
            {"/assets/app.3f9a1c.js", "CartView", "1", "50122"},
            {"/assets/app.3f9a1c.js", "Array.map", "1", "50188"},
            {"/assets/app.3f9a1c.js", "renderCartItem", "1", "48213"},
            {"/assets/app.3f9a1c.js", "formatPrice", "1", "47410"}};
    private static final String[] PATHS = {"/", "/products", "/products/1042", "/cart", "/checkout/payment", "/account/orders"};
    private static final String[] SELECTORS = {"div.product-card > button.add-to-cart", "nav > a.nav-link",
            "form#checkout > button[type=\"submit\"]", "div.filters > label > input"};
    private static final String[] API_CALLS = {"/api/cart", "/api/products?page=2", "/api/recommendations", "/api/session"};

    private final JsonNodeFactory nodes = JsonNodeFactory.instance;

    /**
     * One error event.
     *
     * @param eventId     the {@code event_id} value (the templates pass a placeholder)
     * @param nowMillis   the event's time, epoch milliseconds; breadcrumbs lie in the minute before
     * @param traceId     32 hex characters, the page's trace
     */
    ObjectNode error(Visitor visitor, String eventId, long nowMillis, String traceId, RandomGenerator random) {
        String[] error = ERRORS[random.nextInt(ERRORS.length)];
        String path = PATHS[random.nextInt(PATHS.length)];
        ObjectNode event = nodes.objectNode();

        ObjectNode exception = event.putObject("exception").putArray("values").addObject();
        exception.put("type", error[0]);
        exception.put("value", error[1]);
        ArrayNode frames = exception.putObject("stacktrace").putArray("frames");
        // 4 to 8 frames: the newest calls of the same bundle, so one error type keeps one stack shape
        int frameCount = 4 + random.nextInt(FRAMES.length - 3);
        for (String[] frame : Arrays.asList(FRAMES).subList(FRAMES.length - frameCount, FRAMES.length)) {
            ObjectNode f = frames.addObject();
            f.put("filename", ORIGIN + frame[0]);
            f.put("function", frame[1]);
            f.put("in_app", true);
            f.put("lineno", Integer.parseInt(frame[2]));
            f.put("colno", Integer.parseInt(frame[3]));
        }
        ObjectNode mechanism = exception.putObject("mechanism");
        mechanism.put("type", "auto.browser.global_handlers.onerror");
        mechanism.put("handled", false);

        event.put("level", "error");
        event.put("event_id", eventId);
        event.put("platform", "javascript");
        ObjectNode request = event.putObject("request");
        request.put("url", ORIGIN + path);
        ObjectNode headers = request.putObject("headers");
        headers.put("Referer", ORIGIN + PATHS[random.nextInt(PATHS.length)]);
        headers.put("User-Agent", visitor.userAgent());
        event.put("timestamp", nowMillis / 1000.0);
        event.put("environment", "production");
        event.put("release", release(visitor));

        ObjectNode sdk = event.putObject("sdk");
        ArrayNode integrations = sdk.putArray("integrations");
        INTEGRATIONS.forEach(integrations::add);
        sdk.put("name", SDK_NAME);
        sdk.put("version", SDK_VERSION);
        ObjectNode npm = sdk.putArray("packages").addObject();
        npm.put("name", "npm:@sentry/browser");
        npm.put("version", SDK_VERSION);
        sdk.putObject("settings").put("infer_ip", "never");

        ObjectNode contexts = event.putObject("contexts");
        ObjectNode trace = contexts.putObject("trace");
        trace.put("trace_id", traceId);
        trace.put("span_id", traceId.substring(0, 16));
        ObjectNode culture = contexts.putObject("culture");
        culture.put("locale", random.nextBoolean() ? "en-US" : "de-DE");
        culture.put("timezone", random.nextBoolean() ? "Europe/Berlin" : "America/New_York");

        ArrayNode breadcrumbs = event.putArray("breadcrumbs");
        int crumbs = 3 + random.nextInt(6);
        double crumbTime = nowMillis / 1000.0 - 60;
        for (int i = 0; i < crumbs; i++) {
            crumbTime += random.nextInt(8_000) / 1000.0;
            breadcrumb(breadcrumbs.addObject(), crumbTime, random);
        }
        event.put("transaction", path);
        if (visitor.userId() != null) {
            event.putObject("user").put("id", visitor.userId());
        }
        event.putObject("tags").put("checkout_variant", random.nextBoolean() ? "a" : "b");
        return event;
    }

    /**
     * The same error in TraceFlow's own shape (API.md "error" in {@code /api/collect/batch}), keeping what the
     * envelope path keeps of it: type and message, the stack as the browser's {@code Error.stack} text
     * (newest call first) with the newest frame's file, line and column, the page, referrer and user agent,
     * release, environment, user, tags as properties, and level, platform, contexts, breadcrumbs, the
     * SDK and the mechanism under {@code metadata.sentry}. So the two endpoints can be compared on equal
     * events: the difference left is the envelope format itself.
     */
    ObjectNode asTraceFlowError(ObjectNode sentry, String appId, String eventId) {
        ObjectNode event = nodes.objectNode();
        event.put("appId", appId);
        event.put("type", "error");
        event.put("timestamp", Math.round(sentry.get("timestamp").asDouble() * 1000));
        event.put("eventId", eventId);
        JsonNode exception = sentry.get("exception").get("values").get(0);
        String type = exception.get("type").asString();
        String message = exception.get("value").asString();
        event.put("errorType", type);
        event.put("message", message);
        JsonNode frames = exception.get("stacktrace").get("frames");
        StringBuilder stack = new StringBuilder(type).append(": ").append(message);
        for (int i = frames.size() - 1; i >= 0; i--) {
            JsonNode f = frames.get(i);
            stack.append("\n    at ").append(f.get("function").asString()).append(" (").append(f.get("filename").asString())
                    .append(':').append(f.get("lineno").asInt()).append(':').append(f.get("colno").asInt()).append(')');
        }
        event.put("stack", stack.toString());
        JsonNode newest = frames.get(frames.size() - 1);
        event.put("filename", newest.get("filename").asString());
        event.put("lineno", newest.get("lineno").asInt());
        event.put("colno", newest.get("colno").asInt());
        JsonNode request = sentry.get("request");
        event.put("url", request.get("url").asString());
        event.put("referrer", request.get("headers").get("Referer").asString());
        event.put("userAgent", request.get("headers").get("User-Agent").asString());
        event.put("release", sentry.get("release").asString());
        event.put("environment", sentry.get("environment").asString());
        if (sentry.has("user")) {
            event.put("userId", sentry.get("user").get("id").asString());
        }
        event.set("properties", sentry.get("tags").deepCopy());
        ObjectNode kept = event.putObject("metadata").putObject("sentry");
        kept.put("level", sentry.get("level").asString());
        kept.put("platform", sentry.get("platform").asString());
        kept.set("contexts", sentry.get("contexts").deepCopy());
        kept.set("breadcrumbs", sentry.get("breadcrumbs").deepCopy());
        if (sentry.has("user")) {
            kept.set("user", sentry.get("user").deepCopy());
        }
        kept.putObject("sdk").put("name", SDK_NAME).put("version", SDK_VERSION);
        kept.set("mechanism", exception.get("mechanism").deepCopy());
        return event;
    }

    /** The envelope header as the browser SDK writes it for an event: its id, the time sent, the SDK and the trace's context. */
    ObjectNode envelopeHeader(String eventId, long nowMillis, Visitor visitor, String publicKey, String traceId,
                              RandomGenerator random) {
        ObjectNode header = nodes.objectNode();
        header.put("event_id", eventId);
        header.put("sent_at", Instant.ofEpochMilli(nowMillis).toString());
        ObjectNode sdk = header.putObject("sdk");
        sdk.put("name", SDK_NAME);
        sdk.put("version", SDK_VERSION);
        ObjectNode trace = header.putObject("trace");
        trace.put("environment", "production");
        trace.put("release", release(visitor));
        trace.put("public_key", publicKey);
        trace.put("trace_id", traceId);
        trace.put("sample_rand", Double.toString(random.nextInt(10_000) / 10_000.0));
        return header;
    }

    private static String release(Visitor visitor) {
        return "shop@" + visitor.release();
    }

    private static void breadcrumb(ObjectNode crumb, double time, RandomGenerator random) {
        crumb.put("timestamp", time);
        switch (random.nextInt(4)) {
            case 0 -> {
                crumb.put("category", "navigation");
                ObjectNode data = crumb.putObject("data");
                data.put("from", PATHS[random.nextInt(PATHS.length)]);
                data.put("to", PATHS[random.nextInt(PATHS.length)]);
            }
            case 1 -> {
                crumb.put("category", "ui.click");
                crumb.put("message", "body > div#root > main > " + SELECTORS[random.nextInt(SELECTORS.length)]);
            }
            case 2 -> {
                crumb.put("type", "http");
                crumb.put("category", "fetch");
                ObjectNode data = crumb.putObject("data");
                data.put("method", "GET");
                data.put("url", API_CALLS[random.nextInt(API_CALLS.length)]);
                data.put("status_code", random.nextInt(10) == 0 ? 502 : 200);
            }
            default -> {
                crumb.put("category", "console");
                crumb.put("level", "warning");
                crumb.put("message", "[cart] price missing for item " + (1000 + random.nextInt(500)));
                crumb.putObject("data").put("logger", "console");
            }
        }
    }
}

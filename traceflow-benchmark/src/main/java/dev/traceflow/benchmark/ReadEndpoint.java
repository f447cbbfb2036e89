package dev.traceflow.benchmark;

import dev.traceflow.core.storage.EventStorage;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * One answer endpoint as the query benchmark times it: the HTTP request of a variation, and the
 * storage calls its controller makes for that request (the "bare" time, without HTTP, JSON,
 * authentication or the metadata database).
 *
 * @param name      as reported, e.g. {@code /api/metrics (session metrics)}
 * @param path      the request path; {@code {id}} is replaced with the error group or session {@link KnownIds} has for the variation
 * @param series    whether it takes {@code granularity} and {@code tz}
 * @param targetMs  issue 16's p95 target: 100 ms for percentile and overview queries, else 300 ms
 * @param ownParams the endpoint's own parameters for a variation (metric, dimension, groupBy...)
 * @param bare      what the controller asks the storage for that request
 */
record ReadEndpoint(String name, String path, boolean series, double targetMs,
                    Function<QueryVariation, Map<String, String>> ownParams, BareCall bare) {

    /** The controller's storage calls for one request; returns what they answered (kept from dead-code elimination). */
    @FunctionalInterface
    interface BareCall {
        Object run(EventStorage storage, QueryVariation variation, KnownIds errors);
    }

    /** Every parameter of the variation's request. */
    Map<String, String> params(QueryVariation v) {
        Map<String, String> params = new LinkedHashMap<>(v.params(series));
        params.putAll(ownParams.apply(v));
        return params;
    }

    /** The request's path and query string. */
    String pathAndQuery(QueryVariation v, KnownIds errors) {
        String p = path;
        if (path.startsWith("/api/errors/{id}")) {
            p = path.replace("{id}", errors.groupId(v));
        } else if (path.startsWith("/api/sessions/{id}")) {
            p = path.replace("{id}", URLEncoder.encode(errors.sessionId(v), StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return p + "?" + ApiClient.query(params(v));
    }
}

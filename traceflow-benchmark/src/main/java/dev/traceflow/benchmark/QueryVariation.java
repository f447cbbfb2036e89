package dev.traceflow.benchmark;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.Granularity;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One of the query benchmark's varied requests, as both sides run it: HTTP parameters for the
 * server, and the {@link EventQuery} its {@code ReadRequests} would build from them for the bare
 * storage call. Keeping both in one place makes "the bare SQL of the same request" literal.
 *
 * @param index       0-based position among the variations; endpoints cycle their own options by it
 * @param filters     asked filters by their API.md parameter name ({@code browser}, {@code deviceType},
 *                    {@code path}, {@code release}), in a fixed order
 * @param granularity for series endpoints
 * @param zone        for series endpoints; non-series endpoints take no {@code tz} (and get UTC)
 * @param broken      whether to ask for a breakdown: {@code dimension}, {@code groupBy} or {@code breakdown}
 */
record QueryVariation(int index, String appId, Instant from, Instant to, Map<String, String> filters,
                      Granularity granularity, ZoneId zone, boolean broken) {

    QueryVariation {
        filters = Map.copyOf(new LinkedHashMap<>(filters));
    }

    /** The common parameters of API.md "Reading data"; {@code granularity} and {@code tz} only for a series. */
    Map<String, String> params(boolean series) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("appId", appId);
        params.put("from", Long.toString(from.toEpochMilli()));
        params.put("to", Long.toString(to.toEpochMilli()));
        params.putAll(filters);
        if (series) {
            params.put("granularity", granularity.wireName());
            params.put("tz", zone.getId());
        }
        return params;
    }

    /** What the server's {@code ReadRequests.query} / {@code .series} builds from {@link #params}. */
    EventQuery query(boolean series) {
        Filters f = new Filters(filters.get("release"), null, filters.get("path"), filters.get("browser"), null,
                filters.get("deviceType"), null);
        return new EventQuery(appId, from, to, f, series ? granularity : null, series ? zone : ZoneOffset.UTC);
    }

    /** This variation with one more (or another) filter. */
    QueryVariation withFilter(String name, String value) {
        Map<String, String> more = new LinkedHashMap<>(filters);
        more.put(name, value);
        return new QueryVariation(index, appId, from, to, more, granularity, zone, broken);
    }

    /** This variation with its range ending {@code earlier} before its end; its start unchanged. */
    QueryVariation endingEarlier(Duration earlier) {
        return new QueryVariation(index, appId, from, to.minus(earlier), filters, granularity, zone, broken);
    }

    /** The option of {@code options} for this variation: cycles through them by index. */
    <T> T pick(List<T> options) {
        return options.get(index % options.size());
    }

    /** A short label for logs, e.g. {@code app-1 browser=Chrome day Europe/Berlin broken}. */
    String label(boolean series) {
        StringBuilder s = new StringBuilder(appId);
        filters.forEach((k, v) -> s.append(' ').append(k).append('=').append(v));
        if (series) {
            s.append(' ').append(granularity.wireName()).append(' ').append(zone.getId());
        }
        return broken ? s.append(" broken").toString() : s.toString();
    }
}

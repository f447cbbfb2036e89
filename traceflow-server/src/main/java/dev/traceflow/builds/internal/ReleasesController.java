package dev.traceflow.builds.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Filters;
import dev.traceflow.core.query.Granularity;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.query.SeriesPoint;
import dev.traceflow.core.storage.ErrorQueries;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.PerformanceQueries;
import dev.traceflow.core.storage.PerformanceQueries.VitalStats;
import dev.traceflow.http.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code GET /api/apps/{id}/releases} (issue 21 item 8): the releases the app's successful builds
 * defined, each with its builds and the telemetry browsers sent with that {@code release}, read
 * through the storage SPI's existing metrics and error queries: events and first seen (from the
 * {@code events} series filtered by the release), error events, error groups and the groups new in it
 * (not seen with any older release of the list), and the error rate against the previous release; and
 * its web vitals (p75, counts and ratings per vital, as {@code /api/performance/web-vitals} defines them)
 * with the change of each p75 against the previous release, all releases in one
 * {@link PerformanceQueries#webVitalsByRelease} call.
 */
@RestController
@Tag(name = "Builds")
class ReleasesController {

    static final int MAX_LIMIT = 50;

    private final JdbcBuilds builds;
    private final AppAccess access;
    private final EventStorage storage;
    private final Clock clock;

    ReleasesController(JdbcBuilds builds, AppAccess access, EventStorage storage, Clock clock) {
        this.builds = builds;
        this.access = access;
        this.storage = storage;
        this.clock = clock;
    }

    @GetMapping("/api/apps/{id}/releases")
    @Operation(summary = "Releases of an app with their builds and the telemetry seen with each", description = """
            Role: viewer or above on the app (404 otherwise). The newest `limit` releases (1-50, default 20) that \
            successful builds defined (`release` on the build, e.g. `v1.2.0+build.1a2b3c4d`, passed to the build as \
            `TRACEFLOW_RELEASE` and `{{build.release}}` so the app can tag its events with it). Each item: `release`, \
            `createdAt` (its first build's end), `builds` [{id, projectId, kind, finishedAt}], and `telemetry`: `events` \
            (all events with that release since the release was created, to now), `firstSeen` (start of the first hour, or \
            day for releases older than 7 days, with an event; null before any), `errorEvents`, `errorGroups`, \
            `newErrorGroups` (fingerprints of groups with errors in this release and in none of the older releases \
            listed; at most 100 listed, `newErrorGroupCount` counts all), `errorRate` (errorEvents / events; null \
            without events) and `errorRateChange` (this rate minus the previous release's; null when either is null). \
            `telemetry.vitals`: the release's web vitals as GET /api/performance/web-vitals defines them (the last report \
            of each web-vitals id, a `performance` event's metrics one sample each, rated by the server, never by the \
            client), over the events with that release from an hour before the oldest listed release was built to now: \
            [{name, count, p50, p75, p95, rating, good, needsImprovement, poor, p75Change, previousRating}] in the order \
            LCP, INP, CLS, FCP, TTFB, FID, vitals without samples left out; `p75Change` is this p75 minus the previous \
            (older) release's p75 of the same vital and `previousRating` that release's rating (both left out when it has \
            no sample of that vital).""",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> releases(@PathVariable String id, @RequestParam(defaultValue = "20") int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw ApiException.invalid("limit must be 1-" + MAX_LIMIT);
        }
        access.require(id, AppPermission.READ);
        Map<String, List<Build>> byRelease = new LinkedHashMap<>();
        for (Build b : builds.releases(id, limit * 10)) {
            if (byRelease.size() < limit || byRelease.containsKey(b.releaseName())) {
                byRelease.computeIfAbsent(b.releaseName(), k -> new ArrayList<>()).add(b);
            }
        }
        Instant now = clock.instant();
        // oldest first, so that each release's groups are compared with those of every older one
        List<String> names = new ArrayList<>(byRelease.keySet());
        Collections.reverse(names);
        Map<String, Instant> created = new LinkedHashMap<>();
        names.forEach(name -> created.put(name, byRelease.get(name).stream().map(Build::finishedAt).min(Instant::compareTo).orElse(now)));
        Map<String, List<VitalStats>> vitals = vitals(id, created, now);
        Set<String> olderGroups = new HashSet<>();
        Double previousRate = null;
        List<VitalStats> previousVitals = List.of();
        List<Map<String, Object>> items = new ArrayList<>();
        for (String name : names) {
            List<Build> list = byRelease.get(name);
            Map<String, Object> telemetry = telemetry(id, name, created.get(name), now, olderGroups, previousRate);
            previousRate = (Double) telemetry.get("errorRate");
            telemetry.put("vitals", ReleaseVitals.against(vitals.get(name), previousVitals));
            previousVitals = vitals.get(name);
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("release", name);
            item.put("createdAt", created.get(name));
            item.put("builds", list.stream().map(b -> {
                Map<String, Object> v = new LinkedHashMap<>();
                v.put("id", b.id());
                v.put("projectId", b.projectId());
                v.put("kind", b.kind());
                v.put("finishedAt", b.finishedAt());
                return v;
            }).toList());
            item.put("telemetry", telemetry);
            items.add(0, item);
        }
        return Map.of("items", items);
    }

    private Map<String, Object> telemetry(String appId, String release, Instant created, Instant now, Set<String> olderGroups,
                                          Double previousRate) {
        Window w = window(created, now);
        Filters filters = new Filters(release, null, null, null, null, null, null);
        EventQuery q = new EventQuery(appId, w.from(), w.to(), filters, w.granularity(), ZoneOffset.UTC);
        long events = 0;
        Instant firstSeen = null;
        for (SeriesPoint p : storage.metrics().series(q, Metric.EVENTS, null, 1)) {
            if (p.value() > 0 && firstSeen == null) {
                firstSeen = p.ts();
            }
            events += (long) p.value();
        }
        ErrorQueries.Totals errors = storage.errors().totals(q);
        List<String> groups = storage.errors().groups(q).stream().map(ErrorQueries.GroupCount::fingerprint).sorted().toList();
        List<String> fresh = groups.stream().filter(f -> !olderGroups.contains(f)).toList();
        olderGroups.addAll(groups);
        Double rate = events == 0 ? null : (double) errors.events() / events;
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("events", events);
        t.put("firstSeen", firstSeen);
        t.put("errorEvents", errors.events());
        t.put("errorGroups", errors.groups());
        t.put("newErrorGroups", fresh.stream().limit(100).toList());
        t.put("newErrorGroupCount", fresh.size());
        t.put("errorRate", rate);
        t.put("errorRateChange", rate == null || previousRate == null ? null : rate - previousRate);
        return t;
    }

    /**
     * Every release's vitals in one storage call, over one range: from the oldest release's window start
     * (events of a release come after its build, so a younger release loses nothing) to now.
     */
    private Map<String, List<VitalStats>> vitals(String appId, Map<String, Instant> created, Instant now) {
        if (created.isEmpty()) {
            return Map.of();
        }
        Window w = window(created.values().stream().min(Instant::compareTo).orElseThrow(), now);
        return storage.performance().webVitalsByRelease(EventQuery.of(appId, w.from(), w.to()), List.copyOf(created.keySet()));
    }

    /** The range a release's telemetry is read over, and the series buckets that find its first event. */
    private record Window(Instant from, Instant to, Granularity granularity) {
    }

    private static Window window(Instant created, Instant now) {
        // events carry the browser's clock: a little before the build ended still counts
        Instant from = created.minus(Duration.ofHours(1)).truncatedTo(ChronoUnit.HOURS);
        Instant to = now.plus(Duration.ofHours(1)).truncatedTo(ChronoUnit.HOURS);
        Granularity g = Duration.between(from, to).compareTo(Duration.ofDays(7)) > 0 ? Granularity.DAY : Granularity.HOUR;
        return new Window(g == Granularity.DAY ? from.truncatedTo(ChronoUnit.DAYS) : from, to, g);
    }
}

package dev.traceflow.performance;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.core.storage.PerformanceQueries;
import dev.traceflow.core.storage.PerformanceQueries.GroupBy;
import dev.traceflow.core.storage.PerformanceQueries.MetricStats;
import dev.traceflow.core.storage.PerformanceQueries.ResourceStats;
import dev.traceflow.core.storage.PerformanceQueries.ResourceStatsPage;
import dev.traceflow.core.storage.PerformanceQueries.VitalStats;
import dev.traceflow.reading.ReadParameters;
import dev.traceflow.reading.ReadRequests;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.enums.ParameterIn;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * {@code GET /api/performance}, {@code /api/performance/web-vitals} and
 * {@code /api/performance/resources} (API.md "Reading data"); what each number means is
 * {@link PerformanceQueries}'s contract.
 */
@RestController
@Tag(name = "Performance")
class PerformanceController {

    static final int DEFAULT_RESOURCES = 1000;
    static final int MAX_RESOURCES = 10_000;

    private static final String COMMON = "Role: viewer or above on `appId` (404 otherwise, as for an unknown app). "
            + "Common parameters: `appId` (required), `from` (inclusive) and `to` (exclusive), ISO-8601 or epoch ms, default "
            + "the last 24 hours; filters `release`, `environment`, `path`, `browser`, `os`, `deviceType`, `country`, each an "
            + "exact match on every event's own dimensions; `fresh=true` waits until every event acknowledged before the "
            + "request is readable. Percentiles are continuous with linear interpolation (DuckDB `quantile_cont`). A row "
            + "without any sample in the range is left out (an empty list when nothing matched), never answered with zeros. "
            + "An unknown parameter or a bad value is 400 INVALID_PARAMETER. ";

    private final ReadRequests requests;
    private final EventStorage storage;

    PerformanceController(ReadRequests requests, EventStorage storage) {
        this.requests = requests;
        this.storage = storage;
    }

    record MetricRow(String name, long count, double p50, double p75, double p95) {
    }

    record MetricsAnswer(List<MetricRow> metrics) {
    }

    /**
     * {@code group} is absent when the rows are not grouped, and {@code null} in a grouped row whose
     * events lack the dimension: an Optional keeps the two apart under the server's non-null
     * inclusion (an empty Optional is written as null, a null reference is left out).
     */
    record VitalRow(String name,
                    @Schema(description = "The group's value, present only with groupBy; null for events without the dimension",
                            nullable = true, type = "string") @JsonInclude(JsonInclude.Include.NON_NULL) Optional<String> group,
                    long count, double p50, double p75, double p95,
                    @Schema(allowableValues = {"good", "needs-improvement", "poor"}) String rating,
                    long good, long needsImprovement, long poor) {
    }

    record VitalsAnswer(List<VitalRow> metrics) {
    }

    record ResourceRow(String name, String initiatorType, long count, double p50, double p75, double p95,
                       @Schema(description = "Mean transfer size (bytes) over the samples that report one; null when none does",
                               nullable = true) @JsonInclude(JsonInclude.Include.ALWAYS) Double avgTransferSize) {
    }

    record ResourcesAnswer(List<ResourceRow> items,
                           @Schema(description = "Resources (name and initiator type) with samples, before `limit`") long total) {
    }

    @GetMapping("/api/performance")
    @Operation(summary = "Navigation timings: percentiles of performance events' metrics",
            description = COMMON + "One row per metric of `performance` events (`fcp, lcp, fid, inp, cls, ttfb, domLoad, "
                    + "load`, in that order; ms, `cls` unitless), each event's metric one sample. `web-vital` events do not "
                    + "count here (see /api/performance/web-vitals).",
            security = @SecurityRequirement(name = "BearerAuth"))
    @ReadParameters
    MetricsAnswer metrics(@Parameter(hidden = true) @RequestParam Map<String, String> params) {
        EventQuery q = requests.query(params, Set.of());
        List<MetricStats> rows = storage.performance().metrics(q);
        return new MetricsAnswer(rows.stream().map(m -> new MetricRow(m.name(), m.count(), m.p50(), m.p75(), m.p95())).toList());
    }

    @GetMapping("/api/performance/web-vitals")
    @Operation(summary = "Web vitals: percentiles, ratings and rating counts",
            description = COMMON + "One row per vital (`LCP, INP, CLS, FCP, TTFB, FID`, in that order) with samples. Samples: "
                    + "`web-vital` events, where repeated reports of one metric (same `name` and web-vitals `id`) keep only the "
                    + "last (latest event time, ties by the order stored), after range and filters; a report without `id` is a "
                    + "sample of its own; plus each vital among `performance` events' metrics (`fcp` counts as FCP ...; `domLoad` "
                    + "and `load` are not vitals). `rating` is the rating of the row's p75, and `good` / `needsImprovement` / "
                    + "`poor` count samples, by Google's thresholds (good if value <= the first, poor if > the second: LCP "
                    + "2500/4000 ms, INP 200/500, CLS 0.1/0.25, FCP 1800/3000, TTFB 800/1800, FID 100/300); the client's own "
                    + "`rating` is not used. `groupBy=path|deviceType|browser` splits rows by that dimension of each sample's "
                    + "event and adds `group` (null for events without it); within a vital, larger groups first, then by group "
                    + "value, null last.",
            security = @SecurityRequirement(name = "BearerAuth"))
    @ReadParameters
    @Parameter(name = "groupBy", in = ParameterIn.QUERY, description = "Split rows by `path`, `deviceType` or `browser`",
            schema = @Schema(allowableValues = {"path", "deviceType", "browser"}))
    VitalsAnswer webVitals(@Parameter(hidden = true) @RequestParam Map<String, String> params) {
        EventQuery q = requests.query(params, Set.of("groupBy"));
        GroupBy groupBy = null;
        if (params.containsKey("groupBy")) {
            groupBy = GroupBy.fromWireName(params.get("groupBy"));
            if (groupBy == null) {
                throw ReadRequests.invalid("groupBy", "groupBy must be one of path, deviceType, browser");
            }
        }
        boolean grouped = groupBy != null;
        GroupBy by = groupBy;
        List<VitalStats> rows = storage.performance().webVitals(q, by);
        return new VitalsAnswer(rows.stream().map(v -> new VitalRow(v.name(), grouped ? Optional.ofNullable(v.group()) : null,
                v.count(), v.p50(), v.p75(), v.p95(), v.rating().wireName(), v.good(), v.needsImprovement(), v.poor())).toList());
    }

    @GetMapping("/api/performance/resources")
    @Operation(summary = "Resource timings, slowest first",
            description = COMMON + "One row per resource `name` (URL) and `initiatorType`, from `resource` events and from every "
                    + "entry of `performance` events' `resources` array, each one sample of `duration` (ms). Ordered by p75, "
                    + "slowest first, then by more samples, name and initiator type. `avgTransferSize` (bytes) is the mean over "
                    + "the samples that report a `transferSize` (0 included), null when none does. `limit` (1-" + MAX_RESOURCES
                    + ", default " + DEFAULT_RESOURCES + ") keeps the slowest; `total` counts the rows before it.",
            security = @SecurityRequirement(name = "BearerAuth"))
    @ReadParameters
    @Parameter(name = "limit", in = ParameterIn.QUERY, description = "At most this many rows (1-" + MAX_RESOURCES + ", default "
            + DEFAULT_RESOURCES + ")", schema = @Schema(type = "integer"))
    ResourcesAnswer resources(@Parameter(hidden = true) @RequestParam Map<String, String> params) {
        EventQuery q = requests.query(params, Set.of("limit"));
        int limit = ReadRequests.integer(params, "limit", 1, MAX_RESOURCES, DEFAULT_RESOURCES);
        ResourceStatsPage page = storage.performance().resources(q, limit);
        return new ResourcesAnswer(page.items().stream().map(PerformanceController::row).toList(), page.total());
    }

    private static ResourceRow row(ResourceStats r) {
        return new ResourceRow(r.name(), r.initiatorType(), r.count(), r.p50(), r.p75(), r.p95(), r.avgTransferSize());
    }
}

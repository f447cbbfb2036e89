package dev.traceflow.benchmark;

import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Granularity;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class QueryVariationsTest {

    private static final Instant NOW = Instant.parse("2026-03-10T12:34:56.789Z");
    private static final List<String> APPS = List.of("shop-1", "shop-2", "shop-3", "shop-4");

    @Test
    void twentyVariationsCoverEveryAxis() {
        List<QueryVariation> variations = QueryVariations.of(20, APPS, NOW);

        assertThat(variations).hasSize(20);
        assertThat(variations).allSatisfy(v -> {
            assertThat(Duration.between(v.from(), v.to())).isEqualTo(Duration.ofDays(30));
            assertThat(v.to()).isBeforeOrEqualTo(NOW).isAfter(NOW.minus(Duration.ofHours(1)));
        });
        assertThat(variations.stream().map(QueryVariation::to).distinct().count()).as("slight offsets").isGreaterThan(5);
        assertThat(variations.stream().filter(v -> v.filters().isEmpty()).count()).isEqualTo(4);
        Set<String> filterNames = new HashSet<>();
        variations.forEach(v -> filterNames.addAll(v.filters().keySet()));
        assertThat(filterNames).containsExactlyInAnyOrder("browser", "deviceType", "path", "release");
        assertThat(variations.stream().filter(v -> v.filters().size() == 2)).isNotEmpty();
        assertThat(variations.stream().filter(QueryVariation::broken).count()).isEqualTo(10);
        assertThat(variations.stream().map(QueryVariation::granularity).distinct())
                .containsExactlyInAnyOrder(Granularity.DAY, Granularity.HOUR);
        assertThat(variations.stream().map(v -> v.zone().getId()).distinct())
                .containsExactlyInAnyOrder("Z", "Europe/Berlin");
        assertThat(variations.stream().map(QueryVariation::appId).distinct()).containsExactlyInAnyOrderElementsOf(APPS);
        // both with and without a breakdown for each filter kind and each granularity
        assertThat(variations.stream().filter(v -> v.broken() && v.filters().isEmpty())).isNotEmpty();
        assertThat(variations.stream().filter(v -> v.broken() && v.granularity() == Granularity.DAY)).isNotEmpty();
        assertThat(variations.stream().filter(v -> v.broken() && v.granularity() == Granularity.HOUR)).isNotEmpty();
    }

    @Test
    void deterministicSoBareAndHttpRunTheSameQueries() {
        assertThat(QueryVariations.of(20, APPS, NOW)).isEqualTo(QueryVariations.of(20, APPS, NOW));
    }

    @Test
    void httpParametersAndTheBareQueryAgree() {
        QueryVariation v = QueryVariations.of(20, APPS, NOW).get(19); // release and browser, broken, hour, UTC
        Map<String, String> series = v.params(true);
        assertThat(series).containsEntry("appId", v.appId())
                .containsEntry("from", Long.toString(v.from().toEpochMilli()))
                .containsEntry("to", Long.toString(v.to().toEpochMilli()))
                .containsEntry("granularity", "hour").containsEntry("tz", "Z")
                .containsKeys("release", "browser");
        EventQuery q = v.query(true);
        assertThat(q.filters().release()).isEqualTo(series.get("release"));
        assertThat(q.filters().browser()).isEqualTo(series.get("browser"));
        assertThat(q.granularity()).isEqualTo(Granularity.HOUR);
        assertThat(q.zone()).isEqualTo(ZoneOffset.UTC);
        QueryVariation berlin = QueryVariations.of(20, APPS, NOW).get(6);
        assertThat(berlin.params(true)).containsEntry("tz", "Europe/Berlin");
        assertThat(berlin.query(true).zone().getId()).isEqualTo("Europe/Berlin");

        // a non-series endpoint refuses granularity and tz (400 unknown parameter), and reads in UTC
        assertThat(v.params(false)).doesNotContainKeys("granularity", "tz");
        assertThat(v.query(false).granularity()).isNull();
        assertThat(v.query(false).zone()).isEqualTo(ZoneOffset.UTC);
    }

    @Test
    void everyEndpointAsksOnlyWhatItTakes() {
        for (ReadEndpoint endpoint : ReadEndpoints.all()) {
            for (QueryVariation v : QueryVariations.of(20, APPS, NOW)) {
                Map<String, String> params = endpoint.params(v);
                assertThat(params.containsKey("granularity")).as(endpoint.name()).isEqualTo(endpoint.series());
                if (endpoint.path().equals("/api/metrics")) {
                    assertThat(params).containsKey("metric");
                    assertThat(params.containsKey("dimension")).isEqualTo(v.broken());
                }
            }
        }
        KnownIds errors = new KnownIds(List.of("f1"), NOW, NOW, Map.of("shop-1", List.of("7", "9")), Map.of(0, "s 1/x"));
        ReadEndpoint detail = ReadEndpoints.all().stream().filter(e -> e.name().equals("/api/errors/{id}")).findFirst().orElseThrow();
        assertThat(detail.pathAndQuery(QueryVariations.of(1, APPS, NOW).getFirst(), errors)).startsWith("/api/errors/7?appId=shop-1&");
        ReadEndpoint session = ReadEndpoints.all().stream().filter(e -> e.name().equals("/api/sessions/{id}")).findFirst().orElseThrow();
        assertThat(session.pathAndQuery(QueryVariations.of(1, APPS, NOW).getFirst(), errors)).startsWith("/api/sessions/s%201%2Fx?appId=shop-1&");
        // the heatmap needs a page: the variation's path filter, else one of the dataset's
        ReadEndpoint heatmap = ReadEndpoints.all().stream().filter(e -> e.name().equals("/api/user-behavior/heatmap")).findFirst().orElseThrow();
        for (QueryVariation v : QueryVariations.of(20, APPS, NOW)) {
            assertThat(heatmap.params(v)).containsKey("path");
            if (v.filters().containsKey("path")) {
                assertThat(heatmap.params(v).get("path")).isEqualTo(v.filters().get("path"));
            }
        }
    }

    @Test
    void everyMetricIsTimedWithAndWithoutADimension() {
        List<QueryVariation> variations = QueryVariations.of(20, APPS, NOW);
        for (String metric : ReadEndpoints.SESSION_METRICS) {
            assertThat(variations.stream().filter(v -> ReadEndpoints.pair(v, ReadEndpoints.SESSION_METRICS).equals(metric))
                    .map(QueryVariation::broken).distinct()).as(metric).containsExactlyInAnyOrder(true, false);
        }
    }
}

package dev.traceflow.benchmark;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueryBenchmarkOptionsTest {

    @Test
    void theAdminPasswordIsRandomUnlessGiven_soKeptDataCanBeSignedInTo() throws Exception {
        assertThat(QueryBenchmarkOptions.parse(new String[] {"--events", "1000"}).adminPassword()).isNull();
        QueryBenchmarkOptions given = QueryBenchmarkOptions.parse(new String[] {
                "--keep-data", "--data-dir", "/tmp/x", "--admin-password", "dashboard-first-paint"});
        assertThat(given.adminPassword()).isEqualTo("dashboard-first-paint");
        assertThat(given.keepData()).isTrue();
        assertThatThrownBy(() -> QueryBenchmarkOptions.parse(new String[] {"--admin-password", "short"}))
                .isInstanceOf(BenchmarkOptions.UsageException.class).hasMessageContaining("12");
    }

    @Test
    void oneWarmupPassByDefault_noneOrMoreWhenAsked() throws Exception {
        assertThat(QueryBenchmarkOptions.parse(new String[] {}).queryWarmup()).isEqualTo(3);
        assertThat(QueryBenchmarkOptions.parse(new String[] {"--query-warmup", "0"}).queryWarmup()).isZero();
        assertThat(QueryBenchmarkOptions.parse(new String[] {"--query-warmup=1"}).queryWarmup()).isEqualTo(1);
        assertThatThrownBy(() -> QueryBenchmarkOptions.parse(new String[] {"--query-warmup", "-1"}))
                .isInstanceOf(BenchmarkOptions.UsageException.class);
        assertThatThrownBy(() -> QueryBenchmarkOptions.parse(new String[] {"--query-warmup", "101"}))
                .isInstanceOf(BenchmarkOptions.UsageException.class).hasMessageContaining("at most 100");
    }

    @Test
    void ingestDuringTheQueries_isHalfTheMaximumByDefault_orAFixedRate() throws Exception {
        assertThat(QueryBenchmarkOptions.parse(new String[] {}).ingestRate()).isZero();
        assertThat(QueryBenchmarkOptions.parse(new String[] {"--ingest-rate", "20000"}).ingestRate()).isEqualTo(20_000);
        assertThatThrownBy(() -> QueryBenchmarkOptions.parse(new String[] {"--ingest-rate", "-5"}))
                .isInstanceOf(BenchmarkOptions.UsageException.class);
    }
}

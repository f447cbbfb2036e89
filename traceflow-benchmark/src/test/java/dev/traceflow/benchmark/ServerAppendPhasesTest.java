package dev.traceflow.benchmark;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ServerAppendPhasesTest {

    static final String BEFORE = """
            # HELP traceflow_builds_log_append_phase_seconds time build log appends spent in each phase on the server
            traceflow_builds_log_append_phase_seconds_count{phase="insert"} 10
            traceflow_builds_log_append_phase_seconds_sum{phase="insert"} 0.05
            traceflow_builds_log_append_phase_seconds_count{phase="tell"} 10
            traceflow_builds_log_append_phase_seconds_sum{phase="tell"} 0.01
            http_server_requests_seconds_count{error="none",method="POST",outcome="SUCCESS",status="200",uri="/api/workers/builds/{id}/logs"} 10
            http_server_requests_seconds_sum{error="none",method="POST",outcome="SUCCESS",status="200",uri="/api/workers/builds/{id}/logs"} 0.2
            http_server_requests_seconds_count{error="none",method="POST",outcome="SUCCESS",status="200",uri="/api/workers/claim"} 1
            """;
    static final String AFTER = """
            traceflow_builds_log_append_phase_seconds_count{phase="insert"} 30
            traceflow_builds_log_append_phase_seconds_sum{phase="insert"} 0.25
            traceflow_builds_log_append_phase_seconds_count{phase="tell"} 30
            traceflow_builds_log_append_phase_seconds_sum{phase="tell"} 0.03
            http_server_requests_seconds_count{error="none",method="POST",outcome="SUCCESS",status="200",uri="/api/workers/builds/{id}/logs"} 30
            http_server_requests_seconds_sum{error="none",method="POST",outcome="SUCCESS",status="200",uri="/api/workers/builds/{id}/logs"} 1.2
            http_server_requests_seconds_count{error="none",method="POST",outcome="SUCCESS",status="200",uri="/api/workers/claim"} 5
            """;

    @Test
    void meanMillis_perAppendBetweenTwoScrapes_ofEachPhaseTheServerHas_andOfTheWholeRequest() {
        Map<String, Double> means = ServerAppendPhases.meanMillis(BEFORE, AFTER);
        // insert: 0.2 s over 20 appends; tell: 0.02 s over 20; the logs route: 1.0 s over 20; no mask or write_out meter
        assertThat(means).containsExactly(Map.entry("insert", 10.0), Map.entry("tell", 1.0), Map.entry("request", 50.0));
    }

    @Test
    void meanMillis_ofAServerWithoutTheMeters_isEmpty() {
        assertThat(ServerAppendPhases.meanMillis("", "jvm_threads_live_threads 40\n")).isEmpty();
    }
}

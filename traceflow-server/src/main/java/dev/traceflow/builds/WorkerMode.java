package dev.traceflow.builds;

import dev.traceflow.builds.internal.RemoteWorkerConfiguration;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;

import java.util.Arrays;
import java.util.Map;

/**
 * The jar's worker mode (issue 21 item 3): {@code java -jar traceflow-server.jar --traceflow.mode=worker}
 * (or {@code TRACEFLOW_MODE=worker}, or {@code ./traceflow worker}) runs build workers for a server
 * elsewhere, talking to it over the worker API, and nothing else: no web server, no storage (only a
 * {@code GET /metrics} endpoint when {@code TRACEFLOW_WORKER_METRICS_PORT} asks for one).
 * Settings: {@code TRACEFLOW_WORKER_SERVER_URL}, {@code TRACEFLOW_WORKER_TOKEN},
 * {@code TRACEFLOW_WORKER_NAME}, {@code TRACEFLOW_WORKER_CONCURRENCY} (README "Worker processes").
 */
public final class WorkerMode {

    static final String ARGUMENT = "--traceflow.mode=worker";

    private WorkerMode() {
    }

    /** Whether the command line or the environment asks for worker mode. */
    public static boolean requested(String[] args, Map<String, String> env) {
        return Arrays.asList(args).contains(ARGUMENT) || "worker".equalsIgnoreCase(env.getOrDefault("TRACEFLOW_MODE", "").strip());
    }

    public static void run(String[] args) {
        new SpringApplicationBuilder(RemoteWorkerConfiguration.class).web(WebApplicationType.NONE).run(args);
    }
}

package dev.traceflow.builds.internal;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.net.URI;
import java.time.Duration;

/**
 * A worker process's settings ({@code traceflow.worker.*}, e.g. {@code TRACEFLOW_WORKER_SERVER_URL}), read only in
 * worker mode ({@code --traceflow.mode=worker}).
 *
 * @param serverUrl      the TraceFlow server whose queue this worker serves ({@code http://traceflow:8080})
 * @param token          the server's {@code traceflow.builds.queue.worker-token}; sent in a header, never logged
 * @param name           this worker in the server's lease owner and logs (letters, digits, {@code . _ : -}); default:
 *                       the host name and process id
 * @param concurrency    builds this process runs at once
 * @param poll           how long an idle worker waits before asking for a build again
 * @param heartbeat      the longest time between two heartbeats of a build (a third of the server's lease is used when
 *                       that is shorter)
 * @param requestTimeout one call to the server; a log append that times out is sent again with the same numbers
 * @param retries        how often a call that failed without an answer (or with a 5xx) is tried again
 * @param metricsPort    where {@code GET /metrics} answers the worker's metrics in the Prometheus text format; none
 *                       (the default) for no metrics endpoint, 0 for any free port
 * @param metricsAddress the address that endpoint listens on: the machine only by default
 */
@ConfigurationProperties("traceflow.worker")
public record RemoteWorkerProperties(URI serverUrl,
                                     String token,
                                     String name,
                                     @DefaultValue("1") int concurrency,
                                     @DefaultValue("1s") Duration poll,
                                     @DefaultValue("10s") Duration heartbeat,
                                     @DefaultValue("30s") Duration requestTimeout,
                                     @DefaultValue("3") int retries,
                                     Integer metricsPort,
                                     @DefaultValue("127.0.0.1") String metricsAddress) {

    /** Without the token: settings end up in logs and error messages. */
    @Override
    public String toString() {
        return "RemoteWorkerProperties[serverUrl=" + serverUrl + ", token=" + (token == null || token.isEmpty() ? "(none)" : "(set)")
                + ", name=" + name + ", concurrency=" + concurrency + ", poll=" + poll + ", heartbeat=" + heartbeat + ", requestTimeout="
                + requestTimeout + ", retries=" + retries + ", metricsPort=" + metricsPort + ", metricsAddress=" + metricsAddress + "]";
    }

    /** @throws IllegalStateException naming the setting that is missing or wrong */
    void requireComplete() {
        if (serverUrl == null || !(serverUrl.getScheme() != null && serverUrl.getScheme().matches("https?"))
                || serverUrl.getHost() == null) {
            throw new IllegalStateException("worker mode needs TRACEFLOW_WORKER_SERVER_URL (http(s)://host:port of the server)");
        }
        if (token == null || token.isBlank()) {
            throw new IllegalStateException("worker mode needs TRACEFLOW_WORKER_TOKEN (the server's TRACEFLOW_BUILDS_QUEUE_WORKER_TOKEN)");
        }
        if (name != null && !name.matches("[A-Za-z0-9._:-]{1,80}")) {
            throw new IllegalStateException("TRACEFLOW_WORKER_NAME must be 1-80 letters, digits or . _ : -");
        }
        if (concurrency < 1 || concurrency > 64) {
            throw new IllegalStateException("TRACEFLOW_WORKER_CONCURRENCY must be 1-64");
        }
        if (retries < 0 || retries > 20) {
            throw new IllegalStateException("TRACEFLOW_WORKER_RETRIES must be 0-20");
        }
        if (metricsPort != null && (metricsPort < 0 || metricsPort > 65535)) {
            throw new IllegalStateException("TRACEFLOW_WORKER_METRICS_PORT must be 0-65535 (or unset for no metrics endpoint)");
        }
    }
}

package dev.traceflow.builds.internal;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.builds.internal.git.GitRemote;
import dev.traceflow.builds.internal.git.GitUrlGuard;
import dev.traceflow.builds.internal.run.SandboxProperties;
import dev.traceflow.builds.internal.run.SandboxedCommandRunner;
import dev.traceflow.outbound.HostResolver;
import dev.traceflow.outbound.OutboundGuard;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import java.nio.file.Path;
import java.time.Clock;

/**
 * Everything a worker process runs (worker mode, {@code --traceflow.mode=worker}): the build executor
 * with its git access and sandboxed runner, and the {@link RemoteWorkers} that take builds from the
 * server over HTTP. No web server, storage, DuckDB or metadata database: no auto-configuration and
 * no component scan. Deliberately not a {@code @Configuration}: the server's component scan must not
 * pick it up (Spring processes it as a "lite" configuration when it is the application's source).
 */
@EnableConfigurationProperties({RemoteWorkerProperties.class, BuildQueueProperties.class, BuildsProperties.class,
        SandboxProperties.class, TraceFlowProperties.class})
public class RemoteWorkerConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    /**
     * Meters of the worker's own: its builds, claims, steps, sandbox runs and failed calls, in the Prometheus format
     * the server's {@code /actuator/prometheus} uses, so one dashboard reads both.
     */
    @Bean
    PrometheusMeterRegistry meterRegistry() {
        return new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    }

    /** {@code GET /metrics} when {@code TRACEFLOW_WORKER_METRICS_PORT} is set; nothing otherwise. */
    @Bean
    WorkerMetricsEndpoint workerMetricsEndpoint(PrometheusMeterRegistry registry, RemoteWorkerProperties settings) {
        return new WorkerMetricsEndpoint(registry, settings.metricsAddress(), settings.metricsPort());
    }

    /** The same rule as the server's for what a fetch may reach ({@code TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS} on the worker's machine). */
    @Bean
    GitUrlGuard gitUrlGuard(TraceFlowProperties properties) {
        return new GitUrlGuard(new OutboundGuard(properties.outbound().allowedNetworks(), HostResolver.SYSTEM));
    }

    @Bean(destroyMethod = "close")
    GitRemote gitRemote(GitUrlGuard guard, BuildsProperties builds, TraceFlowProperties properties) {
        Path mirrors = builds.mirrorsDir() != null ? builds.mirrorsDir() : properties.dataDir().resolve("builds").resolve("mirrors");
        return new GitRemote(guard, mirrors, builds.gitTimeout(), builds.maxFetchBytes().toBytes(), builds.maxTags());
    }

    @Bean
    SandboxedCommandRunner commandRunner(SandboxProperties sandbox, MeterRegistry metrics) {
        return new SandboxedCommandRunner(sandbox, metrics);
    }

    @Bean
    BuildExecutor buildExecutor(GitRemote remote, GitUrlGuard guard, SandboxedCommandRunner runner, BuildQueueProperties queue,
                                BuildsProperties builds, TraceFlowProperties properties, Clock clock, MeterRegistry metrics) {
        return new BuildExecutor(remote, guard, runner, queue, builds, properties, clock, metrics);
    }

    @Bean
    WorkerApiClient workerApiClient(RemoteWorkerProperties settings, MeterRegistry metrics) {
        settings.requireComplete();
        return new WorkerApiClient(settings, metrics);
    }

    @Bean
    RemoteWorkers remoteWorkers(WorkerApiClient client, BuildExecutor executor, RemoteWorkerProperties settings, Clock clock,
                                MeterRegistry metrics) {
        return new RemoteWorkers(client, executor, settings, clock, metrics);
    }
}

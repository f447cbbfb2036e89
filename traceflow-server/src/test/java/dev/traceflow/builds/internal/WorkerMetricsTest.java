package dev.traceflow.builds.internal;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.builds.BuildsFixture;
import dev.traceflow.builds.internal.git.GitRemote;
import dev.traceflow.builds.internal.git.GitUrlGuard;
import dev.traceflow.builds.internal.run.CommandRunner;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A worker process's metrics (worker mode has no web server): a remote worker, as {@code --traceflow.mode=worker}
 * wires it, runs builds from this test's server, and its {@code GET /metrics} tells how many it ran and how they
 * ended, how long its claims and its fetch and build steps took. The in-process workers pause meanwhile, so the
 * remote worker takes every build.
 */
class WorkerMetricsTest extends BuildsFixture {

    @Autowired
    BuildWorkers inProcess;
    @Autowired
    GitRemote gitRemote;
    @Autowired
    GitUrlGuard guard;
    @Autowired
    CommandRunner runner;
    @Autowired
    BuildQueueProperties queueSettings;
    @Autowired
    BuildsProperties limits;
    @Autowired
    TraceFlowProperties properties;
    @Autowired
    Clock clock;

    private final HttpClient client = HttpClient.newHttpClient();
    private PrometheusMeterRegistry registry;
    private RemoteWorkers worker;
    private WorkerMetricsEndpoint endpoint;

    @BeforeEach
    void startARemoteWorker() {
        inProcess.stop();
        registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        RemoteWorkerProperties settings = new RemoteWorkerProperties(URI.create(http.base()), WORKER_TOKEN, "metrics-box", 1,
                Duration.ofMillis(100), Duration.ofSeconds(10), Duration.ofSeconds(30), 1, 0, "127.0.0.1");
        settings.requireComplete();
        BuildExecutor executor = new BuildExecutor(gitRemote, guard, runner, queueSettings, limits, properties, clock, registry);
        worker = new RemoteWorkers(new WorkerApiClient(settings, registry), executor, settings, clock, registry);
        endpoint = new WorkerMetricsEndpoint(registry, settings.metricsAddress(), settings.metricsPort());
        endpoint.start();
        worker.start();
    }

    @AfterEach
    void stopIt() {
        worker.stop();
        endpoint.stop();
        inProcess.start();
    }

    @Test
    void theWorkersMetrics_countItsBuildsByOutcome_andTimeItsClaimsAndSteps() throws Exception {
        String ok = trigger(setup("build.sh"));
        awaitStatus(ok, "success");
        String failed = trigger(setup("fail.sh"));
        assertThat(awaitStatus(failed, "fail").path("failureReason").asString()).isEqualTo("command_failed");

        HttpResponse<String> scrape = get(WorkerMetricsEndpoint.PATH);
        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/plain; version=0.0.4");
        String text = scrape.body();
        assertThat(text).containsPattern("(?m)^traceflow_worker_builds_seconds_count\\{reason=\"none\",status=\"success\"} 1(\\.0)?$");
        assertThat(text).containsPattern("(?m)^traceflow_worker_builds_seconds_count\\{reason=\"command_failed\",status=\"fail\"} 1(\\.0)?$");
        assertThat(text).containsPattern("(?m)^traceflow_worker_claims_seconds_count\\{outcome=\"build\"} 2(\\.0)?$");
        assertThat(text).containsPattern("(?m)^traceflow_worker_claims_seconds_count\\{outcome=\"none\"} [1-9]");
        assertThat(text).containsPattern("(?m)^traceflow_builds_step_seconds_count\\{step=\"fetch\"} 2(\\.0)?$");
        assertThat(text).containsPattern("(?m)^traceflow_builds_step_seconds_count\\{step=\"build\"} 1(\\.0)?$");
        assertThat(text).containsPattern("(?m)^traceflow_worker_builds_running 0(\\.0)?$");
        assertThat(text).doesNotContain(WORKER_TOKEN);

        assertThat(get("/actuator/prometheus").statusCode()).isEqualTo(404);
        HttpResponse<String> post = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
    }

    @Test
    void withoutAPort_thereIsNoEndpoint() {
        WorkerMetricsEndpoint off = new WorkerMetricsEndpoint(registry, "127.0.0.1", null);
        off.start();
        assertThat(off.isRunning()).isFalse();
        assertThat(off.port()).isEqualTo(-1);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + endpoint.port() + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}

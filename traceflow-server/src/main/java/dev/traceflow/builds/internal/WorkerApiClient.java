package dev.traceflow.builds.internal;

import dev.traceflow.builds.internal.git.GitAuth;
import dev.traceflow.builds.internal.run.BuildLogSink;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A worker process's side of the worker API ({@link WorkerApiController}), over the JDK's HTTP
 * client with the worker token in its header. A call that got no answer (a timeout, a dropped
 * connection) or a 5xx is sent again, the same request, up to {@code retries} times: every call but
 * the claim is safe to repeat (a log batch carries its first line's number, so the server stores a
 * resent batch once). 409 LEASE_LOST becomes {@link JdbcBuilds.LeaseLost}, as it is for in-process
 * workers; 422 ARTIFACT_REJECTED becomes {@link ArtifactPackager.BadArchive}.
 */
final class WorkerApiClient {

    private static final Logger log = LoggerFactory.getLogger(WorkerApiClient.class);
    private static final String TOKEN_HEADER = WorkerTokenFilter.TOKEN_HEADER;
    /** The longest error text kept from an answer (it goes into a log line). */
    private static final int MAX_ERROR_TEXT = 300;

    /** The server answered a call with an error this client cannot act on. */
    static final class CallFailed extends RuntimeException {
        final int status;
        final String code;

        CallFailed(int status, String code, String message) {
            super(status + " " + code + ": " + message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    /** A claimed build with what the worker needs to run it: the claim, the server's lease, the build's own sources. */
    record Claimed(Build.Claim claim, Duration lease, FetchSources sources) {
    }

    private final HttpClient http;
    private final URI server;
    private final String token;
    private final Duration timeout;
    private final int retries;
    private final MeterRegistry metrics;

    WorkerApiClient(RemoteWorkerProperties settings, MeterRegistry metrics) {
        this.server = URI.create(settings.serverUrl().toString().replaceAll("/+$", "") + "/");
        this.token = settings.token();
        this.timeout = settings.requestTimeout();
        this.retries = settings.retries();
        this.metrics = metrics;
        this.http = HttpClient.newBuilder().connectTimeout(settings.requestTimeout()).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** @return the claimed build, or empty when the queue has nothing this worker may run now */
    Optional<Claimed> claim(String worker) {
        // not repeated: a claim whose answer was lost holds a build nobody works on until its lease runs out and the reaper re-queues it
        HttpResponse<String> r = call("POST", "api/workers/claim", json(Map.of("worker", worker)), "application/json", null, 0, 0);
        if (r.statusCode() == 204) {
            return Optional.empty();
        }
        JsonNode answer = CanonicalJson.JSON.readTree(r.body());
        String id = answer.path("id").asString();
        int attempt = answer.path("attempt").asInt();
        Instant leaseUntil = Instant.parse(answer.path("leaseUntil").asString());
        Duration lease = Duration.parse(answer.path("lease").asString("PT30S"));
        String inputs = CanonicalJson.JSON.writeValueAsString(answer.path("inputs"));
        Build build = new Build(id, null, null, null, Build.RUNNING, "build", null, null, null, inputs, attempt, 0, worker, leaseUntil,
                false, null, null, null, null, null, null, null, null, null, null, answer.path("release").asString(null));
        return Optional.of(new Claimed(new Build.Claim(build, attempt, leaseUntil), lease, sources(answer.path("sources"))));
    }

    /** @return whether a cancel was asked for */
    boolean heartbeat(String id, int attempt) {
        HttpResponse<String> r = call("POST", "api/workers/builds/" + id + "/heartbeat", json(Map.of("attempt", attempt)), "application/json",
                id, attempt, retries);
        return CanonicalJson.JSON.readTree(r.body()).path("cancel").asBoolean(false);
    }

    void stage(String id, int attempt, String stage, String status) {
        call("POST", "api/workers/builds/" + id + "/stages/" + stage, json(Map.of("attempt", attempt, "status", status)), "application/json",
                id, attempt, retries);
    }

    /** @return the build's log cursor after the lines; the server stored them durably before it answered */
    long logs(String id, int attempt, long firstSeq, List<BuildLogSink.LogLine> lines) {
        List<Map<String, Object>> body = new ArrayList<>(lines.size());
        for (BuildLogSink.LogLine l : lines) {
            body.add(Map.of("ts", l.ts().toString(), "level", l.level(), "stage", l.stage(), "line", l.line()));
        }
        HttpResponse<String> r = call("POST", "api/workers/builds/" + id + "/logs",
                json(Map.of("attempt", attempt, "firstSeq", firstSeq, "lines", body)), "application/json", id, attempt, retries);
        return CanonicalJson.JSON.readTree(r.body()).path("cursor").asLong();
    }

    /** @return the stored artifact's reference */
    String artifact(String id, int attempt, Path archive, String sha256) throws ArtifactPackager.BadArchive, IOException {
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.ofFile(archive);
        try {
            HttpResponse<String> r = call("PUT", "api/workers/builds/" + id + "/artifact?attempt=" + attempt + "&sha256=" + sha256, body,
                    "application/gzip", id, attempt, retries);
            return CanonicalJson.JSON.readTree(r.body()).path("ref").asString();
        } catch (CallFailed e) {
            if (e.code.equals("ARTIFACT_REJECTED")) {
                throw new ArtifactPackager.BadArchive(e.getMessage());
            }
            throw e;
        }
    }

    void finish(String id, int attempt, String status, String reason, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("attempt", attempt);
        body.put("status", status);
        if (reason != null) {
            body.put("reason", reason.length() > 32 ? reason.substring(0, 32) : reason);
        }
        if (message != null) {
            body.put("message", message.length() > 2000 ? message.substring(0, 2000) : message);
        }
        call("POST", "api/workers/builds/" + id + "/finish", json(body), "application/json", id, attempt, retries);
    }

    private static HttpRequest.BodyPublisher json(Object body) {
        return HttpRequest.BodyPublishers.ofByteArray(CanonicalJson.JSON.writeValueAsBytes(body));
    }

    /**
     * Sends the request, again after a failure without an answer or a 5xx, up to {@code tries} more
     * times with a growing pause. @return a 2xx answer
     */
    private HttpResponse<String> call(String method, String path, HttpRequest.BodyPublisher body, String contentType, String buildId,
                                      int attempt, int tries) {
        HttpRequest request = HttpRequest.newBuilder(server.resolve(path)).timeout(timeout).method(method, body)
                .header("Content-Type", contentType).header("Accept", "application/json").header(TOKEN_HEADER, token).build();
        String endpoint = path.replaceAll("builds/[^/]+/", "builds/{id}/").replaceAll("\\?.*", "");
        for (int n = 0; ; n++) {
            String failure;
            try {
                HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() / 100 == 2) {
                    return r;
                }
                JsonNode error = errorBody(r.body());
                String code = error.path("code").asString("HTTP_" + r.statusCode());
                if (r.statusCode() == 409 && code.equals("LEASE_LOST") && buildId != null) {
                    throw new JdbcBuilds.LeaseLost(buildId, attempt);
                }
                String text = error.path("message").asString("");
                if (r.statusCode() < 500) {
                    throw new CallFailed(r.statusCode(), code, text.length() > MAX_ERROR_TEXT ? text.substring(0, MAX_ERROR_TEXT) : text);
                }
                failure = r.statusCode() + " " + code;
            } catch (IOException e) {
                failure = e.getClass().getSimpleName();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CallFailed(0, "INTERRUPTED", "the worker is stopping");
            }
            metrics.counter("traceflow.worker.calls.failed", "endpoint", endpoint).increment();
            if (n >= tries) {
                throw new CallFailed(0, "UNREACHABLE", method + " " + endpoint + " failed " + (n + 1) + " times, last: " + failure);
            }
            log.atWarn().addKeyValue("endpoint", endpoint).addKeyValue("buildId", buildId).addKeyValue("failure", failure)
                    .log("call to the server failed, sending it again");
            try {
                Thread.sleep(Math.min(5_000, 250L << n));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CallFailed(0, "INTERRUPTED", "the worker is stopping");
            }
        }
    }

    private static JsonNode errorBody(String body) {
        try {
            return CanonicalJson.JSON.readTree(body == null || body.isBlank() ? "{}" : body);
        } catch (RuntimeException e) {
            return CanonicalJson.JSON.readTree("{}");
        }
    }

    /** The claim's sources: all the fetch of this build may use. */
    private static FetchSources sources(JsonNode list) {
        Map<String, FetchSources.FetchSource> byId = new LinkedHashMap<>();
        for (JsonNode s : list) {
            JsonNode c = s.path("credential");
            GitAuth auth = null;
            if (c.isObject()) {
                auth = c.path("type").asString().equals("ssh-key") ? GitAuth.sshKey(c.path("username").asString(), c.path("secret").asString())
                        : new GitAuth(c.path("username").asString(), c.path("secret").asString());
            }
            String id = s.path("gitSourceId").asString();
            byId.put(id, new FetchSources.FetchSource(id, s.path("name").asString(), s.path("repoUrl").asString(),
                    s.path("defaultBranch").asString(null), auth, s.path("sshHostKey").asString(null)));
        }
        return id -> Optional.ofNullable(byId.get(id));
    }
}

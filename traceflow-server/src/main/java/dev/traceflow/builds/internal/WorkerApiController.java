package dev.traceflow.builds.internal;

import dev.traceflow.builds.internal.run.BuildLogSink;
import dev.traceflow.http.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The worker API (issue 21 item 3): what a worker in another process does to the server's queue, over
 * HTTP, with the worker token ({@code X-TraceFlow-Worker-Token}, checked by {@link WorkerTokenFilter}
 * before anything here reads the request): claim, heartbeat, stage changes, log appends (into the
 * server's {@link BuildLogSink}), the artifact upload (stored and verified by the server) and finish. Every call after the claim names
 * the attempt; once the attempt lost its lease, calls answer 409 LEASE_LOST and change nothing.
 */
@RestController
@Tag(name = "Build workers", description = "For remote build workers, with the worker token (not for users)")
class WorkerApiController {

    private static final Logger log = LoggerFactory.getLogger(WorkerApiController.class);

    static final int MAX_LINES = 1000;
    private static final Pattern WORKER = Pattern.compile("[A-Za-z0-9._:-]{1,100}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Set<String> STAGE_STATUSES = Set.of("running", "success", "fail", "canceled");

    private final BuildQueue queue;
    private final JdbcBuilds builds;
    private final BuildLogSink logs;
    private final ArtifactStore store;
    private final BuildQueueProperties settings;
    private final StoredFetchSources sources;

    WorkerApiController(BuildQueue queue, JdbcBuilds builds, BuildLogSink logs, ArtifactStore store, BuildQueueProperties settings,
                        StoredFetchSources sources) {
        this.queue = queue;
        this.builds = builds;
        this.logs = logs;
        this.store = store;
        this.settings = settings;
        this.sources = sources;
    }

    record ClaimBody(String worker) {
    }

    record AttemptBody(Integer attempt) {
    }

    record StageBody(Integer attempt, String status) {
    }

    record LogsBody(Integer attempt, Long firstSeq, List<LineBody> lines) {
    }

    record LineBody(String ts, String level, String stage, String line) {
    }

    record FinishBody(Integer attempt, String status, String reason, String message) {
    }

    @PostMapping("/api/workers/claim")
    @Operation(summary = "Claim the next build", description = """
            Worker token in `X-TraceFlow-Worker-Token` (401 without the right one; 503 WORKERS_DISABLED when the server has \
            no token set). 200 `{"id", "attempt", "leaseUntil", "lease", "inputs", "release", \
            "sources"}` with the build's frozen inputs and its git sources (`{gitSourceId, name, repoUrl, defaultBranch, \
            sshHostKey?, credential?: {type, username, secret}}`: credentials of this build's sources only), or 204 when nothing \
            is claimable. Heartbeat well within `lease` (an ISO-8601 duration) and before `leaseUntil`.""")
    ResponseEntity<Map<String, Object>> claim(@RequestBody(required = false) ClaimBody body) {
        if (body == null || body.worker() == null || !WORKER.matcher(body.worker()).matches()) {
            throw ApiException.invalid("worker must be 1-100 letters, digits or . _ : -");
        }
        return queue.claim("remote:" + body.worker()).map(c -> {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("id", c.build().id());
            v.put("attempt", c.attempt());
            v.put("leaseUntil", c.leaseUntil());
            v.put("lease", settings.lease().toString());
            JsonNode inputs = CanonicalJson.JSON.readTree(c.build().inputs());
            v.put("inputs", inputs);
            v.put("release", BuildExecutor.releaseName(c.build()));
            v.put("sources", sourcesOf(c.build().id(), inputs));
            log.info("build {} attempt {} claimed by remote worker {}", c.build().id(), c.attempt(), body.worker());
            return ResponseEntity.ok(v);
        }).orElseGet(() -> ResponseEntity.noContent().build());
    }

    /**
     * The build's own git sources as its fetch needs them, credentials included (only those of this
     * build's sources, so a worker never learns another source's secret); the log sink masks them.
     * A deleted source is left out: the worker's fetch then fails the build as the server's would.
     */
    private List<Map<String, Object>> sourcesOf(String buildId, JsonNode inputs) {
        List<Map<String, Object>> out = new ArrayList<>();
        List<String> secrets = new ArrayList<>();
        for (JsonNode s : inputs.path("sources")) {
            sources.find(s.path("gitSourceId").asString()).ifPresent(f -> {
                Map<String, Object> source = new LinkedHashMap<>();
                source.put("gitSourceId", f.id());
                source.put("name", f.name());
                source.put("repoUrl", f.repoUrl());
                source.put("defaultBranch", f.defaultBranch());
                if (f.sshHostKey() != null) {
                    source.put("sshHostKey", f.sshHostKey());
                }
                if (f.auth() != null) {
                    Map<String, Object> credential = new LinkedHashMap<>();
                    credential.put("type", f.auth().sshKey() ? "ssh-key" : "https-token");
                    credential.put("username", f.auth().username());
                    credential.put("secret", f.auth().secret());
                    source.put("credential", credential);
                    secrets.add(f.auth().secret());
                }
                out.add(source);
            });
        }
        if (!secrets.isEmpty()) {
            logs.registerSecrets(buildId, secrets);
        }
        return out;
    }

    @PostMapping("/api/workers/builds/{id}/heartbeat")
    @Operation(summary = "Extend the lease", description = "200 `{\"cancel\": bool}` (true: end the build as canceled); 409 LEASE_LOST.")
    Map<String, Object> heartbeat(@PathVariable String id, @RequestBody(required = false) AttemptBody body) {
        return Map.of("cancel", queue.heartbeat(id, attempt(body == null ? null : body.attempt())));
    }

    @PostMapping("/api/workers/builds/{id}/stages/{stage}")
    @Operation(summary = "A stage started or ended", description = "`{attempt, status: running | success | fail | canceled}`; 409 LEASE_LOST.")
    Map<String, Object> stage(@PathVariable String id,
                              @PathVariable String stage, @RequestBody(required = false) StageBody body) {
        if (!Build.STAGES.contains(stage) || body == null || !STAGE_STATUSES.contains(body.status())) {
            throw ApiException.invalid("stage must be one of " + Build.STAGES + " and status one of running, success, fail, canceled");
        }
        int attempt = attempt(body.attempt());
        if (body.status().equals("running")) {
            queue.stageStarted(id, attempt, stage);
        } else {
            Instant started = builds.stages(id).stream().filter(s -> s.name().equals(stage)).findFirst().map(Build.Stage::startedAt)
                    .orElse(null);
            queue.stageEnded(id, attempt, stage, started == null ? queue.now() : started, body.status());
        }
        return Map.of("ok", true);
    }

    @PostMapping("/api/workers/builds/{id}/logs")
    @Operation(summary = "Append log lines", description = """
            `{attempt, firstSeq, lines: [{ts, level, stage, line}]}` (at most 1000 lines; firstSeq: the worker's own 1-based \
            number of the first line in this attempt: a resend stores nothing twice). Stored durably before the answer \
            `{"cursor"}`; 409 LEASE_LOST.""")
    Map<String, Object> logs(@PathVariable String id,
                             @RequestBody(required = false) LogsBody body) {
        if (body == null || body.firstSeq() == null || body.firstSeq() < 1 || body.lines() == null || body.lines().isEmpty()
                || body.lines().size() > MAX_LINES) {
            throw ApiException.invalid("firstSeq (1 or more) and 1-" + MAX_LINES + " lines are required");
        }
        int attempt = attempt(body.attempt());
        List<BuildLogSink.LogLine> lines = new ArrayList<>();
        for (LineBody l : body.lines()) {
            String level = l == null || l.level() == null ? "info" : l.level();
            if (l == null || !Set.of("info", "warn", "error").contains(level) || !Build.STAGES.contains(l.stage()) || l.line() == null) {
                throw ApiException.invalid("each line is {ts, level: info | warn | error, stage, line}");
            }
            Instant ts;
            try {
                ts = Instant.parse(l.ts());
            } catch (RuntimeException e) {
                throw ApiException.invalid("ts must be an ISO-8601 instant");
            }
            String text = l.line();
            lines.add(new BuildLogSink.LogLine(ts, level, l.stage(), text.length() > LogBuffer.MAX_LINE ? text.substring(0, LogBuffer.MAX_LINE)
                    : text));
        }
        builds.requireHeld(id, attempt);
        return Map.of("cursor", logs.append(id, attempt, body.firstSeq(), lines));
    }

    @PutMapping(path = "/api/workers/builds/{id}/artifact", consumes = "application/gzip")
    @Operation(summary = "Upload the packed artifact", description = """
            The tar.gz as the body (`Content-Type: application/gzip`), `?attempt=&sha256=`. The server stores it, reads it \
            back and checks its sha256 and its manifest (safe entry names only: no `..`, absolute paths or links). 200 \
            `{"ref"}`; 422 ARTIFACT_REJECTED when it does not verify (nothing kept); 413 beyond the artifact limit; 409 \
            LEASE_LOST.""")
    Map<String, Object> artifact(@PathVariable String id,
                                 @RequestParam(name = "attempt") int attemptParam, @RequestParam String sha256,
                                 HttpServletRequest request) throws IOException {
        int attempt = attempt(attemptParam);
        if (sha256 == null || !SHA256.matcher(sha256).matches()) {
            throw ApiException.invalid("sha256 must be 64 lowercase hex digits");
        }
        builds.requireHeld(id, attempt);
        long max = settings.maxArtifactBytes().toBytes();
        Path temp = Files.createTempFile("traceflow-upload-", ".tar.gz");
        try {
            long size = 0;
            try (InputStream in = request.getInputStream(); OutputStream out = Files.newOutputStream(temp)) {
                byte[] buf = new byte[64 * 1024];
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    size += n;
                    if (size > max) {
                        throw ApiException.tooLarge("the artifact is larger than " + max + " bytes");
                    }
                    out.write(buf, 0, n);
                }
            }
            String ref;
            try {
                ref = StoredArtifacts.storeVerified(store, id, temp, sha256, size, max * 4);
            } catch (ArtifactPackager.BadArchive e) {
                throw new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, "ARTIFACT_REJECTED", "the artifact does not verify: " + e.getMessage());
            }
            builds.artifact(id, attempt, ref, sha256, size);
            return Map.of("ref", ref);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @PostMapping("/api/workers/builds/{id}/finish")
    @Operation(summary = "End the build", description = """
            `{attempt, status: success | fail | canceled, reason?, message?}`; success needs the uploaded artifact. \
            Archives the log. 409 LEASE_LOST.""")
    Map<String, Object> finish(@PathVariable String id,
                               @RequestBody(required = false) FinishBody body) {
        if (body == null || !Set.of(Build.SUCCESS, Build.FAIL, Build.CANCELED).contains(body.status())) {
            throw ApiException.invalid("status must be success, fail or canceled");
        }
        int attempt = attempt(body.attempt());
        Build b = builds.find(id).orElseThrow(() -> Strings.notFound("build", id));
        builds.requireHeld(id, attempt);
        if (body.status().equals(Build.SUCCESS) && b.artifactRef() == null) {
            throw ApiException.invalid("a successful build needs its artifact: upload it first");
        }
        String reason = body.status().equals(Build.SUCCESS) ? null : body.reason() == null ? body.status()
                : Strings.text("reason", body.reason(), 32);
        String message = Strings.text("message", body.message(), 2000);
        queue.finish(new Build.Claim(b, attempt, null), body.status(), reason, message,
                body.status().equals(Build.SUCCESS) ? BuildExecutor.releaseName(b) : null);
        return Map.of("id", id, "status", body.status());
    }

    private static int attempt(Integer attempt) {
        if (attempt == null || attempt < 1) {
            throw ApiException.invalid("attempt is required");
        }
        return attempt;
    }
}

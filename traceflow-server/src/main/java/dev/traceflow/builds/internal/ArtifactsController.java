package dev.traceflow.builds.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.http.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.io.AbstractResource;
import org.springframework.core.io.InputStreamResource;
import org.springframework.core.io.Resource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpRange;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.regex.Pattern;

/**
 * A build's artifact (issue 21 item 7): downloaded with read permission on the project's app, or
 * through a short-lived signed link that needs no token (for a deploy script or a browser, without
 * making the artifact hot-linkable: the link names its build, its creator and its expiry, signed with
 * HMAC-SHA256 by the {@link LinkSigningKey}, which outlives restarts). The bytes come from the
 * {@link ArtifactStore}, local or S3: a single {@code Range} is answered with 206 by reading only that
 * range from the store; several ranges are left to Spring's multipart answer.
 */
@RestController
@Tag(name = "Builds")
class ArtifactsController {

    private static final Logger log = LoggerFactory.getLogger(ArtifactsController.class);
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");
    private static final MediaType GZIP = MediaType.parseMediaType("application/gzip");

    private final BuildsController builds;
    private final JdbcBuilds table;
    private final ArtifactStore store;
    private final AppAccess access;
    private final AuditLog audit;
    private final BuildQueueProperties settings;
    private final Clock clock;
    private final LinkSigningKey key;

    ArtifactsController(BuildsController builds, JdbcBuilds table, ArtifactStore store, AppAccess access, AuditLog audit,
                        BuildQueueProperties settings, Clock clock, LinkSigningKey key) {
        this.builds = builds;
        this.table = table;
        this.store = store;
        this.access = access;
        this.audit = audit;
        this.settings = settings;
        this.clock = clock;
        this.key = key;
    }

    @GetMapping("/builds/{id}/artifact")
    @Operation(summary = "Download a build's artifact (tar.gz with manifest.json)", description = """
            Role: viewer or above on the build's app (404 otherwise, and 404 NO_ARTIFACT while the build has none). \
            `Range` requests answer 206 (416 when the range starts past the end). `ETag` is the archive's sha256. \
            503 ARTIFACT_STORE_UNAVAILABLE when the store (S3) cannot be read. Audited (`build.artifact.download`, once per download: requests for a later range are not).""",
            security = @SecurityRequirement(name = "BearerAuth"))
    ResponseEntity<Resource> download(@PathVariable String id, @RequestHeader(value = HttpHeaders.RANGE, required = false) String range) {
        Build b = builds.readable(id);
        long length = length(b);
        if (firstRequest(range)) {
            audit.record("build.artifact.download", "build", b.id(), b.appId(), Map.of("sha256", b.artifactSha256()));
        }
        return answer(b, length, range);
    }

    @PostMapping("/builds/{id}/artifact/link")
    @Operation(summary = "A short-lived signed download link", description = """
            Role: viewer or above. 200 `{"url", "expiresAt"}`: a relative URL that downloads the artifact without a \
            token until `expiresAt` (`traceflow.builds.queue.download-url-ttl`, default 5 minutes), also after a \
            restart of the server. Downloads through it are audited as the link's creator.""",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> link(@PathVariable String id) {
        Build b = builds.readable(id);
        length(b);
        String by = access.caller().userId();
        long expires = clock.instant().plus(settings.downloadUrlTtl()).getEpochSecond();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("url", "/builds/" + b.id() + "/artifact/signed?by=" + URLEncoder.encode(by, StandardCharsets.UTF_8) + "&expires="
                + expires + "&signature=" + key.sign(signed(b.id(), by, expires)));
        v.put("expiresAt", Instant.ofEpochSecond(expires));
        return v;
    }

    @GetMapping("/builds/{id}/artifact/signed")
    @Operation(summary = "Download through a signed link", description = """
            No token: the link's signature and expiry are checked (403 LINK_INVALID when it was altered, 403 LINK_EXPIRED \
            after `expiresAt`). `Range` requests answer 206.""")
    ResponseEntity<Resource> signed(@PathVariable String id, @RequestParam String by, @RequestParam long expires,
                                    @RequestParam String signature,
                                    @RequestHeader(value = HttpHeaders.RANGE, required = false) String range) {
        if (!HEX.matcher(signature).matches() || !key.verifies(signed(id, by, expires), signature)) {
            throw ApiException.forbidden("LINK_INVALID", "the download link is not valid");
        }
        if (clock.instant().getEpochSecond() > expires) {
            throw ApiException.forbidden("LINK_EXPIRED", "the download link has expired: ask for a new one");
        }
        Build b = table.find(id).orElseThrow(() -> Strings.notFound("build", id));
        long length = length(b);
        if (firstRequest(range)) {
            audit.recordAs(by, "signed-link", "build.artifact.download", "build", b.id(), b.appId(),
                    Map.of("sha256", b.artifactSha256(), "via", "signed-link"));
        }
        return answer(b, length, range);
    }

    /** What a link's signature covers: its build, its creator and its expiry, one per line. */
    private static String signed(String buildId, String by, long expires) {
        return buildId + "\n" + by + "\n" + expires;
    }

    private long length(Build b) {
        if (b.artifactRef() != null) {
            OptionalLong length;
            try {
                length = store.length(b.artifactRef());
            } catch (IOException e) {
                throw unavailable(b, e);
            }
            if (length.isPresent()) {
                return length.getAsLong();
            }
        }
        throw new ApiException(HttpStatus.NOT_FOUND, "NO_ARTIFACT", "the build has no artifact" + (b.ended() ? "" : " yet"));
    }

    /** The store cannot be reached or read (S3 down, a disk error): a 503 the caller may retry, the cause in the log. */
    private static ApiException unavailable(Build b, IOException e) {
        log.warn("the artifact store could not serve build {}'s artifact: {}", b.id(), e.getMessage());
        return ApiException.unavailable("ARTIFACT_STORE_UNAVAILABLE", "the artifact store cannot be read now: try again later", 30);
    }

    private static boolean firstRequest(String range) {
        return range == null || range.replace(" ", "").startsWith("bytes=0-");
    }

    private ResponseEntity<Resource> answer(Build b, long length, String range) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(GZIP);
        headers.setETag("\"" + b.artifactSha256() + "\"");
        headers.setContentDisposition(ContentDisposition.attachment().filename("build-" + b.id() + ".tar.gz").build());
        headers.set(HttpHeaders.ACCEPT_RANGES, "bytes");
        List<HttpRange> ranges = ranges(range);
        if (ranges.size() == 1) {
            long start = ranges.get(0).getRangeStart(length);
            long end = ranges.get(0).getRangeEnd(length);
            if (start >= length || end < start) {
                // RFC 9110 15.5.17: a range that starts past the end cannot be satisfied
                headers.set(HttpHeaders.CONTENT_RANGE, "bytes */" + length);
                return ResponseEntity.status(HttpStatus.REQUESTED_RANGE_NOT_SATISFIABLE).headers(headers).build();
            }
            headers.set(HttpHeaders.CONTENT_RANGE, "bytes " + start + "-" + end + "/" + length);
            headers.setContentLength(end - start + 1);
            // a 206 answer is written as it is: Spring cuts regions out of 200 answers only
            InputStream bytes;
            try {
                bytes = store.open(b.artifactRef(), start, end - start + 1);
            } catch (IOException e) {
                throw unavailable(b, e);
            }
            return ResponseEntity.status(HttpStatus.PARTIAL_CONTENT).headers(headers).body(new InputStreamResource(bytes));
        }
        // the whole artifact; with several ranges Spring answers multipart/byteranges from this resource
        return ResponseEntity.ok().headers(headers).body(new StoredArtifactResource(store, b.artifactRef(), length));
    }

    /** The Range header's ranges; none when there is no header or it cannot be parsed (RFC 9110: then it is ignored). */
    private static List<HttpRange> ranges(String range) {
        if (range == null) {
            return List.of();
        }
        try {
            return HttpRange.parseRanges(range);
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    /**
     * A stored artifact as a Spring resource: its length is known without reading it, and its bytes
     * are opened from the store only when the answer is written.
     */
    private static final class StoredArtifactResource extends AbstractResource {

        private final ArtifactStore store;
        private final String ref;
        private final long length;

        StoredArtifactResource(ArtifactStore store, String ref, long length) {
            this.store = store;
            this.ref = ref;
            this.length = length;
        }

        @Override
        public InputStream getInputStream() throws IOException {
            return store.open(ref, 0, length);
        }

        @Override
        public long contentLength() {
            return length;
        }

        @Override
        public boolean exists() {
            return true;
        }

        @Override
        public String getFilename() {
            return ArtifactRefs.FILE;
        }

        @Override
        public String getDescription() {
            return "build artifact " + ref;
        }
    }
}

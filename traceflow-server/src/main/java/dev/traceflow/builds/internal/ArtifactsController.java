package dev.traceflow.builds.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.http.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A build's artifact (issue 21 item 7): downloaded with read permission on the project's app, or
 * through a short-lived signed link that needs no token (for a deploy script or a browser, without
 * making the artifact hot-linkable: the link names its build, its creator and its expiry, signed with
 * HMAC-SHA256). {@code Range} requests are answered with 206 (Spring's resource handling). The
 * signing key is made at start, so links do not survive a restart (they live minutes).
 */
@RestController
@Tag(name = "Builds")
class ArtifactsController {

    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    private final BuildsController builds;
    private final JdbcBuilds table;
    private final LocalArtifactStore store;
    private final AppAccess access;
    private final AuditLog audit;
    private final BuildQueueProperties settings;
    private final Clock clock;
    private final SecretKeySpec key;

    ArtifactsController(BuildsController builds, JdbcBuilds table, LocalArtifactStore store, AppAccess access, AuditLog audit,
                        BuildQueueProperties settings, Clock clock) {
        this.builds = builds;
        this.table = table;
        this.store = store;
        this.access = access;
        this.audit = audit;
        this.settings = settings;
        this.clock = clock;
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    @GetMapping("/builds/{id}/artifact")
    @Operation(summary = "Download a build's artifact (tar.gz with manifest.json)", description = """
            Role: viewer or above on the build's app (404 otherwise, and 404 NO_ARTIFACT while the build has none). \
            `Range` requests answer 206. `ETag` is the archive's sha256. Audited (`build.artifact.download`, once per \
            download: requests for a later range are not).""", security = @SecurityRequirement(name = "BearerAuth"))
    ResponseEntity<Resource> download(@PathVariable String id, @RequestHeader(value = HttpHeaders.RANGE, required = false) String range) {
        Build b = builds.readable(id);
        Path file = file(b);
        if (firstRequest(range)) {
            audit.record("build.artifact.download", "build", b.id(), b.appId(), Map.of("sha256", b.artifactSha256()));
        }
        return answer(b, file);
    }

    @PostMapping("/builds/{id}/artifact/link")
    @Operation(summary = "A short-lived signed download link", description = """
            Role: viewer or above. 200 `{"url", "expiresAt"}`: a relative URL that downloads the artifact without a \
            token until `expiresAt` (`traceflow.builds.queue.download-url-ttl`, default 5 minutes). Downloads through \
            it are audited as the link's creator.""", security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> link(@PathVariable String id) {
        Build b = builds.readable(id);
        file(b);
        String by = access.caller().userId();
        long expires = clock.instant().plus(settings.downloadUrlTtl()).getEpochSecond();
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("url", "/builds/" + b.id() + "/artifact/signed?by=" + by + "&expires=" + expires + "&signature="
                + sign(b.id(), by, expires));
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
        if (!HEX.matcher(signature).matches() || !MessageDigest.isEqual(sign(id, by, expires).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII))) {
            throw ApiException.forbidden("LINK_INVALID", "the download link is not valid");
        }
        if (clock.instant().getEpochSecond() > expires) {
            throw ApiException.forbidden("LINK_EXPIRED", "the download link has expired: ask for a new one");
        }
        Build b = table.find(id).orElseThrow(() -> Strings.notFound("build", id));
        Path file = file(b);
        if (firstRequest(range)) {
            audit.recordAs(by, "signed-link", "build.artifact.download", "build", b.id(), b.appId(),
                    Map.of("sha256", b.artifactSha256(), "via", "signed-link"));
        }
        return answer(b, file);
    }

    private Path file(Build b) {
        return store.file(b.artifactRef()).orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND, "NO_ARTIFACT",
                "the build has no artifact" + (b.ended() ? "" : " yet")));
    }

    private static boolean firstRequest(String range) {
        return range == null || range.replace(" ", "").startsWith("bytes=0-");
    }

    private static ResponseEntity<Resource> answer(Build b, Path file) {
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType("application/gzip"))
                .eTag("\"" + b.artifactSha256() + "\"")
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename("build-" + b.id() + ".tar.gz").build().toString())
                .body(new FileSystemResource(file));
    }

    private String sign(String buildId, String by, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal((buildId + "\n" + by + "\n" + expires).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}

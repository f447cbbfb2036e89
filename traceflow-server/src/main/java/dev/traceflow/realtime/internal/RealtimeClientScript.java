package dev.traceflow.realtime.internal;

import dev.traceflow.http.RealtimePaths;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.DigestUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/**
 * Serves the reference browser client ({@code realtime/traceflow-realtime.js}) at a stable address,
 * so a page imports it as an ES module from the server it talks to. Module scripts are fetched with
 * CORS, so the answer allows every origin: it is public code and carries no credentials. Revalidated
 * by its ETag after five minutes, so pages pick up a new server's client soon without re-downloading
 * an unchanged one.
 */
@RestController
@Tag(name = "Realtime")
class RealtimeClientScript {

    static final MediaType JAVASCRIPT = new MediaType("text", "javascript", java.nio.charset.StandardCharsets.UTF_8);

    private final byte[] script;
    private final String etag;

    RealtimeClientScript() {
        try (var in = new ClassPathResource("realtime/traceflow-realtime.js").getInputStream()) {
            script = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("the reference realtime client is missing from the server's resources", e);
        }
        etag = "\"" + DigestUtils.md5DigestAsHex(script) + "\"";
    }

    @GetMapping(RealtimePaths.CLIENT)
    @Operation(summary = "The reference realtime client",
            description = "A plain ES module (no dependencies): reconnects with backoff and jitter, resumes every topic from its "
                    + "last seq, drops repeats, acknowledges cumulatively, publishes with ids. Public; README \"Realtime\".")
    ResponseEntity<byte[]> client(@RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        ResponseEntity.BodyBuilder answer = ResponseEntity.ok();
        if (etag.equals(ifNoneMatch)) {
            answer = ResponseEntity.status(304);
        }
        return answer.eTag(etag)
                .cacheControl(CacheControl.maxAge(Duration.ofMinutes(5)).cachePublic())
                .header(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                .header("X-Content-Type-Options", "nosniff")
                .contentType(JAVASCRIPT)
                .body(etag.equals(ifNoneMatch) ? null : script);
    }
}

package dev.traceflow.realtime.internal;

import dev.traceflow.http.RealtimePaths;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.util.DigestUtils;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The realtime feature's public files, at stable addresses: the reference browser client, which a
 * page imports as an ES module from the server it talks to, and the gateway's AsyncAPI document.
 * Both are public and carry no credentials, so every origin may fetch them (module scripts are
 * fetched with CORS). Revalidated by their ETag after five minutes, so clients pick up a new
 * server's files soon without re-downloading unchanged ones.
 */
@RestController
@Tag(name = "Realtime")
class RealtimePublicFiles {

    private final PublicFile client = PublicFile.load("realtime/traceflow-realtime.js",
            new MediaType("text", "javascript", StandardCharsets.UTF_8));
    private final PublicFile asyncApi = PublicFile.load("realtime/asyncapi.yaml",
            new MediaType("application", "yaml", StandardCharsets.UTF_8));

    @GetMapping(RealtimePaths.CLIENT)
    @Operation(summary = "The reference realtime client",
            description = "A plain ES module (no dependencies): reconnects with backoff and jitter, resumes every topic from its "
                    + "last seq, drops repeats, acknowledges cumulatively, publishes with ids. Public; README \"Realtime\".")
    ResponseEntity<byte[]> client(@RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        return client.answer(ifNoneMatch);
    }

    @GetMapping(RealtimePaths.ASYNCAPI)
    @Operation(summary = "The realtime gateway's AsyncAPI document",
            description = "Every message of the /ws protocol in both directions, how topics map to apps, and who may connect. Public.")
    ResponseEntity<byte[]> asyncApi(@RequestHeader(value = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch) {
        return asyncApi.answer(ifNoneMatch);
    }

    /** A classpath file read once at start, with its ETag. */
    private record PublicFile(byte[] bytes, String etag, MediaType type) {

        static PublicFile load(String path, MediaType type) {
            try (var in = new ClassPathResource(path).getInputStream()) {
                byte[] bytes = in.readAllBytes();
                return new PublicFile(bytes, "\"" + DigestUtils.md5DigestAsHex(bytes) + "\"", type);
            } catch (IOException e) {
                throw new UncheckedIOException(path + " is missing from the server's resources", e);
            }
        }

        ResponseEntity<byte[]> answer(String ifNoneMatch) {
            boolean unchanged = etag.equals(ifNoneMatch);
            return ResponseEntity.status(unchanged ? HttpStatus.NOT_MODIFIED : HttpStatus.OK).eTag(etag)
                    .cacheControl(CacheControl.maxAge(Duration.ofMinutes(5)).cachePublic())
                    .header(HttpHeaders.ACCESS_CONTROL_ALLOW_ORIGIN, "*")
                    .header("X-Content-Type-Options", "nosniff")
                    .contentType(type)
                    .body(unchanged ? null : bytes);
        }
    }
}

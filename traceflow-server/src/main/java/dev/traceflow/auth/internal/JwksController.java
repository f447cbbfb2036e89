package dev.traceflow.auth.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.http.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** The public keys (JWKS) and, for admins, signing-key rotation. */
@RestController
@Tag(name = "Auth")
class JwksController {

    private final SigningKeys keys;
    private final AppAccess access;
    private final AuditLog audit;

    JwksController(SigningKeys keys, AppAccess access, AuditLog audit) {
        this.keys = keys;
        this.access = access;
        this.audit = audit;
    }

    @GetMapping(value = "/.well-known/jwks.json", produces = {"application/jwk-set+json", MediaType.APPLICATION_JSON_VALUE})
    @Operation(summary = "Public keys that verify access tokens (RFC 7517)",
            description = "Public. Holds the signing key and every retired key whose tokens may still be live.")
    ResponseEntity<Map<String, Object>> jwks() {
        return ResponseEntity.ok().cacheControl(CacheControl.maxAge(Duration.ofMinutes(5)).cachePublic())
                .body(keys.publicKeys().toJSONObject(true));
    }

    record SigningKeyView(String kid, Instant createdAt, Instant retiredAt, boolean signing) {
    }

    @GetMapping("/api/auth/signing-keys")
    @Operation(summary = "Signing keys (ids and dates only)", description = "Role: admin.",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, List<SigningKeyView>> list() {
        access.requireAdmin();
        String active = keys.active().getKeyID();
        return Map.of("items", keys.keys().stream()
                .map(k -> new SigningKeyView(k.key().getKeyID(), k.createdAt(), k.retiredAt(), k.key().getKeyID().equals(active)))
                .toList());
    }

    @PostMapping("/api/auth/signing-keys/rotate")
    @Operation(summary = "Rotate the signing key now",
            description = "Role: admin. New tokens get a new `kid`; tokens signed by the previous key keep verifying until "
                    + "they expire.", security = @SecurityRequirement(name = "BearerAuth"))
    @ResponseStatus(HttpStatus.CREATED)
    ResponseEntity<Map<String, String>> rotate() {
        access.requireAdmin();
        String kid = keys.rotate();
        audit.record("signing_key.rotate", "signing_key", kid, null, Map.of("kid", kid));
        return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("kid", kid));
    }

    @PostMapping("/api/auth/signing-keys/{kid}/revoke")
    @Operation(summary = "Revoke a signing key at once",
            description = "Role: admin. For a key that may have leaked: it is deleted, so every token it signed stops "
                    + "verifying at once on this instance and within a minute on the others (they re-read the keys every "
                    + "minute, `TRACEFLOW_AUTH_SIGNING_KEY_RELOAD`). When it was the signing key a new one signs from now on, "
                    + "so everyone whose token it signed logs in again (their refresh tokens still work). 204; 404 for an "
                    + "unknown kid.", security = @SecurityRequirement(name = "BearerAuth"))
    @ResponseStatus(HttpStatus.NO_CONTENT)
    ResponseEntity<Void> revoke(@PathVariable String kid) {
        access.requireAdmin();
        if (kid.length() > 64 || !keys.revoke(kid)) {
            throw ApiException.notFound("No signing key '" + ApiException.excerpt(kid) + "'");
        }
        audit.record("signing_key.revoke", "signing_key", kid, null, Map.of("kid", kid));
        return ResponseEntity.noContent().build();
    }
}

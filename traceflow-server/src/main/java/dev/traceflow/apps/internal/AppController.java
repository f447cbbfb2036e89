package dev.traceflow.apps.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.access.AppRole;
import dev.traceflow.access.AppScope;
import dev.traceflow.access.Caller;
import dev.traceflow.apps.App;
import dev.traceflow.apps.AppDirectory;
import dev.traceflow.apps.IngestKey;
import dev.traceflow.apps.IngestKeys;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.http.ApiException;
import dev.traceflow.storage.EventWriteQueue;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.support.ServletUriComponentsBuilder;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Apps and their ingest keys (API.md "Auth and people", issue 3). Role checks go through {@link AppAccess}. */
@RestController
@Tag(name = "Apps")
class AppController {

    static final Duration MAX_ROTATION_OVERLAP = Duration.ofDays(30);
    static final Duration DEFAULT_ROTATION_OVERLAP = Duration.ofDays(1);

    private final AppDirectory apps;
    private final AppAccess access;
    private final AuditLog audit;
    private final EventWriteQueue events;
    private final TransactionTemplate tx;
    private final int defaultRetentionDays;
    private final URI publicUrl;

    AppController(AppDirectory apps, AppAccess access, AuditLog audit, EventWriteQueue events, TransactionTemplate tx,
                  dev.traceflow.TraceFlowProperties properties) {
        this.apps = apps;
        this.access = access;
        this.audit = audit;
        this.events = events;
        this.tx = tx;
        this.defaultRetentionDays = properties.retention().defaultDays();
        this.publicUrl = properties.http().publicUrl();
    }

    /**
     * @param role            the caller's role on the app
     * @param sentryProjectId the project number of the app's Sentry DSNs
     */
    record AppView(String id, String name, int retentionDays, Set<String> allowedOrigins, int ingestRateLimit, Instant createdAt,
                   String role,
                   @Schema(description = "The number Sentry SDKs address this app by: the last part of its DSN "
                           + "(https://<ingest key>@<host>/<sentryProjectId>)") long sentryProjectId) {
        static AppView of(App app, AppRole role) {
            return new AppView(app.id(), app.name(), app.retentionDays(), app.allowedOrigins(), app.ingestRateLimit(),
                    app.createdAt(), role.wireName(), app.sentryProjectId());
        }
    }

    record NewApp(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "1-64 of a-z, 0-9, -, _") String id, String name,
                  @Schema(minimum = "1", maximum = "3650") Integer retentionDays, List<String> allowedOrigins,
                  Integer ingestRateLimit) {
    }

    record AppPatch(String name, Integer retentionDays, List<String> allowedOrigins, Integer ingestRateLimit) {
    }

    /** The one answer that carries a key: at creation; with the key's Sentry DSN, since the key is not shown again. */
    record CreatedKey(String id, String appId, String key, String prefix, Instant createdAt,
                      @Schema(description = "The DSN to give a Sentry SDK (`Sentry.init({dsn})`) so it sends this app's events "
                              + "here: http(s)://<key>@<host>/<sentryProjectId>, the host being TRACEFLOW_PUBLIC_URL or else "
                              + "the one this request came to") String dsn) {
    }

    record Rotation(Long overlapSeconds) {
    }

    record Rotated(CreatedKey key, String previousKeyId, Instant previousExpiresAt) {
    }

    @GetMapping("/api/apps")
    @Operation(summary = "Apps you can read, with your role on each", description = "Any logged-in user; admins see every app.",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, List<AppView>> list() {
        Caller caller = access.caller();
        AppScope readable = access.scope(AppPermission.READ);
        List<AppView> items = apps.all().stream().filter(a -> readable.contains(a.id()))
                .map(a -> AppView.of(a, access.roleOf(caller, a.id()).orElse(AppRole.VIEWER))).toList();
        return Map.of("items", items);
    }

    @PostMapping("/api/apps")
    @Operation(summary = "Create an app", description = "Role: admin. `id`: 1-64 of a-z, 0-9, `-`, `_`; `retentionDays` 1-3650 "
            + "(default 90); `allowedOrigins`: browser origins allowed to send events (`*` = any); `ingestRateLimit`: events "
            + "per second the app may send, per server, 0 (default) for none, else 100-10000000; ten seconds' worth may come "
            + "at once, beyond that ingest answers 429 RATE_LIMITED with Retry-After. Create a key next with "
            + "POST /api/apps/{id}/keys. 409 when the id is taken.", security = @SecurityRequirement(name = "BearerAuth"))
    @ResponseStatus(HttpStatus.CREATED)
    ResponseEntity<AppView> create(@RequestBody NewApp body) {
        access.requireAdmin();
        if (body == null || body.id() == null) {
            throw ApiException.invalid("id is required");
        }
        Set<String> origins = origins(body.allowedOrigins());
        int retention = body.retentionDays() == null ? defaultRetentionDays : body.retentionDays();
        int rateLimit = body.ingestRateLimit() == null ? 0 : body.ingestRateLimit();
        String name = body.name() == null ? body.id() : body.name();
        if (apps.find(body.id()).isPresent()) {
            throw new ApiException(HttpStatus.CONFLICT, "CONFLICT", "App '" + body.id() + "' already exists");
        }
        App app = tx.execute(status -> {
            App created = create(body.id(), name, retention, origins, rateLimit);
            audit.record("app.create", "app", created.id(), created.id(), Map.of("name", created.name(),
                    "retentionDays", retention, "allowedOrigins", origins, "ingestRateLimit", rateLimit));
            return created;
        });
        return ResponseEntity.status(HttpStatus.CREATED).body(AppView.of(app, AppRole.OWNER));
    }

    private App create(String id, String name, int retention, Set<String> origins, int rateLimit) {
        try {
            return apps.create(id, name, retention, origins, rateLimit);
        } catch (IllegalArgumentException e) {
            throw e.getMessage().contains("already exists")
                    ? new ApiException(HttpStatus.CONFLICT, "CONFLICT", e.getMessage()) : ApiException.invalid(e.getMessage());
        }
    }

    @GetMapping("/api/apps/{appId}")
    @Operation(summary = "One app", description = "Role: viewer or above on the app (404 otherwise).",
            security = @SecurityRequirement(name = "BearerAuth"))
    AppView get(@PathVariable String appId) {
        AppRole role = access.require(appId, AppPermission.READ);
        return AppView.of(existing(appId), role);
    }

    @PatchMapping("/api/apps/{appId}")
    @Operation(summary = "Change an app's name, retention, allowed origins or ingest rate limit",
            description = "Role: owner. Only the fields given change; `ingestRateLimit` 0 removes the limit.",
            security = @SecurityRequirement(name = "BearerAuth"))
    AppView update(@PathVariable String appId, @RequestBody AppPatch body) {
        AppRole role = access.require(appId, AppPermission.MANAGE);
        existing(appId);
        if (body == null || body.name() == null && body.retentionDays() == null && body.allowedOrigins() == null
                && body.ingestRateLimit() == null) {
            throw ApiException.invalid("nothing to change: give name, retentionDays, allowedOrigins or ingestRateLimit");
        }
        Set<String> origins = body.allowedOrigins() == null ? null : origins(body.allowedOrigins());
        App app = tx.execute(status -> {
            App updated;
            try {
                updated = apps.update(appId, body.name(), body.retentionDays(), origins, body.ingestRateLimit()).orElseThrow(() -> ApiException.noSuchApp(appId));
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid(e.getMessage());
            }
            Map<String, Object> changed = new LinkedHashMap<>();
            if (body.name() != null) {
                changed.put("name", body.name());
            }
            if (body.retentionDays() != null) {
                changed.put("retentionDays", body.retentionDays());
            }
            if (origins != null) {
                changed.put("allowedOrigins", origins);
            }
            if (body.ingestRateLimit() != null) {
                changed.put("ingestRateLimit", body.ingestRateLimit());
            }
            audit.record("app.update", "app", appId, appId, changed);
            return updated;
        });
        return AppView.of(app, role);
    }

    @DeleteMapping("/api/apps/{appId}")
    @Operation(summary = "Delete an app and all its events", description = "Role: owner. Its keys stop working first, then "
            + "its events are deleted from storage, then the app, its keys and memberships. 503 when storage cannot delete "
            + "the events now (the app stays, with its keys revoked; repeat the call).",
            security = @SecurityRequirement(name = "BearerAuth"))
    @ResponseStatus(HttpStatus.NO_CONTENT)
    ResponseEntity<Void> delete(@PathVariable String appId) {
        access.require(appId, AppPermission.MANAGE);
        existing(appId);
        for (IngestKey key : apps.keys(appId)) {
            apps.revokeKey(appId, key.id());
        }
        long deletedEvents;
        try {
            deletedEvents = events.deleteApp(appId).get(5, TimeUnit.MINUTES);
        } catch (ExecutionException | TimeoutException e) {
            throw ApiException.unavailable("STORAGE_UNAVAILABLE", "Storage could not delete the app's events now; its keys are "
                    + "revoked, try the deletion again", 5);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("STORAGE_UNAVAILABLE", "Interrupted", 5);
        }
        tx.executeWithoutResult(status -> {
            apps.delete(appId);
            audit.record("app.delete", "app", appId, appId, Map.of("deletedEvents", deletedEvents));
        });
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/api/apps/{appId}/keys")
    @Operation(summary = "The app's ingest keys (prefix and dates; never the key)", description = "Role: owner.",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, List<IngestKey>> keys(@PathVariable String appId) {
        access.require(appId, AppPermission.MANAGE);
        existing(appId);
        return Map.of("items", apps.keys(appId));
    }

    @PostMapping("/api/apps/{appId}/keys")
    @Operation(summary = "Create an ingest key", description = "Role: owner. The answer is the only time the key is shown; "
            + "TraceFlow keeps its SHA-256 only. `dsn` is the same key as a Sentry DSN, for apps that send with a Sentry SDK "
            + "(README \"Use the Sentry SDK\").", security = @SecurityRequirement(name = "BearerAuth"))
    @ResponseStatus(HttpStatus.CREATED)
    ResponseEntity<CreatedKey> createKey(@PathVariable String appId) {
        access.require(appId, AppPermission.MANAGE);
        existing(appId);
        CreatedKey key = tx.execute(status -> newKey(appId));
        return ResponseEntity.status(HttpStatus.CREATED).body(key);
    }

    private CreatedKey newKey(String appId) {
        String key = IngestKeys.generate();
        String id = apps.addKey(appId, key);
        audit.record("key.create", "ingest_key", id, appId, Map.of("keyPrefix", IngestKeys.displayPrefix(key)));
        return new CreatedKey(id, appId, key, IngestKeys.displayPrefix(key), Instant.now(), existing(appId).sentryDsn(key, publicUrl()));
    }

    /** TRACEFLOW_PUBLIC_URL, else the scheme, host and port this request came to (the scheme as a trusted proxy says). */
    private URI publicUrl() {
        return publicUrl != null ? publicUrl : ServletUriComponentsBuilder.fromCurrentContextPath().build().toUri();
    }

    @DeleteMapping("/api/apps/{appId}/keys/{keyId}")
    @Operation(summary = "Revoke an ingest key now", description = "Role: owner. Takes effect at once on this instance, within "
            + AppDirectory.KEY_CACHE_SECONDS + " s on others.", security = @SecurityRequirement(name = "BearerAuth"))
    @ResponseStatus(HttpStatus.NO_CONTENT)
    ResponseEntity<Void> revokeKey(@PathVariable String appId, @PathVariable String keyId) {
        access.require(appId, AppPermission.MANAGE);
        existing(appId);
        tx.executeWithoutResult(status -> {
            if (!apps.revokeKey(appId, keyId)) {
                throw ApiException.notFound("No active key '" + ApiException.excerpt(keyId) + "' on app '" + appId + "'");
            }
            audit.record("key.revoke", "ingest_key", keyId, appId, Map.of());
        });
        return ResponseEntity.noContent().build();
    }

    @PostMapping("/api/apps/{appId}/keys/{keyId}/rotate")
    @Operation(summary = "Rotate an ingest key with overlap",
            description = "Role: owner. Creates a new key (shown once) and lets the old one work for `overlapSeconds` more "
                    + "(default 86400, at most 30 days; 0 ends it now), time to deploy the new key.",
            security = @SecurityRequirement(name = "BearerAuth"))
    @ResponseStatus(HttpStatus.CREATED)
    ResponseEntity<Rotated> rotateKey(@PathVariable String appId, @PathVariable String keyId,
                                      @RequestBody(required = false) Rotation body) {
        access.require(appId, AppPermission.MANAGE);
        existing(appId);
        Duration overlap = body == null || body.overlapSeconds() == null ? DEFAULT_ROTATION_OVERLAP : Duration.ofSeconds(body.overlapSeconds());
        if (overlap.isNegative() || overlap.compareTo(MAX_ROTATION_OVERLAP) > 0) {
            throw ApiException.invalid("overlapSeconds must be between 0 and " + MAX_ROTATION_OVERLAP.toSeconds());
        }
        Instant oldExpires = Instant.now().plus(overlap);
        Rotated rotated = tx.execute(status -> {
            if (!apps.expireKey(appId, keyId, oldExpires)) {
                throw ApiException.notFound("No active key '" + ApiException.excerpt(keyId) + "' on app '" + appId + "'");
            }
            CreatedKey created = newKey(appId);
            audit.record("key.rotate", "ingest_key", keyId, appId,
                    Map.of("newKeyId", created.id(), "overlapSeconds", overlap.toSeconds()));
            return new Rotated(created, keyId, oldExpires);
        });
        return ResponseEntity.status(HttpStatus.CREATED).body(rotated);
    }

    private App existing(String appId) {
        return apps.find(appId).orElseThrow(() -> ApiException.noSuchApp(appId));
    }

    private static Set<String> origins(List<String> given) {
        if (given == null) {
            return Set.of();
        }
        if (given.contains(null)) {
            throw ApiException.invalid("allowedOrigins must not contain null");
        }
        return new LinkedHashSet<>(given.stream().map(String::strip).toList());
    }
}

package dev.traceflow.privacy;

import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.apps.AppDirectory;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.http.ApiException;
import dev.traceflow.storage.EventWriteQueue;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Opt-outs and privacy signals: {@code /api/apps/{appId}/opt-outs}, {@code /api/apps/{appId}/privacy}. Owners only. */
@RestController
@Tag(name = "Privacy")
class PrivacyController {

    private static final int MAX_ID_LENGTH = 200;

    private final PrivacyRules rules;
    private final AppAccess access;
    private final AppDirectory apps;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final EventWriteQueue queue;
    private final Clock clock;

    PrivacyController(PrivacyRules rules, AppAccess access, AppDirectory apps, AuditLog audit, TransactionTemplate tx,
                      EventWriteQueue queue, Clock clock) {
        this.rules = rules;
        this.access = access;
        this.apps = apps;
        this.audit = audit;
        this.tx = tx;
        this.queue = queue;
        this.clock = clock;
    }

    @PostMapping("/api/apps/{appId}/opt-outs")
    @Operation(summary = "Opt a person out of tracking: delete their events and drop their future ones",
            description = "Role: owner. Body: exactly one of `{\"userId\": \"...\"}` or `{\"anonymousId\": \"...\"}` (1-200 "
                    + "characters). Records the opt-out first, so that events arriving from now on are dropped (outcome "
                    + "`opted_out`), then deletes every stored event of the app whose `userId` (or `anonymousId`) is that id, "
                    + "including events acknowledged just before. Answers 201 `{appId, kind, deletedEvents, alreadyOptedOut}`; "
                    + "repeating it is harmless (deletes whatever arrived in between). The id itself is not stored, only its "
                    + "SHA-256 hash; the audit row does not name it either. Events still inside the ingest journal's files are "
                    + "removed from disk when the journal segment is, within the journal's retention.",
            security = @SecurityRequirement(name = "BearerAuth"))
    @ResponseStatus(HttpStatus.CREATED)
    ResponseEntity<Map<String, Object>> optOut(@PathVariable String appId, @RequestBody(required = false) Map<String, Object> body) {
        access.require(appId, AppPermission.MANAGE);
        existing(appId);
        if (body == null) {
            throw ApiException.malformed("the body must be {\"userId\": \"...\"} or {\"anonymousId\": \"...\"}");
        }
        for (String field : body.keySet()) {
            if (!Set.of("userId", "anonymousId").contains(field)) {
                throw ApiException.malformed("unknown field '" + ApiException.excerpt(field) + "'; the body takes userId or anonymousId");
            }
        }
        if (body.size() != 1) {
            throw ApiException.invalid("give exactly one of userId or anonymousId");
        }
        PrivacyRules.IdKind kind = body.containsKey("userId") ? PrivacyRules.IdKind.USER_ID : PrivacyRules.IdKind.ANONYMOUS_ID;
        if (!(body.get(kind.wireName) instanceof String id) || id.isBlank() || id.length() > MAX_ID_LENGTH) {
            throw ApiException.invalid(kind.wireName + " must be a string of 1-" + MAX_ID_LENGTH + " characters");
        }
        Instant now = clock.instant();
        boolean added = Boolean.TRUE.equals(tx.execute(status -> {
            boolean fresh = rules.addOptOut(appId, kind, id, now);
            audit.record("privacy.opt-out", "opt-out", kind.wireName, appId, Map.of("kind", kind.wireName, "new", fresh));
            return fresh;
        }));
        long deleted = deleteEvents(appId, kind, id);
        rules.recordDeleted(appId, kind, id, deleted);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("appId", appId);
        answer.put("kind", kind.wireName);
        answer.put("deletedEvents", deleted);
        answer.put("alreadyOptedOut", !added);
        return ResponseEntity.status(HttpStatus.CREATED).body(answer);
    }

    private long deleteEvents(String appId, PrivacyRules.IdKind kind, String id) {
        String userId = kind == PrivacyRules.IdKind.USER_ID ? id : null;
        String anonymousId = kind == PrivacyRules.IdKind.ANONYMOUS_ID ? id : null;
        try {
            return queue.deleteUser(appId, userId, anonymousId).get(Duration.ofMinutes(2).toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            throw ApiException.unavailable("STORAGE_UNAVAILABLE", "the opt-out is recorded and future events are dropped, but "
                    + "deleting the stored events did not finish; repeat the request to finish it", 30);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("SHUTTING_DOWN", "the server is stopping; repeat the request", 5);
        }
    }

    @GetMapping("/api/apps/{appId}/privacy")
    @Operation(summary = "The app's privacy settings",
            description = "Role: owner. `{appId, honorPrivacySignals, optOuts}`: whether events from browsers sending Do Not "
                    + "Track or Global Privacy Control are dropped, and how many people opted out.",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> settings(@PathVariable String appId) {
        access.require(appId, AppPermission.MANAGE);
        existing(appId);
        return view(appId);
    }

    @PutMapping("/api/apps/{appId}/privacy")
    @Operation(summary = "Honour Do Not Track and Global Privacy Control, or not",
            description = "Role: owner. Body `{\"honorPrivacySignals\": true|false}` (default false). When true, every event of "
                    + "an ingest request carrying `DNT: 1` or `Sec-GPC: 1` is dropped and counted as `opted_out`. Audited.",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> update(@PathVariable String appId, @RequestBody(required = false) Map<String, Object> body) {
        access.require(appId, AppPermission.MANAGE);
        existing(appId);
        if (body == null || body.size() != 1 || !(body.get("honorPrivacySignals") instanceof Boolean honor)) {
            throw ApiException.malformed("the body must be {\"honorPrivacySignals\": true|false}");
        }
        tx.executeWithoutResult(status -> {
            rules.setHonorPrivacySignals(appId, honor);
            audit.record("privacy.update", "app", appId, appId, Map.of("honorPrivacySignals", honor));
        });
        return view(appId);
    }

    private Map<String, Object> view(String appId) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("appId", appId);
        answer.put("honorPrivacySignals", rules.of(appId).honorPrivacySignals());
        answer.put("optOuts", rules.optOutCount(appId));
        return answer;
    }

    private void existing(String appId) {
        if (apps.find(appId).isEmpty()) {
            throw ApiException.noSuchApp(appId);
        }
    }
}

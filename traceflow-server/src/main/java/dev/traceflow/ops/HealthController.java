package dev.traceflow.ops;

import dev.traceflow.core.storage.EventStorage;
import dev.traceflow.storage.EventWriteQueue;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Liveness ({@code /healthz}: the process answers) and readiness ({@code /health}: each
 * dependency answers now). {@code /health} is 503 when any dependency is down, so a load
 * balancer stops sending traffic; reasons name the dependency, never a credential.
 */
@RestController
@Tag(name = "Operations")
class HealthController {

    private final EventStorage storage;
    private final EventWriteQueue queue;
    private final JdbcClient metadata;
    private final ObjectProvider<ReadinessCheck> more;

    HealthController(EventStorage storage, EventWriteQueue queue, JdbcClient metadata, ObjectProvider<ReadinessCheck> more) {
        this.storage = storage;
        this.queue = queue;
        this.metadata = metadata;
        this.more = more;
    }

    @Operation(summary = "Liveness: 200 {\"status\":\"ok\"} while the process runs")
    @GetMapping("/healthz")
    Map<String, String> healthz() {
        return Map.of("status", "ok");
    }

    @Operation(summary = "Readiness: each dependency (storage, metadata database, Redis when the realtime gateway is shared through it) and the build queue (queued, running, oldestQueuedSeconds); 503 when one is down")
    @GetMapping("/health")
    ResponseEntity<Map<String, Object>> health() {
        Map<String, Object> components = new LinkedHashMap<>();
        boolean up = check(components, "storage", storage.name(), () -> {
            storage.check();
            if (queue.loadError() != null) {
                // answering reads but refusing writes: acknowledged events wait in the journal
                throw new StoreNotLoadingException();
            }
        });
        up &= check(components, "metadata", "jdbc", () -> metadata.sql("SELECT 1").query(Integer.class).single());
        // what features add: the build queue (its counts, in the metadata database), Redis when realtime shares it
        for (ReadinessCheck check : more.orderedStream().toList()) {
            Map<String, Object> status = new LinkedHashMap<>();
            up &= check(components, check.name(), check.backend(), () -> status.putAll(check.status()));
            @SuppressWarnings("unchecked")
            Map<String, Object> component = (Map<String, Object>) components.get(check.name());
            component.putAll(status);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", up ? "ok" : "down");
        body.put("components", components);
        return ResponseEntity.status(up ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE).body(body);
    }

    /** Its simple name is the reason /health shows. */
    private static final class StoreNotLoadingException extends RuntimeException {
        StoreNotLoadingException() {
            super(null, null, false, false);
        }
    }

    private static boolean check(Map<String, Object> into, String name, String backend, Runnable probe) {
        long start = System.nanoTime();
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("backend", backend);
        try {
            probe.run();
            c.put("status", "ok");
        } catch (RuntimeException e) {
            c.put("status", "down");
            c.put("reason", e.getClass().getSimpleName());
        }
        c.put("latencyMs", (System.nanoTime() - start) / 1_000_000.0);
        into.put(name, c);
        return "ok".equals(c.get("status"));
    }
}

package dev.traceflow.ingest;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.http.IngestPaths;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.util.List;

/**
 * The benchmark's ceiling: authenticates, reads and parses a batch into events exactly as
 * {@code /api/collect/batch} does (the events that fail its checks are rejected by index), then
 * answers the same way without processing or storing the events. Off unless
 * {@code traceflow.benchmark.noop-endpoint=true}; never enable it in production (it accepts events
 * it drops).
 */
@RestController
@Hidden
@ConditionalOnProperty(name = "traceflow.benchmark.noop-endpoint", havingValue = "true")
class NoopIngestController {

    private final IngestAuth auth;
    private final IngestByteBudget budget;
    private final RequestBodies bodies;
    private final IngestJson json;
    private final Clock clock;

    NoopIngestController(IngestAuth auth, IngestByteBudget budget, TraceFlowProperties properties, Clock clock) {
        this.auth = auth;
        this.budget = budget;
        this.bodies = RequestBodies.of(properties.ingest());
        this.json = new IngestJson(properties.ingest().maxEvents(), properties.ingest().maxEventBytes());
        this.clock = clock;
    }

    @PostMapping(path = IngestPaths.BENCH_NOOP, consumes = {MediaType.APPLICATION_JSON_VALUE, MediaType.TEXT_PLAIN_VALUE},
            produces = MediaType.APPLICATION_JSON_VALUE)
    void noop(HttpServletRequest request, HttpServletResponse response) {
        auth.authenticate(request);
        ParsedEvents parsed;
        try (IngestByteBudget.Lease lease = budget.lease()) {
            byte[] body = bodies.read(request, lease);
            lease.takeForEvents(body.length);
            parsed = json.readCollect(body, false, request.getHeader("User-Agent"), clock.millis());
        }
        // parse drops come in index order, as Ingestion sorts its answer's errors
        List<IngestResponse.Error> errors = parsed.drops().stream()
                .map(d -> new IngestResponse.Error(d.index(), d.code(), d.message()))
                .toList();
        IngestReplies.accepted(response, new IngestResponse(parsed.events().size(), errors.size(), errors));
    }
}

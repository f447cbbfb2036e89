package dev.traceflow.ingest;

import dev.traceflow.http.IngestPaths;
import dev.traceflow.TraceFlowProperties;
import dev.traceflow.core.pipeline.Drop;
import io.swagger.v3.oas.annotations.Hidden;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

import java.util.ArrayList;
import java.util.List;

/**
 * The benchmark's ceiling: authenticates, reads and parses a batch exactly as
 * {@code /api/collect/batch} does, then answers (the same way) without processing or storing. Off unless
 * {@code traceflow.benchmark.noop-endpoint=true}; never enable it in production (it accepts
 * events it drops).
 */
@RestController
@Hidden
@ConditionalOnProperty(name = "traceflow.benchmark.noop-endpoint", havingValue = "true")
class NoopIngestController {

    private final IngestAuth auth;
    private final RequestBodies bodies;
    private final IngestJson json;

    NoopIngestController(IngestAuth auth, TraceFlowProperties properties) {
        this.auth = auth;
        this.bodies = new RequestBodies(properties.ingest().maxCompressedBytes(), properties.ingest().maxDecompressedBytes());
        this.json = new IngestJson(properties.ingest().maxEvents(), properties.ingest().maxEventBytes());
    }

    @PostMapping(path = IngestPaths.BENCH_NOOP, consumes = {MediaType.APPLICATION_JSON_VALUE, MediaType.TEXT_PLAIN_VALUE},
            produces = MediaType.APPLICATION_JSON_VALUE)
    void noop(HttpServletRequest request, HttpServletResponse response) {
        auth.authenticate(request);
        byte[] body = bodies.read(request);
        List<Drop> drops = new ArrayList<>();
        int[] parsed = new int[1];
        json.readBatch(body, (event, index, size) -> parsed[0]++, drops, null);
        IngestReplies.accepted(response, new IngestResponse(parsed[0], drops.size(), List.of()));
    }
}

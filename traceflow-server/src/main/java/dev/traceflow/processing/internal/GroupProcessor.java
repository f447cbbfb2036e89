package dev.traceflow.processing.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.traceflow.core.event.EventDetails.ErrorDetails;
import dev.traceflow.core.pipeline.EventBatch;
import dev.traceflow.core.pipeline.EventProcessor;
import dev.traceflow.processing.grouping.ErrorFingerprinter;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * Gives every error event its group key (API.md "Error groups"), see {@link ErrorFingerprinter}.
 * The same error arrives thousands of times with the same type, message and stack, and
 * fingerprinting (stack parsing, normalisation, SHA-256) costs tens of microseconds, so results
 * are cached by those inputs.
 */
@Component
class GroupProcessor implements EventProcessor {

    private final Cache<ErrorKey, String> fingerprints = Caffeine.newBuilder().maximumSize(10_000).build();

    private record ErrorKey(String errorType, String message, String stack, List<String> clientFingerprint) {
    }

    @Override
    public String name() {
        return "group";
    }

    @Override
    public void process(EventBatch batch) {
        batch.forEachLive((position, e) -> {
            if (e.details() instanceof ErrorDetails error) {
                ErrorKey key = new ErrorKey(error.errorType(), error.message(), error.stack(), error.fingerprint());
                e.fingerprint(fingerprints.get(key, k -> ErrorFingerprinter.fingerprint(k.errorType(), k.message(), k.stack(),
                        k.clientFingerprint())));
            }
        });
    }
}

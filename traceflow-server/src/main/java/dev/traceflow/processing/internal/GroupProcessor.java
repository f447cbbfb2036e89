package dev.traceflow.processing.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails.ErrorDetails;
import dev.traceflow.core.pipeline.EventBatch;
import dev.traceflow.core.pipeline.EventProcessor;
import dev.traceflow.processing.grouping.ErrorFingerprinter;
import org.springframework.stereotype.Component;

/** Gives every error event its group key (API.md "Error groups"), see {@link ErrorFingerprinter}. */
@Component
class GroupProcessor implements EventProcessor {

    @Override
    public String name() {
        return "group";
    }

    @Override
    public void process(EventBatch batch) {
        for (int i = 0; i < batch.size(); i++) {
            if (batch.isLive(i) && batch.get(i).details() instanceof ErrorDetails error) {
                Event e = batch.get(i);
                e.fingerprint(ErrorFingerprinter.fingerprint(error.errorType(), error.message(), error.stack(), error.fingerprint()));
            }
        }
    }
}

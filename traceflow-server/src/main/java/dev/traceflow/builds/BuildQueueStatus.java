package dev.traceflow.builds;

import java.util.Map;

/** What {@code /health} shows of the build queue: {@code queued}, {@code running}, {@code oldestQueuedSeconds}. */
public interface BuildQueueStatus {

    /** Read now from the metadata database. @throws RuntimeException when it cannot be read */
    Map<String, Object> status();
}

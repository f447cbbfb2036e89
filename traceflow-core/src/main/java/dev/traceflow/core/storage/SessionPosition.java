package dev.traceflow.core.storage;

import java.util.Objects;

/**
 * Where a page of sessions (newest first) stopped: the last session's start and id. The next page
 * holds the sessions that sort after it, that is those that start earlier, or at the same time with
 * a smaller id.
 *
 * @param start the session's start, epoch ms
 * @param id    the session's id
 */
public record SessionPosition(long start, String id) {

    public SessionPosition {
        Objects.requireNonNull(id, "id");
    }

    /** Whether a session with this start and id comes after this position in newest-first order. */
    public boolean precedes(long otherStart, String otherId) {
        return otherStart < start || (otherStart == start && otherId.compareTo(id) < 0);
    }
}

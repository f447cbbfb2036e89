package dev.traceflow.builds.internal.run;

import java.util.List;

/**
 * Lines after a cursor, in cursor order.
 *
 * @param next   the cursor to ask after next time: the last line's, or the one asked after when there is none
 * @param done   the build ended and nothing follows {@code next}: no line will ever come after it
 * @param status the build's final status when it ended, else null
 */
public record LogPage(List<StoredLine> lines, long next, boolean done, String status) {
}

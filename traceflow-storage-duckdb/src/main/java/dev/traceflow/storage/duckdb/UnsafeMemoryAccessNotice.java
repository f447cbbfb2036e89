package dev.traceflow.storage.duckdb;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.reflect.Field;

/**
 * Arrow's memory module (the loader's Arrow import) calls {@code sun.misc.Unsafe}'s memory-access
 * methods, which JDK 24+ deprecate for removal. Such a JDK then writes a four-line warning to the
 * process's initial standard error at the first call: raw lines among the server's JSON log lines,
 * which a plain {@code java -jar} cannot silence (the option that does, {@code
 * --sun-misc-unsafe-memory-access=allow}, has no manifest attribute). So before Arrow's first call
 * this marks the JDK's once-only warning as given and logs the same notice once as a JSON line.
 * Where the JDK's field is not there (older or newer JDKs), nothing is changed and the JDK warns as
 * it would have.
 */
final class UnsafeMemoryAccessNotice {

    private static final Logger log = LoggerFactory.getLogger(UnsafeMemoryAccessNotice.class);
    /** The JDK's flag for "the first-use warning was printed" ({@code sun.misc.Unsafe}, JDK 24+). */
    static final String WARNED_FIELD = "memoryAccessWarned";

    private static volatile boolean done;

    private UnsafeMemoryAccessNotice() {
    }

    /** Logs the notice instead of the JDK's raw warning; once per process. */
    static synchronized void logOnce() {
        if (done) {
            return;
        }
        done = true;
        if (Runtime.version().feature() < 24) {
            return;
        }
        try {
            Field warned = Class.forName("sun.misc.Unsafe").getDeclaredField(WARNED_FIELD);
            warned.setAccessible(true);
            if (warned.getBoolean(null)) {
                return;   // some other library's call was first: the JDK has warned already
            }
            warned.setBoolean(null, true);
            log.warn("Arrow (the DuckDB loader's import) uses sun.misc.Unsafe's memory-access methods, which this JDK "
                    + "deprecates for removal; a JDK that removes them needs a newer Arrow. The JDK's own warning is "
                    + "given here instead of as raw lines on standard error.");
        } catch (ReflectiveOperationException | RuntimeException e) {
            log.debug("could not take over the JDK's sun.misc.Unsafe warning ({}): it prints its own", e.toString());
        }
    }
}

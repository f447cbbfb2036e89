package dev.traceflow.storage.duckdb;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether DuckDB's bundled allocator got the options TraceFlow's answers need. On Linux x86_64
 * DuckDB allocates through its own jemalloc, which gives freed memory back to the kernel after
 * DuckDB's decay of one second; each answer after other answers then faults its working memory in
 * again (README, "Query benchmark", twentieth session, has the figures). jemalloc reads its
 * options from {@value #VARIABLE} once, when the library loads, so the server cannot set them for
 * itself: {@code ./traceflow} exports them, and a server started another way ({@code java -jar}, a
 * container) must. This says so at start instead of leaving slow answers unexplained.
 */
final class DuckDbAllocatorCheck {

    /** The variable DuckDB's jemalloc reads its options from (jemalloc's {@code MALLOC_CONF}, prefixed). */
    static final String VARIABLE = "DUCKDB_JE_MALLOC_CONF";
    /** What {@code ./traceflow} sets. */
    static final String RECOMMENDED = "dirty_decay_ms:30000,muzzy_decay_ms:30000";

    private DuckDbAllocatorCheck() {
    }

    /**
     * The warning to log, if any: none where DuckDB ships without jemalloc (every platform but
     * Linux x86_64), none when the variable is set, whatever it says (an operator's choice).
     */
    static Optional<String> warning(String osName, String osArch, String value) {
        boolean jemalloc = osName.toLowerCase(Locale.ROOT).startsWith("linux")
                && (osArch.equals("amd64") || osArch.equals("x86_64"));
        if (!jemalloc || (value != null && !value.isBlank())) {
            return Optional.empty();
        }
        return Optional.of(VARIABLE + " is not set: DuckDB's allocator gives freed memory back to the kernel after one "
                + "second, so an answer after other answers faults its memory in again (slower answers, more system CPU). "
                + "./traceflow sets " + VARIABLE + "=" + RECOMMENDED + "; set it in the environment of a server started "
                + "another way (README, \"Configuration\").");
    }

    /** {@link #warning(String, String, String)} for this process. */
    static Optional<String> warning() {
        return warning(System.getProperty("os.name", ""), System.getProperty("os.arch", ""), System.getenv(VARIABLE));
    }
}

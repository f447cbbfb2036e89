package dev.traceflow.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

import java.lang.management.ManagementFactory;
import java.util.OptionalLong;

/**
 * Warns at start when the process may open fewer files than the web server may hold connections
 * ({@code server.tomcat.max-connections}): past the open-file limit, accepting fails with "too many
 * open files" and every new page, ingest request and realtime client is refused, with nothing in
 * TraceFlow's own limits to say why. Raising {@code ulimit -n} (or systemd's {@code LimitNOFILE}) is
 * the operator's fix, so the message names it.
 */
@Component
class ConnectionCapacity {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionCapacity.class);
    /** files the server needs besides connections: jars, DuckDB and H2 files, the journal, logs */
    static final int FILES_BESIDES_CONNECTIONS = 512;

    private final int maxConnections;

    ConnectionCapacity(@Value("${server.tomcat.max-connections:8192}") int maxConnections) {
        this.maxConnections = maxConnections;
    }

    @EventListener(ApplicationReadyEvent.class)
    void check() {
        shortfall(openFileLimit()).ifPresent(limit -> LOG.atWarn()
                .addKeyValue("openFileLimit", limit).addKeyValue("maxConnections", maxConnections)
                .log("The process may open " + limit + " files, fewer than the " + maxConnections
                        + " connections the web server may hold plus " + FILES_BESIDES_CONNECTIONS
                        + " for its own files: raise the limit (ulimit -n, or LimitNOFILE under systemd)"));
    }

    /** The limit when it is too low for {@link #maxConnections}; empty when it is enough or unknown. */
    OptionalLong shortfall(OptionalLong openFileLimit) {
        if (openFileLimit.isPresent() && openFileLimit.getAsLong() < (long) maxConnections + FILES_BESIDES_CONNECTIONS) {
            return openFileLimit;
        }
        return OptionalLong.empty();
    }

    private static OptionalLong openFileLimit() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            return OptionalLong.of(unix.getMaxFileDescriptorCount());
        }
        return OptionalLong.empty();
    }
}

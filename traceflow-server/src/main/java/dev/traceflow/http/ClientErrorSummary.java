package dev.traceflow.http;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * Client errors (4xx) are the client's business: each one is a DEBUG line, and once a minute one
 * INFO line counts them by status and code, so a client stuck on a revoked key shows up without
 * flooding the log. Counting is lock-free; the counts are process-wide because error answers are
 * written from places outside Spring's reach too (Tomcat's valve, security filters).
 */
@Component
public class ClientErrorSummary {

    private static final Logger log = LoggerFactory.getLogger(ClientErrorSummary.class);
    private static final Map<String, LongAdder> COUNTS = new ConcurrentHashMap<>();

    static void count(int status, String code) {
        COUNTS.computeIfAbsent(status + " " + code, k -> new LongAdder()).increment();
    }

    /**
     * The counts since the last call, as {@code 401 INVALID_KEY x80, 404 NOT_FOUND x3} (by status,
     * then code), or null when there were none; resets them.
     */
    static String drain() {
        Map<String, Long> taken = new TreeMap<>();
        COUNTS.forEach((key, adder) -> {
            long n = adder.sumThenReset();
            if (n > 0) {
                taken.put(key, n);
            }
        });
        if (taken.isEmpty()) {
            return null;
        }
        return taken.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", "));
    }

    @Scheduled(fixedRateString = "${traceflow.http.client-error-summary-interval:1m}", initialDelayString = "${traceflow.http.client-error-summary-interval:1m}")
    void summarise() {
        String summary = drain();
        if (summary != null) {
            log.info("Client errors answered since the last summary: {} (each is logged at DEBUG by dev.traceflow.http)", summary);
        }
    }
}

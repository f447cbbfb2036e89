package dev.traceflow;

import dev.traceflow.auth.PasswordRules;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * All of TraceFlow's own settings ({@code traceflow.*}); defaults are in application.yml and
 * here, so the embedded default needs none.
 */
@ConfigurationProperties("traceflow")
public record TraceFlowProperties(
        @DefaultValue("./data") Path dataDir,
        @DefaultValue Bootstrap bootstrap,
        @DefaultValue Storage storage,
        @DefaultValue Ingest ingest,
        @DefaultValue Pipeline pipeline,
        @DefaultValue Sampling sampling,
        @DefaultValue Retention retention,
        @DefaultValue Benchmark benchmark,
        @DefaultValue Auth auth,
        @DefaultValue Http http) {

    /**
     * The HTTP server's view of its clients.
     *
     * @param trustedProxies CIDR blocks of the reverse proxies whose {@code X-Forwarded-For} and
     *                       {@code X-Forwarded-Proto} are believed ({@code TRACEFLOW_TRUSTED_PROXIES},
     *                       comma-separated); none by default, so the client is the TCP peer
     * @param publicUrl      where SDKs reach this server ({@code TRACEFLOW_PUBLIC_URL}, e.g.
     *                       {@code https://traceflow.example.com}); the Sentry DSNs of new ingest keys are
     *                       built from it. Empty (the default): from the URL the key's creation request came to
     */
    public record Http(@DefaultValue List<String> trustedProxies, URI publicUrl) {

        public Http {
            if (publicUrl != null && publicUrl.toString().isEmpty()) {
                publicUrl = null;
            }
            if (publicUrl != null && (publicUrl.getHost() == null || publicUrl.getRawQuery() != null
                    || !("http".equals(publicUrl.getScheme()) || "https".equals(publicUrl.getScheme())))) {
                throw new IllegalArgumentException("TRACEFLOW_PUBLIC_URL must be an http(s) URL without query, "
                        + "e.g. https://traceflow.example.com");
            }
        }
    }

    /**
     * @param ingestKey     the demo app's ingest key on first start; generated and logged once when empty
     * @param adminPassword the {@code admin} user's password on first start; generated and logged once when empty
     */
    public record Bootstrap(String ingestKey, String adminPassword) {

        /**
         * Checked when the settings are read, before any bean writes: a failed first start must not
         * leave a demo app behind with a key the next start would keep.
         */
        public Bootstrap {
            if (adminPassword != null && !adminPassword.isBlank()) {
                String problem = PasswordRules.problem("TRACEFLOW_BOOTSTRAP_ADMIN_PASSWORD", adminPassword);
                if (problem != null) {
                    throw new IllegalArgumentException(problem);
                }
            }
        }
    }

    /**
     * People and access tokens.
     *
     * @param issuer                 JWT {@code iss} written and required
     * @param audience               JWT {@code aud} written and required
     * @param accessTokenTtl         lifetime of an access token
     * @param refreshTokenTtl        lifetime of a refresh token; each rotation starts a new one (the idle window)
     * @param refreshTokenMaxLifetime how long one login's refresh tokens keep rotating, however active it is;
     *                               then the user logs in again
     * @param clockSkew              tolerance on {@code exp}, {@code nbf} and {@code iat}
     * @param signingKeyRotation     a signing key older than this is replaced by a new one (checked hourly)
     * @param signingKeyReload       how often each instance re-reads the signing keys, so keys made, retired or
     *                               revoked by another instance reach it
     * @param masterKey              base64 of 32 bytes that encrypts signing keys at rest; when empty, a key
     *                               is generated once into {@code masterKeyFile}
     * @param masterKeyFile          where the generated master key lives (owner-only permissions)
     * @param loginAttemptsPerIp     login attempts one client IP may make per {@code loginIpWindow}
     * @param loginIpWindow          window of the per-IP login limit
     * @param loginFailuresPerAccount failed logins one username may take per {@code loginAccountWindow},
     *                               whatever the IPs
     * @param loginAccountWindow     window of the per-account limit
     * @param corsAllowedOrigins     origins whose pages may call the read / admin API with credentials;
     *                               {@code *} allows any origin but then never with credentials
     * @param bcryptStrength         log2 of bcrypt rounds for new password hashes
     * @param metricsToken           bearer credential (16+ characters) a Prometheus server scrapes
     *                               {@code /actuator/prometheus} with; none by default (an admin's token then)
     */
    public record Auth(@DefaultValue("traceflow") String issuer,
                       @DefaultValue("traceflow-api") String audience,
                       @DefaultValue("15m") Duration accessTokenTtl,
                       @DefaultValue("30d") Duration refreshTokenTtl,
                       @DefaultValue("90d") Duration refreshTokenMaxLifetime,
                       @DefaultValue("30s") Duration clockSkew,
                       @DefaultValue("30d") Duration signingKeyRotation,
                       @DefaultValue("1m") Duration signingKeyReload,
                       String masterKey,
                       @DefaultValue("./data/master.key") Path masterKeyFile,
                       @DefaultValue("30") int loginAttemptsPerIp,
                       @DefaultValue("1m") Duration loginIpWindow,
                       @DefaultValue("10") int loginFailuresPerAccount,
                       @DefaultValue("15m") Duration loginAccountWindow,
                       @DefaultValue List<String> corsAllowedOrigins,
                       @DefaultValue("10") int bcryptStrength,
                       String metricsToken) {
    }

    /**
     * Event storage in general; each backend owns its own settings (DuckDB's are
     * {@code traceflow.storage.duckdb.*}, in its module). The backend is chosen by
     * {@code traceflow.storage.type}, read by the backends' auto-configurations (DuckDB when unset).
     */
    public record Storage(@DefaultValue Journal journal, @DefaultValue Queue queue) {
    }

    /**
     * The ingest journal in front of the event store (see README "How events are stored").
     *
     * @param dir          folder of the journal's segment files; {@code <data-dir>/journal} when unset
     * @param segmentBytes size at which a new segment file starts; loaded segments are deleted
     * @param loadLinger   how long the loader waits to gather a bigger transaction when few events
     *                     are waiting; also about how long an event takes to become visible to reads
     * @param loadMaxDelay how long the loader waits to fill a batch of the backend's size (DuckDB: a
     *                     row group) when events arrive fast enough to fill one in that time; the
     *                     longest an event waits before reads see it (reads that call awaitStored do
     *                     not wait: they make the loader load at once)
     */
    public record Journal(Path dir,
                          @DefaultValue("67108864") long segmentBytes,
                          @DefaultValue("100ms") Duration loadLinger,
                          @DefaultValue("1s") Duration loadMaxDelay) {
    }

    /**
     * The bounded queue between ingest and the event store.
     *
     * @param capacityEvents events accepted but not yet in the event store before requests get 503
     *                       (was {@code traceflow.ingest.queue-capacity-events})
     * @param maxLoadEvents  most events the loader stores in one transaction (was
     *                       {@code traceflow.ingest.group-commit-max-events})
     */
    public record Queue(@DefaultValue("400000") int capacityEvents,
                        @DefaultValue("200000") int maxLoadEvents) {
    }

    /**
     * Ingest limits.
     *
     * @param commitTimeout        how long a request waits for the journal before answering 503
     * @param admissionWait        how long a request waits, before its body is read, while the queue is
     *                             more than half full; then 503 OVERLOADED
     * @param maxBufferedBytes     bytes all ingest requests together may hold in memory (bodies as read and
     *                             decoded, until their events are handed off); past it, 503 OVERLOADED.
     *                             0 (the default): an eighth of the heap, see {@link #bufferedBytesLimit()}
     * @param bodyTimeout          the longest a request body may take to arrive; then 408 BODY_TIMEOUT
     */
    public record Ingest(@DefaultValue("1048576") long maxCompressedBytes,
                         @DefaultValue("10485760") long maxDecompressedBytes,
                         @DefaultValue("1000") int maxEvents,
                         @DefaultValue("65536") int maxEventBytes,
                         @DefaultValue("1d") Duration maxFutureSkew,
                         @DefaultValue("30d") Duration maxPastAge,
                         @DefaultValue("8") int maxPropertyDepth,
                         @DefaultValue("30s") Duration commitTimeout,
                         @DefaultValue("2s") Duration admissionWait,
                         @DefaultValue("1") int retryAfterSeconds,
                         @DefaultValue("0") long maxBufferedBytes,
                         @DefaultValue("10s") Duration bodyTimeout,
                         @DefaultValue("1048576") int sentryMaxItemBytes) {

        /**
         * {@code maxBufferedBytes}, or an eighth of the heap when it is 0: room for the bodies and
         * for the events parsed from them (several times the bytes), the write queue and reads.
         */
        public long bufferedBytesLimit() {
            return maxBufferedBytes > 0 ? maxBufferedBytes : Runtime.getRuntime().maxMemory() / 8;
        }
    }

    /**
     * @param processors the processors to run, by name, in order
     * @param dropBots   drop events whose user agent is a bot (counted as {@code bot})
     * @param dropRules  events matching any rule are dropped (counted as {@code filtered})
     */
    public record Pipeline(@DefaultValue({"validate", "privacy", "enrich", "group", "filter", "sample"}) List<String> processors,
                           @DefaultValue("true") boolean dropBots,
                           @DefaultValue List<DropRule> dropRules) {
    }

    /**
     * Drops events whose {@code field} matches the regular expression {@code pattern}
     * (searched, not anchored), optionally only for one event {@code type}. Fields: message,
     * errorType, url, path, name, userAgent, release, environment, browser, os, deviceType,
     * or {@code properties.<key>}.
     */
    public record DropRule(String type, String field, String pattern) {
    }

    /**
     * Seed 000's sampling block: the share of sessions kept per category (0..1). Errors:
     * error events; performance: performance, web-vital, resource and api events; user
     * behaviour: page views, clicks, custom events and session markers. Conversions and
     * purchases are never sampled, so revenue stays exact; nor are release-health session updates.
     */
    public record Sampling(@DefaultValue("1.0") double errors,
                           @DefaultValue("1.0") double performance,
                           @DefaultValue("1.0") double userBehavior) {
    }

    public record Retention(@DefaultValue("90") int defaultDays, @DefaultValue("0 17 3 * * *") String cron) {
    }

    /** @param noopEndpoint expose POST /bench/noop (parse only), the benchmark's HTTP + JSON ceiling */
    public record Benchmark(@DefaultValue("false") boolean noopEndpoint) {
    }
}

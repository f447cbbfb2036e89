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
        @DefaultValue Http http,
        @DefaultValue Outbound outbound,
        @DefaultValue Smtp smtp,
        @DefaultValue Alerts alerts,
        @DefaultValue Realtime realtime) {

    /**
     * The realtime gateway's limits (README "Realtime"); what each means is on the broker's
     * {@code BrokerSettings}, which these become.
     *
     * @param historyMaxBytes bytes every topic's history may hold together
     * @param liveEventsPerSecond summaries of accepted events an app's {@code traceflow:events} topic carries per
     *                            second (the rest are counted, not sent); 0: no live event topic
     * @param liveSessionsPerApp  sessions the live metrics follow at once per app (the one touched longest ago
     *                            is dropped for a new one)
     */
    public record Realtime(@DefaultValue("65536") int maxMessageBytes,
                           @DefaultValue("1000") int sendQueueCapacity,
                           @DefaultValue("1000") int maxUnackedPerConnection,
                           @DefaultValue("100") int messagesPerSecondPerConnection,
                           @DefaultValue("1000") int publishesPerSecondPerTopic,
                           @DefaultValue("100") int maxSubscriptionsPerConnection,
                           @DefaultValue("50") int maxConnectionsPerUser,
                           @DefaultValue("1000") int maxConnectionsPerIp,
                           @DefaultValue("1000") int historySize,
                           @DefaultValue("10m") Duration historyTtl,
                           @DefaultValue("67108864") long historyMaxBytes,
                           @DefaultValue("5s") Duration ackTimeout,
                           @DefaultValue("60s") Duration maxRedeliveryBackoff,
                           @DefaultValue("5") int maxDeliveries,
                           @DefaultValue("2m") Duration idempotencyWindow,
                           @DefaultValue("1000") int idempotencyMaxIds,
                           @DefaultValue("10000") int maxTopicsPerApp,
                           @DefaultValue("1h") Duration topicIdleTtl,
                           @DefaultValue("5s") Duration recheckInterval,
                           @DefaultValue("2s") Duration closeGrace,
                           @DefaultValue("300") int auditRowsPerAppPerMinute,
                           @DefaultValue("20") int liveEventsPerSecond,
                           @DefaultValue("20000") int liveSessionsPerApp) {
    }

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
     * Requests the server makes to addresses users configure (alert webhooks).
     *
     * @param allowedNetworks CIDR blocks such requests may reach although they are loopback, private,
     *                        link-local or otherwise internal ({@code TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS},
     *                        comma-separated); none by default. An entry that is no CIDR block stops the start.
     */
    public record Outbound(@DefaultValue List<String> allowedNetworks) {
    }

    /**
     * The SMTP server alert e-mail goes through; e-mail channels exist only when {@code host} is set.
     *
     * @param host           server name or address; none by default (no e-mail)
     * @param port           587 (submission) by default
     * @param username       login, when the server wants one (with {@code password})
     * @param password       its password; never logged
     * @param from           the sender address, required with {@code host}
     * @param starttls       require STARTTLS before anything is sent (login included); turn off only for a
     *                       server on the same host or network that has no TLS
     * @param connectTimeout how long connecting may take
     * @param timeout        how long each read and write of the conversation may take
     */
    public record Smtp(String host,
                       @DefaultValue("587") int port,
                       String username,
                       String password,
                       String from,
                       @DefaultValue("true") boolean starttls,
                       @DefaultValue("5s") Duration connectTimeout,
                       @DefaultValue("10s") Duration timeout) {

        /** Checked when the settings are read, so a half-configured server stops the start instead of the first alert. */
        public Smtp {
            // the parameters, not configured(): the fields are assigned only after this body
            if (host != null && !host.isBlank() && (from == null || from.isBlank())) {
                throw new IllegalArgumentException("TRACEFLOW_SMTP_FROM (the sender address) must be set with TRACEFLOW_SMTP_HOST");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("TRACEFLOW_SMTP_PORT must be 1..65535, not " + port);
            }
        }

        public boolean configured() {
            return host != null && !host.isBlank();
        }

        /** Without the password: records print every field, and settings end up in logs. */
        @Override
        public String toString() {
            return "Smtp[host=" + host + ", port=" + port + ", username=" + username + ", password="
                    + (password == null || password.isEmpty() ? "" : "***") + ", from=" + from + ", starttls=" + starttls
                    + ", connectTimeout=" + connectTimeout + ", timeout=" + timeout + "]";
        }
    }

    /**
     * Alerting.
     *
     * @param tick              how often the scheduler looks for due threshold and anomaly rules
     *                          ({@code TRACEFLOW_ALERTS_TICK}); zero turns scheduled evaluation off
     *                          (tests drive the engine by hand)
     * @param maxRulesPerApp    a bound on what one app can make the scheduler do
     * @param maxChannelsPerApp likewise for channels
     * @param eventQueue        error-group changes waiting to be matched against event-driven rules;
     *                          beyond it they are dropped and counted (the loader is never held up)
     * @param roundBatch        due rules read per query of a round
     * @param evaluationThreads rules of a round evaluated at once ({@code TRACEFLOW_ALERTS_EVALUATION_THREADS}); their
     *                          queries run on the calling thread, so this is the most cores rule queries take
     */
    public record Alerts(@DefaultValue Delivery delivery,
                         @DefaultValue("5s") Duration tick,
                         @DefaultValue("2000") int maxRulesPerApp,
                         @DefaultValue("100") int maxChannelsPerApp,
                         @DefaultValue("10000") int eventQueue,
                         @DefaultValue("200") int roundBatch,
                         @DefaultValue("1") int evaluationThreads) {

        public Alerts {
            if (tick.isNegative() || maxRulesPerApp < 1 || maxChannelsPerApp < 1 || eventQueue < 1 || roundBatch < 1
                    || evaluationThreads < 1 || evaluationThreads > 64) {
                throw new IllegalArgumentException("traceflow.alerts: tick must not be negative; max-rules-per-app, "
                        + "max-channels-per-app, event-queue and round-batch must be at least 1, evaluation-threads 1 to 64");
            }
        }
    }

    /**
     * How alert notifications are delivered (webhook and e-mail).
     *
     * @param queueCapacity  deliveries waiting for an attempt or a retry, or in flight; past it new ones are refused
     *                       (counted as {@code queue_full})
     * @param threads        deliveries attempted at once
     * @param maxAttempts    attempts per delivery, the first included
     * @param baseDelay      the wait before the first retry; doubled for each further one, with jitter
     * @param maxDelay       the longest wait between two attempts, a receiver's {@code Retry-After} included
     * @param connectTimeout how long connecting to a webhook may take
     * @param requestTimeout how long one webhook request may take as a whole, connecting included
     */
    public record Delivery(@DefaultValue("10000") int queueCapacity,
                           @DefaultValue("4") int threads,
                           @DefaultValue("6") int maxAttempts,
                           @DefaultValue("10s") Duration baseDelay,
                           @DefaultValue("10m") Duration maxDelay,
                           @DefaultValue("5s") Duration connectTimeout,
                           @DefaultValue("10s") Duration requestTimeout) {

        public Delivery {
            if (queueCapacity < 1 || threads < 1 || maxAttempts < 1) {
                throw new IllegalArgumentException("traceflow.alerts.delivery: queue-capacity, threads and max-attempts must be at least 1");
            }
            if (!baseDelay.isPositive() || maxDelay.compareTo(baseDelay) < 0 || !connectTimeout.isPositive()
                    || !requestTimeout.isPositive()) {
                throw new IllegalArgumentException("traceflow.alerts.delivery: delays and timeouts must be positive, max-delay at least base-delay");
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
     * @param segmentBytes size at which a new segment file starts; loaded segments are kept for reuse (two) or deleted
     * @param loadLinger   how long the loader waits to gather a transaction when hardly any events
     *                     arrive; also how long an event then takes to become visible to reads (the
     *                     wait grows with the arrival rate up to {@code loadMaxDelay})
     * @param loadMaxDelay how long the loader waits to fill a batch of the backend's size (DuckDB: a
     *                     row group) when events arrive fast enough to fill one in that time, and
     *                     below that rate a part of it in proportion to the rate; the
     *                     longest an event waits before reads see it (reads that call awaitStored do
     *                     not wait: they make the loader load at once). 3 s, so that from about
     *                     10,000 events/s DuckDB gets whole row groups rather than small commits through
     *                     its write-ahead log and the second-long checkpoints that copy them again
     *                     (README "DuckDB checkpoints" has the measurements)
     */
    public record Journal(Path dir,
                          @DefaultValue("67108864") long segmentBytes,
                          @DefaultValue("100ms") Duration loadLinger,
                          @DefaultValue("3s") Duration loadMaxDelay) {
    }

    /**
     * The bounded queue between ingest and the event store.
     *
     * @param capacityEvents events accepted but not yet in the event store before requests get 503
     *                       (was {@code traceflow.ingest.queue-capacity-events})
     * @param maxLoadEvents  most events the loader stores in one transaction (was
     *                       {@code traceflow.ingest.group-commit-max-events})
     * @param capacityBytes  heap the events accepted but not yet in the event store may take before
     *                       requests get 503; 0 (the default): an eighth of the heap, see
     *                       {@link #capacityBytesLimit()}
     */
    public record Queue(@DefaultValue("400000") int capacityEvents,
                        @DefaultValue("200000") int maxLoadEvents,
                        @DefaultValue("0") long capacityBytes) {

        /**
         * {@code capacityBytes}, or an eighth of the heap when it is 0: with the quarter that ingest
         * requests may hold ({@link Ingest#bufferedBytesLimit()}), ingest keeps at most three
         * eighths of the heap, leaving the rest to reads, connections and the application itself.
         */
        public long capacityBytesLimit() {
            return capacityBytes > 0 ? capacityBytes : Runtime.getRuntime().maxMemory() / 8;
        }
    }

    /**
     * Ingest limits.
     *
     * @param commitTimeout        how long a request waits for the journal before answering 503
     * @param admissionWait        how long a request waits, before its body is read, while the queue is
     *                             more than half full; then 503 OVERLOADED
     * @param maxBufferedBytes     bytes all ingest requests together may hold in memory (bodies as read and
     *                             decoded, and the events parsed from them, until handed off); past it, 503
     *                             OVERLOADED. 0 (the default): a quarter of the heap, see {@link #bufferedBytesLimit()}
     * @param bodyTimeout          the longest the server waits, in all, for a request body's bytes; then 408
     *                             BODY_TIMEOUT (decoding what arrived does not count)
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
         * {@code maxBufferedBytes}, or a quarter of the heap when it is 0: the largest body (10 MiB
         * decoded) with its events takes 50 MiB of it, so at 256 MiB of heap one of them fits with
         * room for small requests, and the rest of the heap is left to the storage queue (an
         * eighth), reads and the application itself.
         */
        public long bufferedBytesLimit() {
            return maxBufferedBytes > 0 ? maxBufferedBytes : Runtime.getRuntime().maxMemory() / 4;
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

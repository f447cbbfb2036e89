package dev.traceflow.auth.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.traceflow.TraceFlowProperties;
import dev.traceflow.http.IpAddresses;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.OptionalLong;

/**
 * Brute-force limits on password checks (login and password change), two token buckets:
 * <ul>
 *   <li>per client IP (an IPv6 client by its /64), every attempt counts: one machine cannot spray
 *       many accounts;</li>
 *   <li>per username, only failures count, whatever the IP: a botnet cannot guess one account's
 *       password from many addresses, while its owner's successful logins cost nothing.</li>
 * </ul>
 * Both are charged <em>before</em> the password is checked, and the account's attempt is given back
 * when the password was right: a check then a charge after bcrypt would let hundreds of parallel
 * guesses through one check.
 * The per-username bucket exists for names that do not exist too, so the answer does not reveal
 * which accounts exist. Buckets live in a bounded cache: memory stays flat under a spray of names.
 * The price of the per-account limit is that an attacker can hold an account's logins off for
 * the window; its owner still has existing sessions (refresh tokens) meanwhile.
 */
@Component
class LoginThrottle {

    private final TraceFlowProperties.Auth settings;
    private final Cache<String, Bucket> byIp = Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(Duration.ofHours(1)).build();
    private final Cache<String, Bucket> byAccount = Caffeine.newBuilder().maximumSize(100_000).expireAfterAccess(Duration.ofHours(1)).build();
    private final MeterRegistry meters;
    private final TimeMeter time;

    /** @param time the buckets' clock: the server's (tests move it instead of waiting out a window) */
    LoginThrottle(TraceFlowProperties properties, MeterRegistry meters, TimeMeter time) {
        this.settings = properties.auth();
        this.meters = meters;
        this.time = time;
    }

    /** Counts an attempt from {@code ip} (IPv6: from its /64); the seconds to wait when over the limit. */
    OptionalLong attemptFrom(String ip) {
        Bucket bucket = byIp.get(IpAddresses.limitKey(ip), k -> bucket(settings.loginAttemptsPerIp(), settings.loginIpWindow()));
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        return refused(probe, "ip");
    }

    /**
     * Takes one of the account's attempts before its password is checked; the seconds to wait when
     * none is left. Give it back with {@link #succeeded} when the password was right.
     */
    OptionalLong attemptOn(String username) {
        return refused(account(username).tryConsumeAndReturnRemaining(1), "account");
    }

    /** Gives back the attempt {@link #attemptOn} took: a right password costs the account nothing. */
    void succeeded(String username) {
        account(username).addTokens(1);
    }

    private Bucket account(String username) {
        return byAccount.get(username, k -> bucket(settings.loginFailuresPerAccount(), settings.loginAccountWindow()));
    }

    private OptionalLong refused(ConsumptionProbe probe, String limit) {
        if (probe.isConsumed()) {
            return OptionalLong.empty();
        }
        meters.counter("traceflow_auth_login_throttled_total", "limit", limit).increment();
        return OptionalLong.of(Math.max(1, Duration.ofNanos(probe.getNanosToWaitForRefill()).toSeconds() + 1));
    }

    /** Refills gradually (not all at once at the window's end), so a waiting client gets in as soon as one attempt is due. */
    private Bucket bucket(int capacity, Duration window) {
        return Bucket.builder()
                .addLimit(Bandwidth.builder().capacity(capacity).refillGreedy(capacity, window).build())
                .withCustomTimePrecision(time)
                .build();
    }
}

package dev.traceflow.auth.internal;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.traceflow.TraceFlowProperties;
import dev.traceflow.auth.User;
import dev.traceflow.support.TestProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.security.oauth2.jwt.BadJwtException;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Signing-key life cycle on a real (in-memory H2) metadata database with a clock the test moves. */
class SigningKeysTest {

    static final class MovableClock extends Clock {
        Instant now = Instant.parse("2026-11-22T10:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    final MovableClock clock = new MovableClock();
    TransactionTemplate tx;
    JdbcClient jdbc;
    TraceFlowProperties properties;
    MasterKey masterKey;

    @BeforeEach
    void database() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:keys-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        jdbc = JdbcClient.create(ds);
        tx = new TransactionTemplate(new DataSourceTransactionManager(ds));
        properties = TestProperties.of(Map.of("traceflow.auth.access-token-ttl", "15m", "traceflow.auth.clock-skew", "30s",
                "traceflow.auth.signing-key-rotation", "30d"));
        masterKey = MasterKey.of(new byte[32]);
    }

    private SigningKeys keys() {
        SigningKeys keys = new SigningKeys(jdbc, masterKey, properties, clock, tx);
        keys.afterPropertiesSet();
        return keys;
    }

    private final User alice = new User("u-1", "alice", false, true, Instant.EPOCH, null);

    @Test
    void firstStart_generatesOneKeyAndLaterStartsReuseIt() {
        SigningKeys first = keys();
        String kid = first.active().getKeyID();
        assertThat(first.publicKeys().getKeys()).hasSize(1);
        assertThat(keys().active().getKeyID()).as("another instance / restart signs with the same key").isEqualTo(kid);
    }

    @Test
    void rotation_keepsVerifyingOldTokensUntilTheyHaveExpired() {
        SigningKeys keys = keys();
        AccessTokens tokens = new AccessTokens(keys, properties, clock, new SimpleMeterRegistry());
        String oldToken = tokens.issue(alice, 0).token();
        String oldKid = keys.active().getKeyID();

        String newKid = keys.rotate();
        assertThat(newKid).isNotEqualTo(oldKid);
        assertThat(keys.active().getKeyID()).isEqualTo(newKid);
        assertThat(keys.publicKeys().getKeys()).extracting(k -> k.getKeyID()).containsExactlyInAnyOrder(oldKid, newKid);
        assertThat(tokens.decode(oldToken).getSubject()).isEqualTo("u-1");
        assertThat(tokens.decode(tokens.issue(alice, 0).token()).getHeaders().get("kid")).isEqualTo(newKid);

        clock.now = clock.now.plus(Duration.ofMinutes(15)).plusSeconds(31);
        assertThat(keys.publicKeys().getKeys()).extracting(k -> k.getKeyID()).containsExactly(newKid);
        assertThatThrownBy(() -> keys.verificationKey(oldKid).orElseThrow()).isInstanceOf(java.util.NoSuchElementException.class);
    }

    @Test
    void aRetiredKeyCannotBeUsedToSignLongLivedTokens() throws Exception {
        SigningKeys keys = keys();
        var retired = keys.active();
        keys.rotate();
        AccessTokens tokens = new AccessTokens(keys, properties, clock, new SimpleMeterRegistry());
        clock.now = clock.now.plus(Duration.ofHours(1));
        // a token signed with the retired key after it stopped verifying (e.g. from a leaked backup)
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(retired.getKeyID()).build(),
                new JWTClaimsSet.Builder().issuer("traceflow").audience("traceflow-api").subject("u-1")
                        .issueTime(java.util.Date.from(clock.now)).expirationTime(java.util.Date.from(clock.now.plusSeconds(600))).build());
        jwt.sign(new RSASSASigner(retired));
        assertThatThrownBy(() -> tokens.decode(jwt.serialize())).isInstanceOf(BadJwtException.class);
    }

    @Test
    void scheduledRotation_replacesAKeyOlderThanThePeriod() {
        SigningKeys keys = keys();
        String kid = keys.active().getKeyID();
        clock.now = clock.now.plus(Duration.ofDays(29));
        keys.rotateWhenDue();
        assertThat(keys.active().getKeyID()).isEqualTo(kid);
        clock.now = clock.now.plus(Duration.ofDays(2));
        keys.rotateWhenDue();
        assertThat(keys.active().getKeyID()).isNotEqualTo(kid);
        clock.now = clock.now.plus(Duration.ofDays(2));
        keys.rotateWhenDue();
        assertThat(jdbc.sql("SELECT count(*) FROM signing_keys").query(Long.class).single())
                .as("keys no token can need are forgotten").isEqualTo(1);
    }

    @Test
    void privateKeysAreSealed_andAnotherMasterKeyCannotOpenThem() {
        keys();
        String sealed = jdbc.sql("SELECT private_key_enc FROM signing_keys").query(String.class).single();
        assertThat(sealed).doesNotContain("MII");
        byte[] other = new byte[32];
        other[0] = 1;
        masterKey = MasterKey.of(other);
        assertThatThrownBy(this::keys).hasMessageContaining("master key");
    }

    /** Two instances on one database: each re-reads the keys the other made, within the reload period. */
    @Test
    void anotherInstancesRotation_reachesThisOne_byThePeriodicReread() {
        SigningKeys one = keys();
        SigningKeys two = keys();
        String rotated = one.rotate();
        clock.now = clock.now.plus(Duration.ofSeconds(30));
        two.reloadWhenDue();
        assertThat(two.active().getKeyID()).as("not yet due").isNotEqualTo(rotated);
        clock.now = clock.now.plus(Duration.ofSeconds(31)); // the default re-read period is a minute
        two.reloadWhenDue();
        assertThat(two.active().getKeyID()).as("signs with the key the other instance made").isEqualTo(rotated);
    }

    /** Both instances find the key due at once: it is rotated once, not once per instance. */
    @Test
    void twoInstancesFindingRotationDue_rotateOnce() {
        SigningKeys one = keys();
        SigningKeys two = keys();
        clock.now = clock.now.plus(Duration.ofDays(31));
        one.rotateWhenDue();
        two.rotateWhenDue(); // still holds the old key as signing: decides on the locked row
        assertThat(jdbc.sql("SELECT count(*) FROM signing_keys").query(Long.class).single()).isEqualTo(2);
        assertThat(two.active().getKeyID()).isEqualTo(one.active().getKeyID());
    }

    @Test
    void aKeysVerifier_isMadeOncePerRead_notPerToken() {
        SigningKeys keys = keys();
        String kid = keys.active().getKeyID();
        assertThat(keys.verifier(kid)).isPresent();
        assertThat(keys.verifier(kid).orElseThrow()).isSameAs(keys.verifier(kid).orElseThrow());
        assertThat(keys.verifier("no-such-kid")).isEmpty();
    }

    @Test
    void aRevokedKey_stopsVerifyingAtOnce_andANewOneSigns() {
        SigningKeys one = keys();
        SigningKeys two = keys();
        String kid = one.active().getKeyID();
        assertThat(one.revoke(kid)).isTrue();
        assertThat(one.verificationKey(kid)).isEmpty();
        assertThat(one.verifier(kid)).isEmpty();
        assertThat(one.active().getKeyID()).isNotEqualTo(kid);
        clock.now = clock.now.plus(Duration.ofMinutes(1));
        two.reloadWhenDue();
        assertThat(two.verificationKey(kid)).as("the other instance, at its next re-read").isEmpty();
        assertThat(one.revoke("no-such-kid")).isFalse();
    }
}

package dev.traceflow.auth.internal;

import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.crypto.RSASSASigner;
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
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The verified tokens {@link AccessTokens} remembers: a token presented again skips parsing and the
 * signature check, never what can change since (the clock, the signing key), and a token that differs
 * in any character is checked on its own. On a real (in-memory H2) metadata database with a clock the
 * test moves.
 */
class AccessTokensTest {

    private final SigningKeysTest.MovableClock clock = new SigningKeysTest.MovableClock();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final User alice = new User("u-1", "alice", false, true, Instant.EPOCH, null);
    private SigningKeys keys;
    private AccessTokens tokens;

    @BeforeEach
    void tokens() {
        JdbcDataSource ds = new JdbcDataSource();
        ds.setURL("jdbc:h2:mem:tokens-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        Flyway.configure().dataSource(ds).locations("classpath:db/migration").load().migrate();
        TraceFlowProperties properties = TestProperties.of(Map.of("traceflow.auth.access-token-ttl", "15m",
                "traceflow.auth.clock-skew", "30s", "traceflow.auth.signing-key-rotation", "30d"));
        keys = new SigningKeys(JdbcClient.create(ds), MasterKey.of(new byte[32]), properties, clock,
                new TransactionTemplate(new DataSourceTransactionManager(ds)));
        keys.afterPropertiesSet();
        tokens = new AccessTokens(keys, properties, clock, meters);
    }

    private double lookups(String result) {
        return meters.get("cache.gets").tag("cache", "traceflow.auth.verified.tokens").tag("result", result).functionCounter().count();
    }

    @Test
    void aTokenPresentedAgain_isTakenFromTheVerifiedTokens() {
        String token = tokens.issue(alice, 3).token();

        assertThat(tokens.decode(token).getSubject()).isEqualTo("u-1");
        assertThat(((Number) tokens.decode(token).getClaims().get(AccessTokens.TOKEN_VERSION)).intValue()).isEqualTo(3);
        assertThat(lookups("miss")).isEqualTo(1);
        assertThat(lookups("hit")).isEqualTo(1);
    }

    @Test
    void aRememberedToken_isRefusedOnceItHasExpired_withTheSameAnswerAsAnyExpiredToken() {
        String token = tokens.issue(alice, 0).token();
        tokens.decode(token);

        clock.now = clock.now.plus(Duration.ofMinutes(15)).plusSeconds(29); // past exp, within the skew
        assertThat(tokens.decode(token).getSubject()).isEqualTo("u-1");
        clock.now = clock.now.plusSeconds(2);
        assertThatThrownBy(() -> tokens.decode(token)).isInstanceOf(BadJwtException.class).hasMessage("expired");
        assertThat(lookups("hit")).as("refused although remembered").isEqualTo(2);
    }

    @Test
    void aRememberedToken_isRefusedOnceItsSigningKeyIsRevoked() throws Exception {
        String token = tokens.issue(alice, 0).token();
        tokens.decode(token);

        assertThat(keys.revoke(SignedJWT.parse(token).getHeader().getKeyID())).isTrue();

        assertThatThrownBy(() -> tokens.decode(token)).isInstanceOf(BadJwtException.class).hasMessage("unknown kid");
        assertThatThrownBy(() -> tokens.decode(token)).as("and stays refused").isInstanceOf(BadJwtException.class);
    }

    @Test
    void aTokenWithTheSameClaimsAndAnotherSignature_isCheckedOnItsOwn() throws Exception {
        String token = tokens.issue(alice, 0).token();
        tokens.decode(token);
        // the same header and claims signed by a key of the attacker's that claims the server's kid
        SignedJWT parsed = SignedJWT.parse(token);
        RSAKey attacker = new RSAKeyGenerator(2048).keyID(parsed.getHeader().getKeyID()).generate();
        SignedJWT forged = new SignedJWT(parsed.getHeader(), parsed.getJWTClaimsSet());
        forged.sign(new RSASSASigner(attacker));

        assertThatThrownBy(() -> tokens.decode(forged.serialize())).isInstanceOf(BadJwtException.class).hasMessage("bad signature");
        assertThat(tokens.decode(token).getSubject()).as("the genuine one still passes").isEqualTo("u-1");
    }
}

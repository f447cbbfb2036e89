package dev.traceflow.auth.internal;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import dev.traceflow.TraceFlowProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.SecureRandom;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The RS256 keys that sign access tokens. The newest unretired key signs; a retired key keeps
 * verifying (and stays in the JWKS) until every token it signed has expired: access-token
 * lifetime + clock skew after its retirement. Keys live in the metadata database with the private
 * half encrypted by the {@link MasterKey}, so every instance signs with the same key: each instance
 * re-reads them every {@code signingKeyReload} (and at once on an unknown {@code kid}), rotation is
 * one transaction holding the current key's row lock (two instances finding it due rotate once),
 * and a revoked key is deleted, so its tokens stop verifying here at once and on the other
 * instances at their next re-read.
 */
@Component
class SigningKeys implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(SigningKeys.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Duration RELOAD_AT_MOST_EVERY = Duration.ofSeconds(10);

    private final JdbcClient jdbc;
    private final MasterKey masterKey;
    private final TraceFlowProperties.Auth settings;
    private final Clock clock;
    private volatile Loaded loaded = new Loaded(List.of(), Instant.EPOCH);

    private final TransactionTemplate tx;

    SigningKeys(JdbcClient jdbc, MasterKey masterKey, TraceFlowProperties properties, Clock clock, TransactionTemplate tx) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.masterKey = masterKey;
        this.settings = properties.auth();
        this.clock = clock;
    }

    /** A stored key; {@code retiredAt} null while it signs. */
    record StoredKey(RSAKey key, Instant createdAt, Instant retiredAt) {
    }

    /** The keys as last read, with a verifier per key made once: making one converts and checks the key, per request otherwise. */
    private record Loaded(List<StoredKey> keys, Instant at, Map<String, JWSVerifier> verifiers) {
        Loaded(List<StoredKey> keys, Instant at) {
            this(keys, at, verifiersOf(keys));
        }

        private static Map<String, JWSVerifier> verifiersOf(List<StoredKey> keys) {
            Map<String, JWSVerifier> verifiers = new HashMap<>();
            for (StoredKey k : keys) {
                try {
                    verifiers.put(k.key().getKeyID(), new RSASSAVerifier(k.key().toRSAPublicKey()));
                } catch (JOSEException e) {
                    throw new IllegalStateException("stored signing key " + k.key().getKeyID() + " has no usable public half", e);
                }
            }
            return Map.copyOf(verifiers);
        }
    }

    @Override
    public void afterPropertiesSet() {
        reload();
        if (signingKey().isEmpty()) {
            rotate();
        }
    }

    /** The key that signs new tokens. */
    RSAKey active() {
        return signingKey().orElseThrow(() -> new IllegalStateException("no signing key")).key();
    }

    private Optional<StoredKey> signingKey() {
        return loaded.keys().stream().filter(k -> k.retiredAt() == null).max(Comparator.comparing(StoredKey::createdAt));
    }

    /** The public key for {@code kid} if it may still verify tokens; reloads (rate-limited) on a miss, for keys made elsewhere. */
    Optional<RSAKey> verificationKey(String kid) {
        return mayVerify(kid).map(k -> k.key().toPublicJWK());
    }

    /**
     * The signature verifier of {@link #verificationKey}'s key, the same instance until the keys are read
     * again (a revoked key's verifier goes with its key at that read).
     */
    Optional<JWSVerifier> verifier(String kid) {
        return mayVerify(kid).flatMap(k -> Optional.ofNullable(loaded.verifiers().get(kid)));
    }

    private Optional<StoredKey> mayVerify(String kid) {
        Optional<StoredKey> found = verifying(loaded).filter(k -> k.key().getKeyID().equals(kid)).findFirst();
        if (found.isEmpty() && loaded.at().plus(RELOAD_AT_MOST_EVERY).isBefore(clock.instant())) {
            reload();
            found = verifying(loaded).filter(k -> k.key().getKeyID().equals(kid)).findFirst();
        }
        return found;
    }

    /** Public halves of every key that may verify a live token, for {@code /.well-known/jwks.json}. */
    JWKSet publicKeys() {
        return new JWKSet(verifying(loaded).map(k -> (JWK) k.key().toPublicJWK()).toList());
    }

    List<StoredKey> keys() {
        return loaded.keys();
    }

    private Stream<StoredKey> verifying(Loaded state) {
        Instant oldestUseful = clock.instant().minus(settings.accessTokenTtl()).minus(settings.clockSkew());
        return state.keys().stream().filter(k -> k.retiredAt() == null || k.retiredAt().isAfter(oldestUseful));
    }

    /** Generates a new signing key; the previous one retires (and keeps verifying for one token lifetime). */
    synchronized String rotate() {
        String kid = tx.execute(status -> {
            lockSigningKey();
            return insertNewKey();
        });
        reload();
        log.info("New JWT signing key kid={}", kid);
        return kid;
    }

    /**
     * Rotates when the signing key is older than the rotation period, deciding on the row read
     * under its lock: another instance that rotated a moment ago leaves nothing to do.
     */
    private synchronized void rotateIfDue() {
        String kid = tx.execute(status -> {
            List<OffsetDateTime> current = lockSigningKey();
            Instant dueBefore = clock.instant().minus(settings.signingKeyRotation());
            boolean due = current.isEmpty() || current.stream().allMatch(c -> c.toInstant().isBefore(dueBefore));
            return due ? insertNewKey() : null;
        });
        reload();
        if (kid != null) {
            log.info("New JWT signing key kid={}", kid);
        }
    }

    /** Locks the signing key's row until the transaction ends; its creation time(s). */
    private List<OffsetDateTime> lockSigningKey() {
        return jdbc.sql("SELECT created_at FROM signing_keys WHERE retired_at IS NULL FOR UPDATE")
                .query(OffsetDateTime.class).list();
    }

    /**
     * Revokes a key at once: deleted, so no token it signed verifies any more (other instances
     * follow at their next re-read); when it was the signing key, a new one signs from now on.
     *
     * @return false when there is no such key
     */
    synchronized boolean revoke(String kid) {
        boolean wasSigning = signingKey().map(k -> k.key().getKeyID().equals(kid)).orElse(false);
        Boolean deleted = tx.execute(status -> {
            lockSigningKey();
            int n = jdbc.sql("DELETE FROM signing_keys WHERE kid = ?").param(kid).update();
            if (n > 0 && jdbc.sql("SELECT count(*) FROM signing_keys WHERE retired_at IS NULL").query(Long.class).single() == 0) {
                insertNewKey();
            }
            return n > 0;
        });
        reload();
        if (Boolean.TRUE.equals(deleted)) {
            log.warn("JWT signing key kid={} revoked{}", kid, wasSigning ? "; a new key signs from now on" : "");
        }
        return Boolean.TRUE.equals(deleted);
    }

    /** Call holding the signing key's lock: retires it and stores a new one; the new kid. */
    private String insertNewKey() {
        RSAKey key;
        String kid = newKid();
        try {
            key = new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).algorithm(JWSAlgorithm.RS256).generate();
        } catch (JOSEException e) {
            throw new IllegalStateException("RSA key generation failed", e);
        }
        OffsetDateTime now = OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
        String sealed;
        try {
            sealed = masterKey.encrypt(key.toRSAPrivateKey().getEncoded(), kid);
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        jdbc.sql("UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL").param(now).update();
        jdbc.sql("INSERT INTO signing_keys (kid, public_key, private_key_enc, created_at) VALUES (?, ?, ?, ?)")
                .params(kid, key.toPublicJWK().toJSONString(), sealed, now).update();
        return kid;
    }

    /** Keys made, retired or revoked by other instances reach this one within {@code signingKeyReload}. */
    @Scheduled(fixedDelay = 5, initialDelay = 5, timeUnit = TimeUnit.SECONDS)
    void reloadWhenDue() {
        if (!loaded.at().plus(settings.signingKeyReload()).isAfter(clock.instant())) {
            reload();
        }
    }

    /** Hourly: rotates a signing key older than the configured period and forgets keys no token can need. */
    @Scheduled(fixedDelayString = "PT1H", initialDelayString = "PT1H")
    void rotateWhenDue() {
        if (signingKey().filter(k -> k.createdAt().plus(settings.signingKeyRotation()).isBefore(clock.instant())).isPresent()) {
            rotateIfDue();
        }
        Instant forgetBefore = clock.instant().minus(settings.accessTokenTtl()).minus(settings.clockSkew()).minus(Duration.ofDays(1));
        int forgotten = jdbc.sql("DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at < ?")
                .param(OffsetDateTime.ofInstant(forgetBefore, ZoneOffset.UTC)).update();
        if (forgotten > 0) {
            reload();
        }
    }

    private synchronized void reload() {
        List<StoredKey> keys = new ArrayList<>();
        jdbc.sql("SELECT kid, public_key, private_key_enc, created_at, retired_at FROM signing_keys").query(rs -> {
            String kid = rs.getString("kid");
            OffsetDateTime retired = rs.getObject("retired_at", OffsetDateTime.class);
            keys.add(new StoredKey(withPrivate(kid, rs.getString("public_key"), rs.getString("private_key_enc")),
                    rs.getObject("created_at", OffsetDateTime.class).toInstant(), retired == null ? null : retired.toInstant()));
        });
        loaded = new Loaded(List.copyOf(keys), clock.instant());
    }

    private RSAKey withPrivate(String kid, String publicJwk, String sealedPrivate) {
        try {
            RSAKey publicKey = RSAKey.parse(publicJwk);
            byte[] pkcs8 = masterKey.decrypt(sealedPrivate, kid);
            RSAPrivateKey privateKey = (RSAPrivateKey) KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            return new RSAKey.Builder(publicKey).privateKey(privateKey).build();
        } catch (ParseException | GeneralSecurityException e) {
            throw new IllegalStateException("Signing key " + kid + " is corrupt", e);
        }
    }

    private static String newKid() {
        byte[] bytes = new byte[12];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}

package dev.traceflow.auth.internal;

import dev.traceflow.auth.SecretSealer;
import org.springframework.stereotype.Component;

import java.nio.charset.StandardCharsets;

/** {@link SecretSealer} over the master key that also seals the signing keys. */
@Component
class MasterKeySecretSealer implements SecretSealer {

    /** Keeps these seals apart from the signing keys' (whose context is a bare key id). */
    private static final String CONTEXT_PREFIX = "secret:";

    private final MasterKey masterKey;

    MasterKeySecretSealer(MasterKey masterKey) {
        this.masterKey = masterKey;
    }

    @Override
    public String seal(String secret, String context) {
        return masterKey.encrypt(secret.getBytes(StandardCharsets.UTF_8), CONTEXT_PREFIX + context);
    }

    @Override
    public String unseal(String sealed, String context) {
        return new String(masterKey.decrypt(sealed, CONTEXT_PREFIX + context), StandardCharsets.UTF_8);
    }
}

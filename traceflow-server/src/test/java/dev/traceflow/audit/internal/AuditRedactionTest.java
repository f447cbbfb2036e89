package dev.traceflow.audit.internal;

import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Details are redacted by what a field holds, not by any name that mentions a key. */
class AuditRedactionTest {

    @Test
    void secretFields_areRedacted() {
        for (String name : new String[] {"key", "ingestKey", "privateKey", "password", "newPassword", "refreshToken",
                "password_hash", "clientSecret", "secret"}) {
            assertThat(JdbcAuditLog.namesSecret(name)).as(name).isTrue();
        }
    }

    @Test
    void namesAndIdsOfSecrets_stay() {
        for (String name : new String[] {"newKeyId", "keyId", "keyPrefix", "kid", "tokenVersion", "passwordReset", "username"}) {
            assertThat(JdbcAuditLog.namesSecret(name)).as(name).isFalse();
        }
        Map<String, Object> rotation = new LinkedHashMap<>();
        rotation.put("newKeyId", "3f2a");
        rotation.put("key", "tfk_secret");
        assertThat(JdbcAuditLog.detailsJson(rotation)).contains("\"newKeyId\":\"3f2a\"").doesNotContain("tfk_secret");
    }
}

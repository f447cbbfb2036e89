package dev.traceflow.auth.internal;

import dev.traceflow.TraceFlowProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * On first start with no users, creates the global admin {@code admin} (API.md). Its password
 * comes from {@code TRACEFLOW_BOOTSTRAP_ADMIN_PASSWORD}; otherwise one is generated and written
 * to the log this one time, as API.md promises (never again).
 */
@Component
class BootstrapAdmin implements InitializingBean {

    static final String ADMIN = "admin";
    private static final Logger log = LoggerFactory.getLogger(BootstrapAdmin.class);

    private final JdbcUsers users;
    private final Passwords passwords;
    private final TraceFlowProperties properties;

    BootstrapAdmin(JdbcUsers users, Passwords passwords, TraceFlowProperties properties) {
        this.users = users;
        this.passwords = passwords;
        this.properties = properties;
    }

    @Override
    public void afterPropertiesSet() {
        if (users.any()) {
            return;
        }
        String configured = properties.bootstrap() == null ? null : properties.bootstrap().adminPassword();
        boolean generated = configured == null || configured.isBlank();
        // a configured password met the rules when the settings were bound (TraceFlowProperties.Bootstrap)
        String password = generated ? generate() : configured;
        users.create(ADMIN, passwords.hash(password), true);
        if (generated) {
            log.warn("Created user 'admin' with password {} (shown once; set TRACEFLOW_BOOTSTRAP_ADMIN_PASSWORD to choose it)", password);
        } else {
            log.info("Created user 'admin' with the password from TRACEFLOW_BOOTSTRAP_ADMIN_PASSWORD");
        }
    }

    private static String generate() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}

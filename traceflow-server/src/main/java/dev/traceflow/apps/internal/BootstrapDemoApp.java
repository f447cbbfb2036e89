package dev.traceflow.apps.internal;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.apps.AppDirectory;
import dev.traceflow.apps.IngestKeys;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.stereotype.Component;

import java.util.Set;

/**
 * On first start with an empty store, creates the app {@code demo} (API.md) so a new install can
 * take events at once. Its key comes from {@code TRACEFLOW_BOOTSTRAP_INGEST_KEY}; otherwise one is
 * generated and written to the log this one time, as API.md promises: it is never logged again.
 * Runs at bean initialisation (after Flyway) so ingest never sees a half-made demo app.
 */
@Component
class BootstrapDemoApp implements InitializingBean {

    /** The shortest ingest key an operator may choose for the demo app (generated keys are far longer). */
    static final int MIN_CONFIGURED_KEY_LENGTH = 16;

    static final String DEMO_APP = "demo";
    private static final Logger log = LoggerFactory.getLogger(BootstrapDemoApp.class);

    private final AppDirectory apps;
    private final TraceFlowProperties properties;

    BootstrapDemoApp(AppDirectory apps, TraceFlowProperties properties) {
        this.apps = apps;
        this.properties = properties;
    }

    /**
     * The bootstrap runs on the first start only: a key configured later (or changed) is not
     * added, and clients sending it get 401. Say so, and what to do, instead of nothing.
     */
    private void warnWhenTheConfiguredKeyIsNotDemos(String configured) {
        if (configured == null || configured.isBlank() || apps.find(DEMO_APP).isEmpty()) {
            return;
        }
        boolean demosKey = apps.appForKey(configured.strip()).map(app -> DEMO_APP.equals(app.id())).orElse(false);
        if (!demosKey) {
            log.warn("TRACEFLOW_BOOTSTRAP_INGEST_KEY ({}...) is not a key of app 'demo': the bootstrap only creates the app and "
                    + "its key on the first start, with an empty store. Add the key with POST /api/apps/demo/keys (an owner's "
                    + "token) and send the key it answers, or unset the setting", loggedPrefix(configured.strip()));
        }
    }

    /**
     * Enough of a configured key to tell which one it was, never enough to use it: at most 4
     * characters and at most a third of the key.
     */
    static String loggedPrefix(String key) {
        return key.substring(0, Math.min(4, key.length() / 3));
    }

    @Override
    public void afterPropertiesSet() {
        String configured = properties.bootstrap() == null ? null : properties.bootstrap().ingestKey();
        if (!apps.all().isEmpty()) {
            warnWhenTheConfiguredKeyIsNotDemos(configured);
            return;
        }
        boolean generated = configured == null || configured.isBlank();
        String key = generated ? IngestKeys.generate() : configured.strip();
        if (!generated && key.length() < MIN_CONFIGURED_KEY_LENGTH) {
            // checked here, not when the settings are read: a server that has run with a shorter key
            // since before this rule ignores the setting on later starts and must keep starting
            throw new IllegalStateException("TRACEFLOW_BOOTSTRAP_INGEST_KEY must have at least " + MIN_CONFIGURED_KEY_LENGTH
                    + " characters (" + key.length() + " given): anyone who can reach the server may guess a short one; "
                    + "leave it empty to have one generated");
        }
        apps.create(DEMO_APP, "Demo", properties.retention().defaultDays(), Set.of("*"));
        apps.addKey(DEMO_APP, key);
        if (generated) {
            log.warn("Created app 'demo' with ingest key {} (shown once; set TRACEFLOW_BOOTSTRAP_INGEST_KEY to choose it)", key);
        } else {
            log.info("Created app 'demo' with the ingest key from TRACEFLOW_BOOTSTRAP_INGEST_KEY ({}...)", loggedPrefix(key));
        }
    }
}

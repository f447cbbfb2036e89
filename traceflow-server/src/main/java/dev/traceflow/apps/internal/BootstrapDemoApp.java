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

    static final String DEMO_APP = "demo";
    private static final Logger log = LoggerFactory.getLogger(BootstrapDemoApp.class);

    private final AppDirectory apps;
    private final TraceFlowProperties properties;

    BootstrapDemoApp(AppDirectory apps, TraceFlowProperties properties) {
        this.apps = apps;
        this.properties = properties;
    }

    /**
     * Enough of a configured key to tell which one it was, never enough to use it: at most 4
     * characters and at most a third of the key (the README's own example key is 12 characters).
     */
    static String loggedPrefix(String key) {
        return key.substring(0, Math.min(4, key.length() / 3));
    }

    @Override
    public void afterPropertiesSet() {
        if (!apps.all().isEmpty()) {
            return;
        }
        String configured = properties.bootstrap() == null ? null : properties.bootstrap().ingestKey();
        boolean generated = configured == null || configured.isBlank();
        String key = generated ? IngestKeys.generate() : configured.strip();
        apps.create(DEMO_APP, "Demo", properties.retention().defaultDays(), Set.of("*"));
        apps.addKey(DEMO_APP, key);
        if (generated) {
            log.warn("Created app 'demo' with ingest key {} (shown once; set TRACEFLOW_BOOTSTRAP_INGEST_KEY to choose it)", key);
        } else {
            log.info("Created app 'demo' with the ingest key from TRACEFLOW_BOOTSTRAP_INGEST_KEY ({}...)", loggedPrefix(key));
        }
    }
}

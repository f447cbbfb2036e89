package dev.traceflow.apps.internal;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.apps.App;
import dev.traceflow.apps.AppDirectory;
import dev.traceflow.support.TestProperties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@ExtendWith(OutputCaptureExtension.class)
class BootstrapDemoAppTest {

    private static TraceFlowProperties props(Map<String, String> values) {
        return TestProperties.of(values);
    }

    @Test
    void firstStart_createsDemoWithTheConfiguredKeyAndNeverLogsIt(CapturedOutput output) {
        InMemoryApps apps = new InMemoryApps();
        new BootstrapDemoApp(apps, props(Map.of("traceflow.bootstrap.ingest-key", "tfk_configured_secret_value"))).afterPropertiesSet();

        assertThat(apps.find("demo")).isPresent();
        assertThat(apps.find("demo").get().retentionDays()).isEqualTo(90);
        assertThat(apps.keys).containsExactly("tfk_configured_secret_value");
        assertThat(output.getOut()).doesNotContain("tfk_configured_secret_value");
    }

    @Test
    void firstStart_logsOnlyAShortPrefixOfAConfiguredKey(CapturedOutput output) {
        new BootstrapDemoApp(new InMemoryApps(), props(Map.of("traceflow.bootstrap.ingest-key", "my-first-key-0123"))).afterPropertiesSet();

        assertThat(output.getOut()).contains("(my-f...)").doesNotContain("my-fi");
        assertThat(BootstrapDemoApp.loggedPrefix("abc")).isEqualTo("a");
        assertThat(BootstrapDemoApp.loggedPrefix("ab")).isEmpty();
    }

    /** A key anyone could guess in a few tries is refused on the first start, before anything is written. */
    @Test
    void firstStart_refusesAConfiguredKeyShorterThan16Characters() {
        InMemoryApps apps = new InMemoryApps();
        assertThatThrownBy(() -> new BootstrapDemoApp(apps, props(Map.of("traceflow.bootstrap.ingest-key", "my-first-key")))
                .afterPropertiesSet())
                .hasMessageContaining("TRACEFLOW_BOOTSTRAP_INGEST_KEY must have at least 16 characters")
                .hasMessageNotContaining("my-first-key");
        assertThat(apps.all()).isEmpty();
        new BootstrapDemoApp(apps, props(Map.of("traceflow.bootstrap.ingest-key", "sixteen-chars-ok"))).afterPropertiesSet();
        assertThat(apps.keys).containsExactly("sixteen-chars-ok");
    }

    @Test
    void laterStart_withAnotherConfiguredKey_saysItIsNotDemosAndWhatToDo(CapturedOutput output) {
        InMemoryApps apps = new InMemoryApps();
        new BootstrapDemoApp(apps, props(Map.of("traceflow.bootstrap.ingest-key", "first-key-0123456"))).afterPropertiesSet();

        new BootstrapDemoApp(apps, props(Map.of("traceflow.bootstrap.ingest-key", "first-key-0123456"))).afterPropertiesSet();
        assertThat(output.getOut()).as("the same key: nothing to say").doesNotContain("is not a key of app 'demo'");

        new BootstrapDemoApp(apps, props(Map.of("traceflow.bootstrap.ingest-key", "second-key-456789"))).afterPropertiesSet();
        assertThat(output.getOut()).contains("TRACEFLOW_BOOTSTRAP_INGEST_KEY (seco...) is not a key of app 'demo'")
                .contains("POST /api/apps/demo/keys").doesNotContain("second-key-456789");
        assertThat(apps.keys).as("nothing added behind the operator's back").containsExactly("first-key-0123456");
    }

    /**
     * A first start with a weak admin password used to create the demo app and its key, then fail
     * in the admin bootstrap; the next start kept that key. Now the settings refuse the password
     * when they are read, before the bootstrap runs, so there is nothing to create anything from.
     */
    @Test
    void firstStart_withABadAdminPassword_failsBeforeAnythingIsWritten() {
        assertThatThrownBy(() -> props(Map.of("traceflow.bootstrap.ingest-key", "abc",
                "traceflow.bootstrap.admin-password", "weak")))
                .hasStackTraceContaining("TRACEFLOW_BOOTSTRAP_ADMIN_PASSWORD must have at least 10 characters");
        assertThatThrownBy(() -> props(Map.of("traceflow.bootstrap.admin-password", "é".repeat(40))))
                .hasStackTraceContaining("at most 72 bytes");
        assertThat(props(Map.of("traceflow.bootstrap.admin-password", "")).bootstrap().adminPassword())
                .as("empty: generated at start").isEmpty();
        assertThat(props(Map.of("traceflow.bootstrap.admin-password", "long-enough-1")).bootstrap().adminPassword())
                .isEqualTo("long-enough-1");
    }

    @Test
    void firstStart_withoutAKeyGeneratesOneAndLogsItOnce(CapturedOutput output) {
        InMemoryApps apps = new InMemoryApps();
        BootstrapDemoApp bootstrap = new BootstrapDemoApp(apps, props(Map.of()));
        bootstrap.afterPropertiesSet();
        bootstrap.afterPropertiesSet();

        assertThat(apps.keys).hasSize(1);
        String key = apps.keys.getFirst();
        assertThat(key).startsWith("tfk_").hasSize(54);
        assertThat(output.getOut().split(java.util.regex.Pattern.quote(key), -1)).as("logged exactly once").hasSize(2);
    }

    /** Just enough of the directory for the bootstrap. */
    static final class InMemoryApps implements AppDirectory {
        final Map<String, App> apps = new HashMap<>();
        final List<String> keys = new ArrayList<>();

        public Optional<App> appForKey(String key) { return keys.contains(key) ? find("demo") : Optional.empty(); }
        public Optional<App> find(String id) { return Optional.ofNullable(apps.get(id)); }
        public Optional<App> findBySentryProject(long n) { return apps.values().stream().filter(a -> a.sentryProjectId() == n).findFirst(); }
        public List<App> all() { return List.copyOf(apps.values()); }
        public App create(String id, String name, int days, Set<String> origins, int ingestRateLimit) {
            App app = new App(id, name, days, origins, ingestRateLimit, Instant.now(), apps.size() + 1);
            apps.put(id, app);
            return app;
        }
        public String addKey(String appId, String key) {
            keys.add(key);
            return "k" + keys.size();
        }
        public boolean revokeKey(String key) { return keys.remove(key); }
        public boolean anyAppAllowsOrigin(String origin) { return true; }
        public Optional<App> update(String id, String name, Integer days, Set<String> origins, Integer limit) { throw new UnsupportedOperationException(); }
        public boolean delete(String id) { throw new UnsupportedOperationException(); }
        public List<dev.traceflow.apps.IngestKey> keys(String id) { throw new UnsupportedOperationException(); }
        public boolean revokeKey(String id, String keyId) { throw new UnsupportedOperationException(); }
        public boolean expireKey(String id, String keyId, Instant at) { throw new UnsupportedOperationException(); }
    }
}

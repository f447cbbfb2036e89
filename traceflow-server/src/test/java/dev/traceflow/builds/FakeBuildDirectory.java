package dev.traceflow.builds;

import dev.traceflow.builds.internal.run.BuildDirectory;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The builds the log tests make up, in place of the build queue's table (another part of the
 * builds feature): a test registers a build id with its app, and ends it.
 */
public final class FakeBuildDirectory implements BuildDirectory {

    public static final FakeBuildDirectory BUILDS = new FakeBuildDirectory();

    private final Map<String, String> apps = new ConcurrentHashMap<>();
    private final Map<String, String> ended = new ConcurrentHashMap<>();

    public void add(String buildId, String appId) {
        apps.put(buildId, appId);
    }

    public void end(String buildId, String status) {
        ended.put(buildId, status);
    }

    @Override
    public Optional<String> appIdOf(String buildId) {
        return Optional.ofNullable(apps.get(buildId));
    }

    @Override
    public Optional<String> endedStatus(String buildId) {
        return Optional.ofNullable(ended.get(buildId));
    }

    /** Primary: the build queue's own directory, when it is there, stands back in these tests. */
    @TestConfiguration(proxyBeanMethods = false)
    public static class Config {
        @Bean
        @Primary
        BuildDirectory fakeBuildDirectory() {
            return BUILDS;
        }
    }
}

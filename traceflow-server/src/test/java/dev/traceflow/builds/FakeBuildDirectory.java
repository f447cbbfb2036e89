package dev.traceflow.builds;

import dev.traceflow.builds.internal.run.BuildDirectory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Primary;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The builds the log tests make up beside the build queue's real ones: a test registers a build id
 * with its app, and ends it; every other id is the queue's table's to answer. One server for every
 * test (a second one could not open the shared DuckDB file), so this stands in front of the real
 * directory instead of replacing it.
 */
public final class FakeBuildDirectory implements BuildDirectory {

    public static final FakeBuildDirectory BUILDS = new FakeBuildDirectory();

    private final Map<String, String> apps = new ConcurrentHashMap<>();
    private final Map<String, String> ended = new ConcurrentHashMap<>();
    private volatile BuildDirectory real;

    public void add(String buildId, String appId) {
        apps.put(buildId, appId);
    }

    public void end(String buildId, String status) {
        ended.put(buildId, status);
    }

    @Override
    public Optional<String> appIdOf(String buildId) {
        String app = apps.get(buildId);
        return app != null || real == null ? Optional.ofNullable(app) : real.appIdOf(buildId);
    }

    @Override
    public Optional<String> endedStatus(String buildId) {
        return apps.containsKey(buildId) || real == null ? Optional.ofNullable(ended.get(buildId)) : real.endedStatus(buildId);
    }

    /** Found by component scanning in every test server of this module: made-up builds first, then the real ones. */
    @Configuration(proxyBeanMethods = false)
    public static class Config {
        @Bean
        @Primary
        BuildDirectory madeUpThenRealBuilds(@Qualifier("jdbcBuildDirectory") BuildDirectory real) {
            BUILDS.real = real;
            return BUILDS;
        }
    }
}

package dev.traceflow.builds.internal;

import dev.traceflow.builds.internal.run.BuildDirectory;
import org.springframework.stereotype.Component;

import java.util.Optional;

/** {@link BuildDirectory} from the builds table: the log routes and followers ask it about a build. */
@Component
class JdbcBuildDirectory implements BuildDirectory {

    private final JdbcBuilds builds;

    JdbcBuildDirectory(JdbcBuilds builds) {
        this.builds = builds;
    }

    @Override
    public Optional<String> appIdOf(String buildId) {
        return builds.find(buildId).map(Build::appId);
    }

    @Override
    public Optional<String> endedStatus(String buildId) {
        return builds.find(buildId).filter(Build::ended).map(Build::status);
    }
}

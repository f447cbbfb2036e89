package dev.traceflow.builds.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.http.ApiException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * A project as the current caller may see it: the app's viewers and above read it; anyone else
 * gets the same 404 as for a project that does not exist (projects and configs share this).
 */
@Component
class ProjectReader {

    private final JdbcProjects projects;
    private final AppAccess access;

    ProjectReader(JdbcProjects projects, AppAccess access) {
        this.projects = projects;
        this.access = access;
    }

    /** A project and one of its configs. */
    record ProjectConfig(Project project, ConfigInstance config) {
    }

    /**
     * The project and its config {@code configId} when the caller may execute on the project's app, in two statements (the
     * project with its config, then the caller's role). A caller without a role gets the 404 of a project that does not
     * exist, a viewer 403; a config that does not exist or belongs to another project is a 404 of the config.
     */
    ProjectConfig executableWithConfig(String projectId, String configId) {
        JdbcProjects.WithConfig found = projects.findWithConfig(projectId, configId).orElseThrow(() -> Strings.notFound("project", projectId));
        try {
            access.require(found.project().appId(), AppPermission.EXECUTE);
        } catch (ApiException e) {
            if (e.status() == HttpStatus.NOT_FOUND) {
                throw Strings.notFound("project", projectId);
            }
            throw e;
        }
        return new ProjectConfig(found.project(), found.config().orElseThrow(() -> Strings.notFound("config", configId)));
    }

    Project readable(String id) {
        Project p = projects.find(id).orElseThrow(() -> Strings.notFound("project", id));
        try {
            access.require(p.appId(), AppPermission.READ);
        } catch (ApiException e) {
            throw Strings.notFound("project", id);
        }
        return p;
    }
}

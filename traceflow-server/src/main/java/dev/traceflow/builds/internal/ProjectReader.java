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
    private final TriggerRead triggerRead;
    private final AppAccess access;

    ProjectReader(JdbcProjects projects, TriggerRead triggerRead, AppAccess access) {
        this.projects = projects;
        this.triggerRead = triggerRead;
        this.access = access;
    }

    /**
     * What a trigger of the project's config {@code configId} reads ({@link TriggerRead}: the config present) when the caller
     * may execute on the project's app, in two statements (that read, then the caller's role). A caller without a role gets
     * the 404 of a project that does not exist, a viewer 403; a config that does not exist or belongs to another project is
     * a 404 of the config.
     */
    TriggerRead.Found executableForTrigger(String projectId, String configId) {
        TriggerRead.Found found = triggerRead.find(projectId, configId).orElseThrow(() -> Strings.notFound("project", projectId));
        try {
            access.require(found.project().appId(), AppPermission.EXECUTE);
        } catch (ApiException e) {
            if (e.status() == HttpStatus.NOT_FOUND) {
                throw Strings.notFound("project", projectId);
            }
            throw e;
        }
        found.config().orElseThrow(() -> Strings.notFound("config", configId));
        return found;
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

package dev.traceflow.builds.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.http.ApiException;
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

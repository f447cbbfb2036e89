package dev.traceflow.builds.internal.run;

import dev.traceflow.access.AppAccess;
import dev.traceflow.access.AppPermission;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.http.ApiException;
import dev.traceflow.reading.ReadRequests;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.Resource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A build's log over REST (API.md "Builds"): pages after a cursor, and the archive of an ended
 * build. Both need read permission on the build's app (viewer or above); a build the caller
 * cannot see is a 404, as one that does not exist.
 */
@RestController
@Tag(name = "Builds") // described once, on BuildsController: two descriptions make the tag appear twice
class BuildLogsController {

    private final JdbcBuildLogStore store;
    private final ObjectProvider<BuildDirectory> directory;
    private final AppAccess access;
    private final AuditLog audit;
    private final BuildLogProperties settings;

    BuildLogsController(JdbcBuildLogStore store, ObjectProvider<BuildDirectory> directory, AppAccess access, AuditLog audit,
                        BuildLogProperties settings) {
        this.store = store;
        this.directory = directory;
        this.access = access;
        this.audit = audit;
        this.settings = settings;
    }

    @GetMapping("/builds/{id}/logs")
    @Operation(summary = "A build's log lines after a cursor", description = "Role: viewer or above on the build's app (404 otherwise). "
            + "`after`: the last cursor you have (default 0: from the first line); `limit`: 1 to the page size (default: the page size, "
            + "`TRACEFLOW_BUILDS_LOGS_PAGE_SIZE`, 1000). Answer: `{\"lines\": [{\"ts\", \"level\", \"stage\", \"line\", \"cursor\"}], "
            + "\"next\": <ask after this next>, \"done\": <the build ended and no line follows>, \"status\"?: <its final status once done>}`. "
            + "Cursors are gapless from 1 per build; lines are masked for the build's secrets. The same lines stream live over `/ws` "
            + "(`{type:\"subscribe\", buildId, cursor}`).", security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> logs(@PathVariable String id, @RequestParam(required = false) String after,
                             @RequestParam(required = false) String limit) {
        requireRead(id);
        long from = cursor(after);
        int size = ReadRequests.integer(limit == null ? Map.of() : Map.of("limit", limit), "limit", 1, settings.pageSize(), settings.pageSize());
        LogPage page = store.read(id, from, size);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("lines", page.lines().stream().map(BuildLogsController::view).toList());
        body.put("next", page.next());
        body.put("done", page.done());
        if (page.done()) {
            body.put("status", page.status());
        }
        return body;
    }

    @GetMapping("/builds/{id}/logs/archive")
    @Operation(summary = "Download an ended build's whole log", description = "Role: viewer or above on the build's app (404 otherwise). "
            + "`text/plain`, one line per log line: `<ts> <level> <stage> <line>`; line n is cursor n. 404 `LOG_NOT_ARCHIVED` while the "
            + "build runs (the log is archived when it ends). Audited (`build.logs.download`).",
            security = @SecurityRequirement(name = "BearerAuth"))
    ResponseEntity<Resource> archive(@PathVariable String id) {
        String appId = requireRead(id);
        JdbcBuildLogStore.Archive archive = store.archived(id).orElseThrow(() -> new ApiException(HttpStatus.NOT_FOUND,
                "LOG_NOT_ARCHIVED", "The log of build '" + id + "' is archived when the build ends"));
        audit.record("build.logs.download", "build", id, appId, Map.of("bytes", archive.bytes()));
        return ResponseEntity.ok()
                .contentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename("build-" + id + ".log").build().toString())
                .header("X-Content-Type-Options", "nosniff")
                .body(new FileSystemResource(store.archiveFile(archive)));
    }

    /** @return the build's app, once the caller may read it */
    private String requireRead(String buildId) {
        BuildDirectory builds = directory.getIfAvailable();
        String appId = validId(buildId) && builds != null ? builds.appIdOf(buildId).orElse(null) : null;
        if (appId == null) {
            throw ApiException.notFound("No build '" + ApiException.excerpt(buildId) + "'");
        }
        try {
            access.require(appId, AppPermission.READ);
        } catch (ApiException e) {
            if (e.status() == HttpStatus.NOT_FOUND) {
                throw ApiException.notFound("No build '" + ApiException.excerpt(buildId) + "'"); // not a word about its app
            }
            throw e;
        }
        return appId;
    }

    static boolean validId(String buildId) {
        try {
            JdbcBuildLogStore.checkBuildId(buildId);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static long cursor(String after) {
        if (after == null) {
            return 0;
        }
        try {
            long cursor = Long.parseLong(after);
            if (cursor >= 0) {
                return cursor;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ReadRequests.invalid("after", "after must be a cursor: a whole number >= 0");
    }

    static Map<String, Object> view(StoredLine line) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("ts", line.ts().toString());
        view.put("level", line.level());
        view.put("stage", line.stage());
        view.put("line", line.line());
        view.put("cursor", line.cursor());
        return view;
    }
}

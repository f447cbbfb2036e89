package dev.traceflow.access;

/** What a request does to an app's resources (seed 003's read / write / execute, plus manage). */
public enum AppPermission {
    READ(AppRole.VIEWER),
    WRITE(AppRole.EDITOR),
    EXECUTE(AppRole.EDITOR),
    MANAGE(AppRole.OWNER);

    private final AppRole minimumRole;

    AppPermission(AppRole minimumRole) {
        this.minimumRole = minimumRole;
    }

    public AppRole minimumRole() {
        return minimumRole;
    }
}

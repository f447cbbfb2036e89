package dev.traceflow.access;

import java.util.Set;

/**
 * The apps a caller may act on with one permission: every app (admins) or a fixed set.
 * Read endpoints that list across apps filter with it.
 */
public record AppScope(boolean everyApp, Set<String> appIds) {

    public static AppScope all() {
        return new AppScope(true, Set.of());
    }

    public static AppScope of(Set<String> appIds) {
        return new AppScope(false, Set.copyOf(appIds));
    }

    public boolean contains(String appId) {
        return everyApp || appIds.contains(appId);
    }

    public boolean isEmpty() {
        return !everyApp && appIds.isEmpty();
    }
}

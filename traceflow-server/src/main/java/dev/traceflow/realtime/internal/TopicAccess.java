package dev.traceflow.realtime.internal;

import dev.traceflow.access.AppRole;

import java.util.Locale;
import java.util.Optional;

/**
 * Who a connection is to an app's topic rules, and what a rule asks for: each level includes the
 * ones before it. {@link #ANONYMOUS} is a browser page with the app's public browser key;
 * {@link #SERVER} a backend with the app's secret server key, which every rule lets through (a rule
 * that asks for {@code server} is closed to every client and open to backends only).
 */
enum TopicAccess {
    ANONYMOUS, VIEWER, EDITOR, OWNER, SERVER;

    boolean reaches(TopicAccess required) {
        return compareTo(required) >= 0;
    }

    String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    static TopicAccess of(AppRole role) {
        return switch (role) {
            case VIEWER -> VIEWER;
            case EDITOR -> EDITOR;
            case OWNER -> OWNER;
        };
    }

    static Optional<TopicAccess> parse(String value) {
        for (TopicAccess a : values()) {
            if (a.wireName().equals(value)) {
                return Optional.of(a);
            }
        }
        return Optional.empty();
    }
}

package dev.traceflow.errors;

import dev.traceflow.storage.EventsStored;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Component;

/**
 * Keeps the error groups up to date with what the event store loaded, then tells the others
 * ({@link ErrorGroupCreated}, {@link ErrorGroupRegressed}). {@link EventsStored} comes on one
 * thread, load after load in order, so the groups' counts and times follow the store's loads;
 * the row locks of {@link JdbcErrorGroups} still make concurrent writers (a status change, a
 * second server on the same metadata database) safe.
 */
@Component
class ErrorGroupsFromEvents {

    private static final Logger log = LoggerFactory.getLogger(ErrorGroupsFromEvents.class);

    private final JdbcErrorGroups groups;
    private final ApplicationEventPublisher events;

    ErrorGroupsFromEvents(JdbcErrorGroups groups, ApplicationEventPublisher events) {
        this.groups = groups;
        this.events = events;
    }

    @EventListener
    void stored(EventsStored stored) {
        for (EventsStored.AppEvents app : stored.apps()) {
            if (app.errorGroups().isEmpty()) {
                continue;
            }
            JdbcErrorGroups.Changes changes;
            try {
                changes = groups.record(app.appId(), app.errorGroups(), stored.storedAt());
            } catch (DataAccessException e) {
                // e.g. the app was deleted while its last events were loading: nothing to keep
                log.warn("could not update the error groups of app {}: {}", app.appId(), e.getMessage());
                continue;
            }
            for (ErrorGroup g : changes.created()) {
                events.publishEvent(new ErrorGroupCreated(g.appId(), g.id(), g.fingerprint(), g.type(), g.message(), g.firstSeen()));
            }
            for (ErrorGroup g : changes.regressed()) {
                events.publishEvent(new ErrorGroupRegressed(g.appId(), g.id(), g.fingerprint(), g.type(), g.message(),
                        g.lastRegressedAt(), g.regressions(), g.lastSeen()));
            }
        }
    }
}

package dev.traceflow.behavior;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.traceflow.core.query.SessionSummary;
import io.swagger.v3.oas.annotations.media.Schema;

import java.time.Instant;

/** A session as {@code GET /api/sessions} lists it (API.md); absent values are written as null. */
@JsonInclude(JsonInclude.Include.ALWAYS)
record SessionView(
        @Schema(description = "The client's sessionId, or `~` and 16 hex digits for a session formed by the server "
                + "(events without sessionId, per user, 30 minutes of inactivity end it)") String id,
        @Schema(description = "The first userId seen in the session, or null") String userId,
        @Schema(description = "Time of the first event") Instant startTime,
        @Schema(description = "Time of the last event") Instant endTime,
        @Schema(description = "endTime - startTime in seconds") double duration,
        @Schema(description = "`pageview` events") long pageViews,
        @Schema(description = "All events of the session") long events,
        @Schema(description = "Exactly one page view and no conversion") boolean bounced,
        @Schema(description = "Duration >= 10 s, or >= 2 page views, or a conversion") boolean engaged,
        @Schema(description = "Path of the first page view, or null without page views") String entryPage,
        @Schema(description = "Path of the last page view, or null without page views") String exitPage) {

    static SessionView of(SessionSummary s) {
        return new SessionView(s.id(), s.userId(), Instant.ofEpochMilli(s.start()), Instant.ofEpochMilli(s.end()),
                s.durationSeconds(), s.pageViews(), s.events(), s.bounced(), s.engaged(), s.entryPage(), s.exitPage());
    }
}

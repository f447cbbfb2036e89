package dev.traceflow.ingest;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import dev.traceflow.core.event.Event;
import dev.traceflow.core.event.EventDetails;
import dev.traceflow.core.event.EventType;
import dev.traceflow.proto.v1.AnalyticsEvent;
import dev.traceflow.proto.v1.ErrorOccurredEvent;
import dev.traceflow.proto.v1.EventContext;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Seed 002's {@code AnalyticsEvent} to TraceFlow events. A typed event becomes a custom event
 * named after its oneof field in snake_case ({@code message_sent}) whose properties are the
 * typed fields under their proto3 JSON names ({@code chatId}, {@code hasMentions}); context
 * fields become the common fields (client_id → anonymousId, app_version → release,
 * client_ts → timestamp). {@code error_occurred} is stored twice, as that custom event and as an
 * {@code error} (so it counts in both product analytics and error groups); the answer counts both.
 */
final class AnalyticsMapping {

    private AnalyticsMapping() {
    }

    /** @throws FieldReader.FieldError when the message lacks a timestamp or a typed event */
    static List<Event> toEvents(AnalyticsEvent message, String keyAppId, int size, String headerUserAgent, long receivedAt) {
        EventContext ctx = message.getContext();
        if (message.getEventTypeCase() == AnalyticsEvent.EventTypeCase.EVENTTYPE_NOT_SET) {
            throw new FieldReader.FieldError("MISSING_FIELD", "the AnalyticsEvent holds no typed event");
        }
        if (ctx.getClientTs() <= 0) {
            throw new FieldReader.FieldError("MISSING_FIELD", "context.client_ts (epoch milliseconds) is required");
        }
        String appId = ctx.getAppId().isEmpty() ? keyAppId : ctx.getAppId();
        FieldDescriptor typed = message.getDescriptorForType().findFieldByNumber(message.getEventTypeCase().getNumber());
        String name = typed.getName();
        Map<String, Object> properties = fields((Message) message.getField(typed));
        Map<String, Object> metadata = context(ctx);

        List<Event> events = new ArrayList<>(2);
        events.add(builder(ctx, appId, EventType.EVENT, size, headerUserAgent, receivedAt)
                .eventId(blankToNull(ctx.getEventId()))
                .properties(properties)
                .metadata(metadata)
                .details(new EventDetails.CustomEventDetails(name))
                .build());
        if (message.hasErrorOccurred()) {
            ErrorOccurredEvent err = message.getErrorOccurred();
            String text = err.getErrorMessage().isBlank() ? "(no message)" : err.getErrorMessage();
            events.add(builder(ctx, appId, EventType.ERROR, size, headerUserAgent, receivedAt)
                    .eventId(ctx.getEventId().isEmpty() ? null : ctx.getEventId() + ":error")
                    .properties(properties)
                    .metadata(metadata)
                    .details(new EventDetails.ErrorDetails(text, blankToNull(err.getStackTrace()), blankToNull(err.getErrorType()),
                            null, null, null, null))
                    .build());
        }
        return events;
    }

    private static Event.Builder builder(EventContext ctx, String appId, EventType type, int size, String headerUa, long receivedAt) {
        String ua = blankToNull(ctx.getUserAgent());
        return Event.builder(appId, type, ctx.getClientTs())
                .index(0)
                .sizeBytes(size)
                .receivedAt(receivedAt)
                .sessionId(blankToNull(ctx.getSessionId()))
                .userId(blankToNull(ctx.getUserId()))
                .anonymousId(blankToNull(ctx.getClientId()))
                .release(blankToNull(ctx.getAppVersion()))
                .url(blankToNull(ctx.getUrl()))
                .userAgent(ua != null ? ua : headerUa)
                .country(ctx.hasGeo() ? blankToNull(ctx.getGeo().getCountry()) : null);
    }

    /** System info and geo, kept as metadata; the client IP is deliberately dropped. */
    private static Map<String, Object> context(EventContext ctx) {
        Map<String, Object> meta = new LinkedHashMap<>();
        if (ctx.hasSystem()) {
            meta.put("system", fields(ctx.getSystem()));
        }
        if (ctx.hasGeo()) {
            meta.put("geo", fields(ctx.getGeo()));
        }
        return meta;
    }

    /**
     * Contact details that typed events carry (seed 002's login, logout and register events have
     * {@code email}) and that are never stored: dropped, not hashed, because a hash of an e-mail
     * address is still a key to that person (anyone holding the address can recompute it), and no
     * answer of TraceFlow needs it. Users are told apart by {@code user_id}.
     */
    static final Set<String> CONTACT_FIELDS = Set.of("email", "phone", "phone_number");

    /**
     * Set fields of a flat message under their JSON names; enums by name, 64-bit ints as numbers;
     * {@link #CONTACT_FIELDS} left out.
     */
    private static Map<String, Object> fields(Message m) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<FieldDescriptor, Object> f : m.getAllFields().entrySet()) {
            if (CONTACT_FIELDS.contains(f.getKey().getName())) {
                continue;
            }
            Object v = f.getValue();
            if (v instanceof EnumValueDescriptor e) {
                v = e.getName();
            } else if (v instanceof Message nested) {
                v = fields(nested);
            }
            out.put(f.getKey().getJsonName(), v);
        }
        return out;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}

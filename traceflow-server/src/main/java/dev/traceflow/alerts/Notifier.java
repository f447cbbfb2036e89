package dev.traceflow.alerts;

import dev.traceflow.auth.SecretSealer;
import dev.traceflow.realtime.RealtimePublisher;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns an incident's start or end into one delivery per channel of its rule: recorded in the
 * incident's transaction (so a notification exists exactly when the change does), handed to the
 * {@link AlertSender} after commit (so a slow receiver never holds a rule's lock or the
 * evaluation), and updated as the sender's attempts come back.
 */
@Component
class Notifier implements DeliveryRecorder {

    private static final Logger log = LoggerFactory.getLogger(Notifier.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final JdbcAlertChannels channels;
    private final JdbcIncidents incidents;
    private final AlertSender sender;
    private final SecretSealer sealer;
    private final MeterRegistry registry;
    private final RealtimePublisher realtime;

    /** What a transaction recorded to send once it has committed. */
    record Outgoing(List<AlertMessage> messages, List<TopicEvent> topicEvents) {
        static final Outgoing NONE = new Outgoing(List.of(), List.of());
    }

    /** An alert for a realtime channel: an event on one of the app's topics. */
    record TopicEvent(String deliveryId, String appId, String topic, String jsonBody) {
    }

    Notifier(JdbcAlertChannels channels, JdbcIncidents incidents, AlertSender sender, SecretSealer sealer, MeterRegistry registry,
             RealtimePublisher realtime) {
        this.realtime = realtime;
        this.channels = channels;
        this.incidents = incidents;
        this.sender = sender;
        this.sealer = sealer;
        this.registry = registry;
    }

    /**
     * Records the deliveries of an incident's {@code event} ({@code firing} or {@code resolved}).
     * Call inside the transaction that changed the incident.
     *
     * @return the messages to {@link #send} once that transaction has committed
     */
    Outgoing record(AlertRule rule, Incident incident, String event, Instant now, Map<String, Object> facts) {
        boolean silenced = incidents.silenced(rule.appId(), rule.id(), now);
        List<AlertMessage> out = new ArrayList<>();
        List<TopicEvent> topicEvents = new ArrayList<>();
        for (String channelId : rule.channelIds()) {
            AlertChannel channel = channels.find(channelId).filter(c -> c.appId().equals(rule.appId())).orElse(null);
            String deliveryId = UUID.randomUUID().toString();
            String type = channel == null ? "unknown" : channel.type().wireName();
            String status;
            String detail = null;
            ChannelTarget target = null;
            if (channel == null) {
                status = "skipped";
                detail = "the channel was deleted";
            } else if (silenced) {
                status = "silenced";
                detail = "a silence held it back";
            } else if (channel.type() == ChannelType.EMAIL && !sender.emailConfigured()) {
                status = "skipped";
                detail = "e-mail is not configured (TRACEFLOW_SMTP_HOST)";
            } else if (channel.type() == ChannelType.REALTIME) {
                status = "pending";
                topicEvents.add(new TopicEvent(deliveryId, rule.appId(), channel.topic(), body(rule, incident, event, now, facts)));
            } else {
                status = "pending";
                target = switch (channel.type()) {
                    case WEBHOOK -> new ChannelTarget.Webhook(URI.create(channel.url()), sealer.unseal(channel.secretSealed(), channel.id()));
                    case EMAIL -> new ChannelTarget.Email(channel.to());
                    case REALTIME -> throw new IllegalStateException("handled above");
                };
            }
            incidents.insert(new Delivery(deliveryId, incident.id(), channelId, type, event, status, 0, detail, now, null));
            registry.counter("traceflow.alerts.notifications", "event", event, "status", status).increment();
            if (target != null) {
                out.add(new AlertMessage(deliveryId, channelId, target, subject(incident, event),
                        body(rule, incident, event, now, facts), text(rule, incident, event, facts)));
            }
        }
        return new Outgoing(out, topicEvents);
    }

    /** Hands recorded messages to the sender; one it cannot queue is recorded as failed at once. */
    void send(Outgoing outgoing, Instant now) {
        for (TopicEvent e : outgoing.topicEvents()) {
            // in process and bounded by the broker's own limits: published at once, not queued
            try {
                long seq = realtime.publish(e.appId(), e.topic(), e.jsonBody(), e.deliveryId());
                incidents.attempted(e.deliveryId(), 1, "delivered", "topic " + e.topic() + " seq " + seq, now);
            } catch (RealtimePublisher.RealtimePublishRefused ex) {
                incidents.attempted(e.deliveryId(), 1, "failed", ex.code() + ": " + ex.getMessage(), now);
            } catch (IllegalArgumentException ex) {
                incidents.attempted(e.deliveryId(), 1, "failed", ex.getMessage(), now);
            }
        }
        for (AlertMessage m : outgoing.messages()) {
            if (!sender.submit(m)) {
                incidents.attempted(m.deliveryId(), 0, "failed", "the delivery queue was full", now);
                log.warn("Alert delivery {} dropped: the delivery queue is full", m.deliveryId());
            }
        }
    }

    @Override
    public void attempted(DeliveryAttempt a) {
        String status = a.delivered() ? "delivered" : a.last() ? "failed" : "pending";
        incidents.attempted(a.deliveryId(), a.attempt(), status, a.detail(), a.at());
    }

    static String subject(Incident incident, String event) {
        return "[TraceFlow] " + (event.equals(Incident.FIRING) ? "Firing" : "Resolved") + ": " + incident.title();
    }

    /** The webhook body: what happened, to which incident of which rule, with the numbers that made it. */
    static String body(AlertRule rule, Incident incident, String event, Instant now, Map<String, Object> facts) {
        Map<String, Object> i = new LinkedHashMap<>();
        i.put("id", incident.id());
        i.put("state", event);
        i.put("title", incident.title());
        i.put("startedAt", incident.startedAt().toString());
        if (event.equals(Incident.RESOLVED)) {
            i.put("resolvedAt", now.toString());
        }
        i.put("value", incident.value());
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", rule.id());
        r.put("name", rule.name());
        r.put("kind", rule.kind().wireName());
        if (rule.metric() != null) {
            r.put("metric", rule.metric());
            r.put("window", rule.window().toString());
        }
        if (rule.comparison() != null) {
            r.put("comparison", rule.comparison().wireName());
        }
        if (rule.threshold() != null) {
            r.put("threshold", rule.threshold());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", event);
        body.put("appId", rule.appId());
        body.put("incident", i);
        body.put("rule", r);
        body.put("facts", facts);
        body.put("sentAt", now.toString());
        return JSON.writeValueAsString(body);
    }

    static String text(AlertRule rule, Incident incident, String event, Map<String, Object> facts) {
        StringBuilder t = new StringBuilder();
        t.append(event.equals(Incident.FIRING) ? "Firing: " : "Resolved: ").append(incident.title()).append('\n');
        t.append("App: ").append(rule.appId()).append('\n');
        t.append("Rule: ").append(rule.name()).append(" (").append(rule.kind().wireName()).append(")\n");
        t.append("Started: ").append(incident.startedAt()).append('\n');
        facts.forEach((k, v) -> t.append(k).append(": ").append(v).append('\n'));
        t.append("Incident: ").append(incident.id()).append('\n');
        return t.toString();
    }
}

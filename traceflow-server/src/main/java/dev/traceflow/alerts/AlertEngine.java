package dev.traceflow.alerts;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.core.query.EventQuery;
import dev.traceflow.core.query.Metric;
import dev.traceflow.core.storage.EventStorage;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import jakarta.annotation.PreDestroy;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Evaluates rules and keeps their incidents. Time is always an argument, never read here: the
 * scheduler passes the clock's, tests move it by hand.
 *
 * <p>A scheduled rule measures complete minutes: its window ends at the start of the current
 * minute, so a minute still filling up never looks like a dip, and every rule evaluated within one
 * minute sees windows that end at the same time. That lets the rounds of one minute share what they
 * read ({@link MinuteAnswers}): an answer once per (app, filters, window), counts once per (app,
 * filters) whatever the windows, so a thousand rules on one app cost a few queries per distinct
 * question, not one each. The minute's first read waits until every event acknowledged so far is
 * loaded, so a rule due a second after its window ends still counts the events sent inside it.
 */
@Component
class AlertEngine {

    private static final Logger log = LoggerFactory.getLogger(AlertEngine.class);
    static final int MAX_ERROR_LENGTH = 1000;

    private final JdbcAlertRules rules;
    private final JdbcIncidents incidents;
    private final StoreSources store;
    private final Notifier notifier;
    private final EventStorage storage;
    private final TransactionTemplate tx;
    private final TraceFlowProperties.Alerts properties;
    private final MeterRegistry registry;
    private final Timer roundTimer;

    @Autowired
    AlertEngine(JdbcAlertRules rules, JdbcIncidents incidents, StoreSources store, Notifier notifier, EventStorage storage,
                TransactionTemplate tx, TraceFlowProperties properties, MeterRegistry registry) {
        this(rules, incidents, store, notifier, storage, tx, properties.alerts(), registry);
    }

    AlertEngine(JdbcAlertRules rules, JdbcIncidents incidents, StoreSources store, Notifier notifier, EventStorage storage,
                TransactionTemplate tx, TraceFlowProperties.Alerts properties, MeterRegistry registry) {
        this.rules = rules;
        this.incidents = incidents;
        this.store = store;
        this.notifier = notifier;
        this.storage = storage;
        this.tx = tx;
        this.properties = properties;
        this.registry = registry;
        this.roundTimer = Timer.builder("traceflow.alerts.round").description("One scheduler round over the due rules")
                .register(registry);
        this.evaluationTimer = Timer.builder("traceflow.alerts.evaluation")
                .description("One rule's evaluation, its share of the minute's queries included").register(registry);
        this.lateness = Timer.builder("traceflow.alerts.lateness")
                .description("How long after its due time a rule's evaluation started (rounds longer than a tick make it grow)")
                .register(registry);
        this.storeReads = registry.counter("traceflow.alerts.queries");
        this.behindIngest = Counter.builder("traceflow.alerts.catch-up.timeouts")
                .description("Minutes whose rules read the store before every event acknowledged until then was loaded")
                .register(registry);
    }

    private final Timer evaluationTimer;
    private final Timer lateness;
    /** Queries the rules sent to the store: with shared answers, far fewer than evaluations. */
    private final Counter storeReads;
    private final Counter behindIngest;

    /** What the rules of the current minute have read from the store, shared by every rule evaluated in it. */
    private MinuteAnswers answers;
    /** Evaluates rules in parallel when {@code evaluation-threads} is above one; daemon threads, made on first use. */
    private ExecutorService pool;

    /**
     * Evaluates every enabled threshold and anomaly rule due at {@code now}, each claimed first so
     * that two servers sharing the database never evaluate one rule twice in a round.
     *
     * @return how many rules were evaluated
     */
    synchronized int evaluateDue(Instant at) {
        // stored times keep microseconds or less (H2 rounds): a state's start must compare exactly with
        // the next round's time, or a "for" of two minutes would hold one round longer
        Instant now = at.truncatedTo(ChronoUnit.MILLIS);
        long started = System.nanoTime();
        // rules are spread over the minute, so its rounds (one per scheduler tick) all measure the
        // same complete-minute windows: the answers are kept until the minute changes, not per round
        Instant minute = now.truncatedTo(ChronoUnit.MINUTES);
        if (answers == null || !minute.equals(answers.minute())) {
            answers = new MinuteAnswers(minute, store, storeReads::increment, () -> {
                behindIngest.increment();
                log.warn("Alert rules of {} measure what is loaded: the events acknowledged before it were not all loaded after {}",
                        minute, StoreSources.CATCH_UP_WAIT);
            });
        }
        int evaluated = 0;
        MinuteAnswers shared = answers;
        while (true) {
            List<AlertRule> due = rules.due(now, properties.roundBatch());
            List<Callable<Void>> claimed = new ArrayList<>(due.size());
            for (AlertRule r : due) {
                Instant next = nextAfter(r.evaluation().nextAt(), r.interval(), now);
                if (rules.claim(r.id(), r.evaluation().nextAt(), next)) {
                    claimed.add(() -> {
                        long start = System.nanoTime();
                        // the round's time stands for the whole round; a rule started later in it is that much later
                        lateness.record(Duration.between(r.evaluation().nextAt(), now).plusNanos(start - started));
                        evaluate(r, now, shared);
                        evaluationTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
                        return null;
                    });
                }
            }
            if (claimed.isEmpty()) {
                break;
            }
            runAll(claimed);
            evaluated += claimed.size();
        }
        if (evaluated > 0) {
            roundTimer.record(Duration.ofNanos(System.nanoTime() - started));
            registry.counter("traceflow.alerts.evaluations").increment(evaluated);
        }
        return evaluated;
    }

    /**
     * Evaluates the claimed rules, {@code evaluation-threads} at a time: on the calling thread for
     * one, else on a pool of platform threads (DuckDB's queries run in native code on the calling
     * thread, which would hold a virtual thread's carrier just as long), made when first needed.
     */
    private void runAll(List<Callable<Void>> work) {
        if (properties.evaluationThreads() == 1 || work.size() == 1) {
            for (Callable<Void> w : work) {
                call(w);
            }
            return;
        }
        if (pool == null) {
            pool = Executors.newFixedThreadPool(properties.evaluationThreads(),
                    Thread.ofPlatform().name("alerts-eval-", 1).daemon().factory());
        }
        List<Future<Void>> running = new ArrayList<>(work.size());
        for (Callable<Void> w : work) {
            running.add(pool.submit(() -> {
                call(w);
                return null;
            }));
        }
        for (Future<Void> f : running) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                running.forEach(r -> r.cancel(true));
                throw new IllegalStateException("interrupted during an alert round", e);
            }
        }
    }

    @PreDestroy
    synchronized void close() {
        if (pool != null) {
            pool.shutdownNow();
            pool = null;
        }
    }

    private static void call(Callable<Void> w) {
        try {
            w.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The first time after {@code now} on the rule's own beat (its first due time plus whole intervals). */
    static Instant nextAfter(Instant previous, Duration interval, Instant now) {
        long step = interval.toMillis();
        long behind = now.toEpochMilli() - previous.toEpochMilli();
        long steps = behind < 0 ? 1 : behind / step + 1;
        return previous.plusMillis(steps * step);
    }

    /** When a new or changed rule is first due: spread over one interval by its id, so rules made together do not run together. */
    static Instant firstDue(String ruleId, Duration interval, Instant now) {
        long offset = Math.floorMod(ruleId.hashCode(), Math.max(1, interval.toMillis()));
        return now.plusMillis(offset);
    }

    private void evaluate(AlertRule rule, Instant now, MinuteAnswers answers) {
        AlertMetric metric = rule.parsedMetric();
        Instant end = now.truncatedTo(ChronoUnit.MINUTES);
        EventQuery q = new EventQuery(rule.appId(), end.minus(rule.window()), end, rule.filters(), null, ZoneOffset.UTC);
        Outcome outcome;
        try {
            outcome = rule.kind() == AlertKind.ANOMALY ? anomaly(rule, metric, q, answers) : threshold(rule, metric, q, answers);
        } catch (RuntimeException e) {
            String reason = reason(e);
            log.warn("Alert rule {} of app {} could not be evaluated: {}", rule.id(), rule.appId(), reason);
            registry.counter("traceflow.alerts.evaluation.failures").increment();
            tx.executeWithoutResult(t -> rules.lock(rule.id()).filter(r -> r.updatedAt().equals(rule.updatedAt()))
                    .ifPresent(r -> rules.saveEvaluation(r.id(), Transitions.failed(r.evaluation(), reason, now))));
            return;
        }
        Notifier.Outgoing messages = tx.execute(t -> {
            // a rule changed or deleted since it was read starts afresh with its new definition
            Optional<AlertRule> locked = rules.lock(rule.id()).filter(r -> r.updatedAt().equals(rule.updatedAt()));
            if (locked.isEmpty()) {
                return Notifier.Outgoing.NONE;
            }
            AlertRule current = locked.get();
            Optional<Incident> open = incidents.open(current.id(), null);
            Transitions.Step step = Transitions.next(current.evaluation(), open.isPresent(), outcome.holds(), outcome.value(), now,
                    current.forDuration(), current.cooldown());
            rules.saveEvaluation(current.id(), step.evaluation());
            return switch (step.action()) {
                case NONE -> Notifier.Outgoing.NONE;
                case OPEN_INCIDENT -> {
                    Incident incident = new Incident(UUID.randomUUID().toString(), current.id(), current.appId(), null,
                            outcome.title(), Incident.FIRING, now, null, outcome.value(), null, null);
                    incidents.insert(incident);
                    registry.counter("traceflow.alerts.incidents", "kind", current.kind().wireName()).increment();
                    yield notifier.record(current, incident, Incident.FIRING, now, outcome.facts());
                }
                case RESOLVE_INCIDENT -> {
                    incidents.resolve(open.get().id(), now);
                    yield notifier.record(current, open.get(), Incident.RESOLVED, now, outcome.facts());
                }
            };
        });
        notifier.send(messages, now);
    }

    /** What one evaluation found: whether the condition holds, the value, and words and numbers for the notification. */
    private record Outcome(boolean holds, Double value, String title, Map<String, Object> facts) {
    }

    private Outcome threshold(AlertRule rule, AlertMetric metric, EventQuery q, MinuteAnswers answers) {
        Measurement m = MetricReader.measure(metric, q, answers);
        boolean enough = !metric.sampled() || m.samples() >= rule.minSamples();
        boolean holds = enough && m.value() != null && rule.comparison().holds(m.value(), rule.threshold());
        Map<String, Object> facts = facts(rule, q, m, enough);
        facts.put("threshold", rule.comparison().symbol() + " " + number(rule.threshold()));
        String title = rule.name() + ": " + metric.wireName() + " " + number(m.value()) + " " + rule.comparison().symbol() + " "
                + number(rule.threshold()) + " over " + human(rule.window());
        return new Outcome(holds, m.value(), title, facts);
    }

    private Outcome anomaly(AlertRule rule, AlertMetric metric, EventQuery q, MinuteAnswers answers) {
        Measurement m = MetricReader.measure(metric, q, answers);
        boolean enough = !metric.sampled() || m.samples() >= rule.minSamples();
        List<Double> baseline = new ArrayList<>();
        for (int week = 1; week <= rule.anomalyWeeks(); week++) {
            Duration back = Duration.ofDays(7L * week);
            EventQuery past = new EventQuery(q.appId(), q.from().minus(back), q.to().minus(back), q.filters(), null, ZoneOffset.UTC);
            Measurement p = MetricReader.measure(metric, past, answers);
            if (p.value() != null && (!metric.sampled() || p.samples() >= rule.minSamples())) {
                baseline.add(p.value());
            }
        }
        boolean count = !metric.sampled() && !(metric.source() == AlertMetric.Source.ENGINE && metric.engineMetric() == Metric.REVENUE);
        AnomalyBand band = AnomalyBand.of(baseline, rule.anomalyFactor(), count);
        boolean holds = enough && m.value() != null && band != null && band.outside(m.value(), rule.comparison());
        Map<String, Object> facts = facts(rule, q, m, enough);
        if (band == null) {
            facts.put("band", "not enough history (" + baseline.size() + " of the last " + rule.anomalyWeeks() + " weeks have data)");
        } else {
            facts.put("band", number(band.lower()) + " .. " + number(band.upper()) + " (median " + number(band.median())
                    + " of the same window in the last " + baseline.size() + " weeks)");
        }
        String where = band == null || m.value() == null ? "unusual" : m.value() > band.upper() ? "above its usual "
                + number(band.lower()) + " .. " + number(band.upper()) : "below its usual " + number(band.lower()) + " .. "
                + number(band.upper());
        String title = rule.name() + ": " + metric.wireName() + " " + number(m.value()) + " " + where + " over " + human(rule.window());
        return new Outcome(holds, m.value(), title, facts);
    }

    private static Map<String, Object> facts(AlertRule rule, EventQuery q, Measurement m, boolean enough) {
        Map<String, Object> facts = new LinkedHashMap<>();
        facts.put("metric", rule.metric());
        facts.put("value", m.value());
        facts.put("samples", m.samples());
        if (!enough) {
            facts.put("note", "fewer samples than minSamples (" + rule.minSamples() + "): no decision");
        }
        facts.put("from", q.from().toString());
        facts.put("to", q.to().toString());
        if (!rule.filters().isEmpty()) {
            facts.put("filters", rule.filters().byColumn());
        }
        return facts;
    }

    // event-driven rules

    /**
     * An error group appeared or reopened: an incident (and its notifications) for every enabled
     * rule of that kind in the app whose scope the group's events fall in, unless the rule already
     * has one open about the group.
     *
     * @param around event time of the group's events that caused the change
     */
    void errorGroupChanged(AlertKind kind, String appId, long groupId, String fingerprint, String title, Instant around, Instant at) {
        Instant now = at.truncatedTo(ChronoUnit.MILLIS);
        String subject = Long.toString(groupId);
        for (AlertRule rule : rules.enabledOfKind(appId, kind)) {
            if (!rule.filters().isEmpty() && !inScope(rule, fingerprint, around, now)) {
                continue;
            }
            Notifier.Outgoing messages = tx.execute(t -> {
                Optional<AlertRule> locked = rules.lock(rule.id());
                if (locked.isEmpty() || !locked.get().enabled() || incidents.open(rule.id(), subject).isPresent()) {
                    return Notifier.Outgoing.NONE;
                }
                Incident incident = new Incident(UUID.randomUUID().toString(), rule.id(), appId, subject,
                        rule.name() + ": " + title, Incident.FIRING, now, null, (double) groupId, null, null);
                incidents.insert(incident);
                registry.counter("traceflow.alerts.incidents", "kind", kind.wireName()).increment();
                Map<String, Object> facts = new LinkedHashMap<>();
                facts.put("errorGroupId", groupId);
                facts.put("fingerprint", fingerprint);
                return notifier.record(locked.get(), incident, Incident.FIRING, now, facts);
            });
            notifier.send(messages, now);
        }
    }

    /** A person resolved or ignored an error group: its open incidents resolve. */
    void errorGroupClosed(String appId, long groupId, String status, Instant at) {
        Instant now = at.truncatedTo(ChronoUnit.MILLIS);
        for (Incident open : incidents.openAbout(appId, Long.toString(groupId))) {
            Notifier.Outgoing messages = tx.execute(t -> {
                Optional<AlertRule> rule = rules.lock(open.ruleId());
                Optional<Incident> still = incidents.open(open.ruleId(), open.subject());
                if (rule.isEmpty() || still.isEmpty()) {
                    return Notifier.Outgoing.NONE;
                }
                incidents.resolve(open.id(), now);
                Map<String, Object> facts = new LinkedHashMap<>();
                facts.put("errorGroupId", groupId);
                facts.put("status", status);
                return notifier.record(rule.get(), open, Incident.RESOLVED, now, facts);
            });
            notifier.send(messages, now);
        }
    }

    /** Whether the group has events matching the rule's filters around the change (a minute either side). */
    private boolean inScope(AlertRule rule, String fingerprint, Instant around, Instant now) {
        Instant from = around.minus(Duration.ofMinutes(1));
        Instant to = (now.isAfter(around) ? now : around).plus(Duration.ofMinutes(1));
        EventQuery q = new EventQuery(rule.appId(), from, to, rule.filters(), null, ZoneOffset.UTC);
        return storage.errors().groups(q).stream().anyMatch(g -> g.fingerprint().equals(fingerprint));
    }

    private static String reason(RuntimeException e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.length() > MAX_ERROR_LENGTH ? message.substring(0, MAX_ERROR_LENGTH) : message;
    }

    static String number(Double v) {
        if (v == null) {
            return "n/a";
        }
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString(v.longValue());
        }
        return String.format(Locale.ROOT, "%.4g", v);
    }

    static String human(Duration d) {
        return d.toString().substring(2).toLowerCase(Locale.ROOT);
    }
}

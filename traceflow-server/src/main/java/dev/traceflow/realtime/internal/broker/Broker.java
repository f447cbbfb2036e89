package dev.traceflow.realtime.internal.broker;

import dev.traceflow.realtime.ConnectionStreams;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The realtime broker, whatever the transport: topics with gapless per-topic {@code seq}, an
 * {@code epoch}, bounded history and resume, acknowledged and redelivered events, idempotent
 * publishes, bounded send queues, and the limits of API.md "Realtime".
 * <p>
 * <b>Topics belong to apps.</b> A topic is an app id and a name; the name is what clients write
 * ({@code orders:42}), the app is the connection's (fixed when it connects) or the server key's
 * (HTTP publish). No message names an app, so no subscription, publish or replay can reach
 * another app's topic: {@code orders:42} of app {@code shop} and of app {@code kiosk} are two
 * topics with their own sequence and history.
 * <p>
 * Everything is in memory, per server instance: a restart, or a topic idle for
 * {@link BrokerSettings#topicIdleTtl()}, starts the topic over with a new epoch, and a client
 * resuming from the old one gets {@code recovered:false}.
 */
public final class Broker {

    private static final Logger LOG = LoggerFactory.getLogger(Broker.class);

    final BrokerSettings settings;
    final Clock clock;
    final TimeMeter time;
    final Timers timers;
    final Executor executor;
    final BrokerMeters meters;
    private final TopicKinds kinds;
    final ConnectionEvents events;
    private final HistoryBudget historyBudget;
    private final Map<TopicKey, Topic> topics = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> topicsPerApp = new ConcurrentHashMap<>();
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Map<String, Integer> connectionsPerUser = new ConcurrentHashMap<>();
    private final Map<String, Integer> connectionsPerIp = new ConcurrentHashMap<>();
    private final AtomicLong connectionIds = new AtomicLong();
    private volatile ConnectionStreams streams = ConnectionStreams.NONE;
    private volatile boolean stopped = true;
    /** several instances share the topics through it; null: in memory, this instance's own */
    private volatile TopicStore store;
    /** bumped by every start: a timer chain of an earlier start ends instead of running twice */
    private final AtomicInteger generation = new AtomicInteger();

    private record TopicKey(String appId, String name) {
    }

    /**
     * @param time     Bucket4j's view of {@code clock}, for the rate limits
     * @param executor runs each connection's writer and blocking checks; virtual threads in the server
     */
    public Broker(BrokerSettings settings, Clock clock, TimeMeter time, Timers timers, Executor executor, MeterRegistry registry,
                  TopicKinds kinds) {
        this(settings, clock, time, timers, executor, registry, kinds, ConnectionEvents.NONE);
    }

    /** @param events told when connections open, subscribe, unsubscribe and close (the audit trail) */
    public Broker(BrokerSettings settings, Clock clock, TimeMeter time, Timers timers, Executor executor, MeterRegistry registry,
                  TopicKinds kinds, ConnectionEvents events) {
        this.settings = settings;
        this.events = events;
        this.clock = clock;
        this.time = time;
        this.timers = timers;
        this.executor = executor;
        this.kinds = kinds;
        this.historyBudget = new HistoryBudget(settings.historyMaxBytes());
        this.meters = new BrokerMeters(registry, this);
    }

    /**
     * Starts the periodic work (access rechecks, forgetting idle topics and expired history) and takes
     * connections. May follow {@link #shutdown()}: a stopped server that starts again (Spring stops and
     * restarts the contexts its tests keep) serves again, with every topic new.
     */
    public void start() {
        int current = generation.incrementAndGet();
        stopped = false;
        scheduleRecheck(current);
        scheduleSweep(current);
    }

    /**
     * Shares topics with other instances through {@code store}: every publish is sequenced there, and
     * every event comes back through {@link #received}. Before {@link #start()}.
     */
    public void shareTopicsThrough(TopicStore store) {
        this.store = store;
    }

    /** Other features' messages on the connections (a build's log stream); {@link ConnectionStreams#NONE} until set. */
    public void streams(ConnectionStreams streams) {
        this.streams = streams;
    }

    ConnectionStreams streams() {
        return streams;
    }

    // ---- connections ----

    /** Whether a new connection of this user (null: anonymous) from this IP would be within the limits now. */
    public boolean admits(String userKey, String clientIp) {
        return (userKey == null || connectionsPerUser.getOrDefault(userKey, 0) < settings.maxConnectionsPerUser())
                && connectionsPerIp.getOrDefault(clientIp, 0) < settings.maxConnectionsPerIp();
    }

    /**
     * Registers a connection.
     *
     * @param appId   the app whose topics it reaches, and no other
     * @param userKey the user behind it, null for an anonymous browser client (counted per IP only)
     * @throws ConnectionRefused over the per-user or per-IP limit
     */
    public Connection open(String appId, ConnectionAuth auth, String userKey, String clientIp, ClientChannel channel)
            throws ConnectionRefused {
        if (stopped) {
            throw new ConnectionRefused("the server is shutting down");
        }
        if (!take(connectionsPerIp, clientIp, settings.maxConnectionsPerIp())) {
            throw new ConnectionRefused("at most " + settings.maxConnectionsPerIp() + " connections from one IP");
        }
        if (userKey != null && !take(connectionsPerUser, userKey, settings.maxConnectionsPerUser())) {
            give(connectionsPerIp, clientIp);
            throw new ConnectionRefused("at most " + settings.maxConnectionsPerUser() + " connections of one user");
        }
        Connection connection = new Connection(this, "c" + connectionIds.incrementAndGet(), appId, userKey, clientIp, auth, channel);
        connections.add(connection);
        meters.opened.increment();
        connection.start();
        events.opened(connection);
        return connection;
    }

    private static boolean take(Map<String, Integer> counts, String key, int max) {
        boolean[] taken = {false};
        counts.compute(key, (k, n) -> {
            int current = n == null ? 0 : n;
            if (current >= max) {
                return n;
            }
            taken[0] = true;
            return current + 1;
        });
        return taken[0];
    }

    private static void give(Map<String, Integer> counts, String key) {
        counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
    }

    void closed(Connection connection) {
        if (connections.remove(connection)) {
            give(connectionsPerIp, connection.clientIp());
            if (connection.userKey() != null) {
                give(connectionsPerUser, connection.userKey());
            }
        }
    }

    /** The open connections of one app, for rule changes and tests. */
    public List<Connection> connectionsOf(String appId) {
        List<Connection> of = new ArrayList<>();
        for (Connection c : connections) {
            if (c.appId().equals(appId)) {
                of.add(c);
            }
        }
        return of;
    }

    // ---- publishing ----

    /**
     * Sequences one event on the app's topic and hands it to every subscriber; a repeated {@code id}
     * within the idempotency window is answered with the first outcome and not sequenced again.
     *
     * @param payloadJson the payload as JSON text
     * @throws PublishRefused {@link ErrorCode#RATE_LIMITED}, {@link ErrorCode#TOO_MANY_TOPICS}, or
     *                        {@link ErrorCode#MESSAGE_TOO_LARGE} for a payload over the message size
     */
    public Published publish(String appId, String topic, String payloadJson, String id) throws PublishRefused {
        if (payloadJson.length() > settings.maxMessageBytes() / 3
                && payloadJson.getBytes(StandardCharsets.UTF_8).length > settings.maxMessageBytes()) {
            meters.dropped(BrokerMeters.Drop.MESSAGE_TOO_LARGE);
            throw new PublishRefused(ErrorCode.MESSAGE_TOO_LARGE, "a payload may have at most " + settings.maxMessageBytes() + " bytes");
        }
        TopicStore shared = store;
        if (shared != null) {
            topicFor(appId, topic).takePublishRate();
            String event = WireFormat.event(topic, payloadJson, id, SEQ_PLACEHOLDER, clock.millis());
            int at = event.lastIndexOf(",\"seq\":" + SEQ_PLACEHOLDER);
            Published published = shared.publish(appId, topic, id, event.substring(0, at + 7),
                    event.substring(at + 7 + Long.toString(SEQ_PLACEHOLDER).length()));
            (published.duplicate() ? meters.duplicates : meters.published).increment();
            return published;
        }
        while (true) {
            Published published = topicFor(appId, topic).publish(payloadJson, id);
            if (published != null) {
                return published;
            }
        }
    }

    /** Stands for the seq in an event's JSON until the store numbers it (the seq comes after the payload: the last one is it). */
    private static final long SEQ_PLACEHOLDER = Long.MIN_VALUE;

    /**
     * An event sequenced through the {@link TopicStore} by any instance, this one included, in its
     * topic's order: to this instance's subscribers. Topics over the app's limit here have no
     * subscribers here: nothing to do.
     */
    public void received(String appId, String topic, String epoch, String eventJson) {
        PublishedEvent event = WireFormat.storedEvent(eventJson);
        try {
            while (!topicFor(appId, topic).received(epoch, event)) {
                // retired meanwhile: the next one loads the store's state
            }
        } catch (PublishRefused e) {
            LOG.debug("Realtime event of {}/{} not taken here: {}", appId, topic, e.getMessage());
        }
    }

    /**
     * Asks the store for what each topic here may have missed ({@link Topic#catchUp}): after the store's
     * channel was reconnected, or messages of it were dropped here, when no later event may come to
     * show the gap.
     */
    public void catchUpFromStore() {
        for (Topic topic : topics.values()) {
            try {
                topic.catchUp();
            } catch (PublishRefused e) {
                LOG.debug("Realtime topic {}/{} not caught up: {}", topic.appId, topic.name, e.getMessage());
            }
        }
    }

    /** The app's topic, created on first use (subscribing or publishing). @throws PublishRefused TOO_MANY_TOPICS */
    Topic topicFor(String appId, String name) throws PublishRefused {
        TopicKey key = new TopicKey(appId, name);
        Topic topic = topics.get(key);
        if (topic != null) {
            return topic;
        }
        try {
            return topics.computeIfAbsent(key, k -> {
                AtomicInteger count = topicsPerApp.computeIfAbsent(appId, a -> new AtomicInteger());
                if (count.incrementAndGet() > settings.maxTopicsPerApp()) {
                    count.decrementAndGet();
                    throw new TooManyTopics();
                }
                return new Topic(appId, name, kinds.isVolatile(appId, name), settings, clock, time, historyBudget, meters, store);
            });
        } catch (TooManyTopics e) {
            throw new PublishRefused(ErrorCode.TOO_MANY_TOPICS, "the app has " + settings.maxTopicsPerApp()
                    + " topics in use; existing ones still work, new ones once idle ones are forgotten");
        }
    }

    private static final class TooManyTopics extends RuntimeException {
        TooManyTopics() {
            super(null, null, false, false);
        }
    }

    /** Reads which of the app's topics are volatile again (its topic rules changed). */
    public void topicKindsChanged(String appId) {
        for (Topic topic : topics.values()) {
            if (topic.appId.equals(appId)) {
                topic.setVolatile(kinds.isVolatile(appId, topic.name));
            }
        }
    }

    // ---- periodic work ----

    private void scheduleRecheck(int started) {
        if (!stopped && generation.get() == started) {
            timers.schedule(settings.recheckInterval(), () -> runBlocking(() -> {
                try {
                    recheckAll();
                } finally {
                    scheduleRecheck(started);
                }
            }));
        }
    }

    /** Checks every connection's credential, account and role again (blocking: run it off the timer thread). */
    public void recheckAll() {
        for (Connection connection : connections) {
            connection.recheck();
        }
    }

    private void scheduleSweep(int started) {
        if (!stopped && generation.get() == started) {
            Duration every = settings.historyTtl().dividedBy(2);
            Duration period = every.compareTo(Duration.ofMinutes(1)) > 0 ? Duration.ofMinutes(1)
                    : every.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : every;
            timers.schedule(period, () -> {
                try {
                    sweepTopics();
                } finally {
                    scheduleSweep(started);
                }
            });
        }
    }

    /** Drops expired history everywhere, and forgets topics idle for {@link BrokerSettings#topicIdleTtl()}. */
    public void sweepTopics() {
        for (Map.Entry<TopicKey, Topic> entry : topics.entrySet()) {
            if (entry.getValue().sweep() && topics.remove(entry.getKey(), entry.getValue())) {
                topicsPerApp.computeIfPresent(entry.getKey().appId(), (a, n) -> n.decrementAndGet() <= 0 ? null : n);
            }
        }
    }

    void runBlocking(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            LOG.debug("Realtime task not run: shutting down");
        }
    }

    /** Closes every connection (WebSocket "going away") and forgets every topic. */
    public void shutdown() {
        stopped = true;
        for (Connection connection : connections) {
            connection.terminate(CloseReason.SHUTDOWN, ErrorCode.SHUTTING_DOWN, "the server is shutting down: reconnect and resume");
        }
        for (Map.Entry<TopicKey, Topic> entry : topics.entrySet()) {
            entry.getValue().retire();
            topics.remove(entry.getKey(), entry.getValue());
        }
        topicsPerApp.clear();
    }

    // ---- figures ----

    int connectionCount() {
        return connections.size();
    }

    int topicCount() {
        return topics.size();
    }

    long subscriptionCount() {
        long n = 0;
        for (Connection c : connections) {
            n += c.subscriptionCount();
        }
        return n;
    }

    long queuedMessages() {
        long n = 0;
        for (Connection c : connections) {
            n += c.queuedMessages();
        }
        return n;
    }

    int longestQueue() {
        int max = 0;
        for (Connection c : connections) {
            max = Math.max(max, c.queuedMessages());
        }
        return max;
    }

    long unackedEvents() {
        long n = 0;
        for (Connection c : connections) {
            n += c.unackedCount();
        }
        return n;
    }

    long historyBytes() {
        return historyBudget.usedBytes();
    }

    /** The topic if it is in memory, for tests. */
    Topic existingTopic(String appId, String name) {
        return topics.get(new TopicKey(appId, name));
    }
}

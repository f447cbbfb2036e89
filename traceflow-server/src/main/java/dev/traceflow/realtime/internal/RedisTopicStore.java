package dev.traceflow.realtime.internal;

import dev.traceflow.ops.ReadinessCheck;
import dev.traceflow.realtime.internal.broker.Broker;
import dev.traceflow.realtime.internal.broker.BrokerSettings;
import dev.traceflow.realtime.internal.broker.ErrorCode;
import dev.traceflow.realtime.internal.broker.Published;
import dev.traceflow.realtime.internal.broker.PublishRefused;
import dev.traceflow.realtime.internal.broker.TopicStore;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Topics shared by every server instance through Redis ({@code TRACEFLOW_REALTIME_REDIS_URL}).
 * <p>
 * A publish is one Lua script, atomic in Redis: an {@code id} seen within the idempotency window
 * answers with its first seq; else {@code INCR} gives the topic's next seq (gapless across
 * instances, whoever publishes), the event goes to the topic's capped history list, and
 * {@code PUBLISH} sends it on one channel to every instance, this one included. Each instance reads
 * that channel on one subscriber connection, in the order Redis ran the scripts, and hands the events
 * to its broker ({@link Broker#received}) from one thread: per topic in seq order, so the broker's
 * resume seam is the same as in memory. A topic an instance sees for the first time reads the
 * stored state first (epoch, seq, history), so a client resumes on any instance.
 * <p>
 * Keys, per app and topic ({@code {app\ntopic}} as the hash tag, so a cluster keeps them together):
 * {@code :epoch} (made by the first subscribe or publish), {@code :seq}, {@code :history} (a list of
 * the events' JSON, the last {@code historySize}), {@code :id:<id>} (the idempotency window). Epoch and
 * seq expire after the topic idle TTL without a publish or a first subscribe on an instance, the
 * history after the history TTL without a publish: the topic then starts over with a new epoch, as an
 * idle topic in memory does.
 * <p>
 * Lettuce reconnects and subscribes again by itself; events missed meanwhile are fetched from the
 * history when the topic's next event shows the gap, and, since no next event may come, every topic
 * here asks the store once for what it missed after each new subscription to the channel and after
 * messages were dropped here ({@link Broker#catchUpFromStore}). Redis down: publishes fail with
 * {@code UNAVAILABLE} (HTTP 503), and {@code /health} says so.
 */
final class RedisTopicStore implements TopicStore, ReadinessCheck, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RedisTopicStore.class);
    static final String CHANNEL = "traceflow:realtime:events";
    private static final String PREFIX = "traceflow:realtime:{";

    /**
     * KEYS: epoch, seq, history, id. ARGV: event JSON before the seq, after it, a new epoch, history
     * size, history TTL ms, idempotency window ms, topic idle TTL ms, the message's header (app, topic), the channel.
     * Returns {seq, epoch, duplicate 0/1}.
     */
    private static final String PUBLISH = """
            local epoch = redis.call('GET', KEYS[1])
            if not epoch then
              epoch = ARGV[3]
              redis.call('DEL', KEYS[2], KEYS[3])
            end
            redis.call('SET', KEYS[1], epoch, 'PX', ARGV[7])
            local seen = redis.call('GET', KEYS[4])
            if seen then
              return {tonumber(seen), epoch, 1}
            end
            local seq = redis.call('INCR', KEYS[2])
            redis.call('PEXPIRE', KEYS[2], ARGV[7])
            local json = ARGV[1] .. seq .. ARGV[2]
            redis.call('RPUSH', KEYS[3], json)
            redis.call('LTRIM', KEYS[3], -tonumber(ARGV[4]), -1)
            redis.call('PEXPIRE', KEYS[3], ARGV[5])
            redis.call('SET', KEYS[4], seq, 'PX', ARGV[6])
            redis.call('PUBLISH', ARGV[9], ARGV[8] .. epoch .. '\\n' .. json)
            return {seq, epoch, 0}
            """;

    /** KEYS: epoch, seq, history. ARGV: a new epoch, topic idle TTL ms. Returns {epoch, seq, history...}. */
    private static final String LOAD = """
            local epoch = redis.call('GET', KEYS[1])
            if not epoch then
              epoch = ARGV[1]
              redis.call('DEL', KEYS[2], KEYS[3])
            end
            redis.call('SET', KEYS[1], epoch, 'PX', ARGV[2])
            local seq = tonumber(redis.call('GET', KEYS[2]) or '0')
            local result = {epoch, seq}
            for _, json in ipairs(redis.call('LRANGE', KEYS[3], 0, -1)) do
              table.insert(result, json)
            end
            return result
            """;

    private final BrokerSettings settings;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisCommands<String, String> redis;
    private final StatefulRedisPubSubConnection<String, String> subscriber;
    /** what the channel brought, for the one thread that hands it to the broker (bounded: a gap is repaired later) */
    private final BlockingQueue<String> received = new ArrayBlockingQueue<>(100_000);
    private final Counter overflow;
    /** set when messages may have been missed (a new subscription, a full queue): the dispatcher then catches every topic up */
    private volatile boolean catchUp;
    private volatile Thread dispatcher;

    RedisTopicStore(String url, Duration timeout, BrokerSettings settings, MeterRegistry registry) {
        this.settings = settings;
        this.client = RedisClient.create(RedisURI.create(url));
        client.setOptions(ClientOptions.builder().timeoutOptions(TimeoutOptions.enabled(timeout)).build());
        this.connection = client.connect();
        this.redis = connection.sync();
        this.subscriber = client.connectPubSub();
        this.overflow = Counter.builder("traceflow.realtime.redis.dropped").description(
                "Events from Redis not handed over in order because the queue was full (repaired from the history by the next event)")
                .register(registry);
    }

    /** Reads the channel and hands its events to the broker, from one thread, in order. */
    void start(Broker broker) {
        subscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                if (!received.offer(message)) {
                    overflow.increment();
                    catchUp = true;
                }
            }

            @Override
            public void subscribed(String channel, long count) {
                // the first subscription, or Lettuce's again after a reconnect: what was published meanwhile never comes
                catchUp = true;
            }
        });
        subscriber.sync().subscribe(CHANNEL);
        dispatcher = Thread.ofPlatform().name("realtime-redis").daemon().start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                if (catchUp) {
                    catchUp = false;
                    broker.catchUpFromStore();
                }
                String message;
                try {
                    message = received.poll(1, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (message != null) {
                    dispatch(broker, message);
                }
            }
        });
    }

    /** {@code app \n topic \n epoch \n eventJson} */
    private static void dispatch(Broker broker, String message) {
        int a = message.indexOf('\n');
        int t = message.indexOf('\n', a + 1);
        int e = message.indexOf('\n', t + 1);
        if (a < 0 || t < 0 || e < 0) {
            LOG.warn("Not a TraceFlow realtime event on {}: ignored", CHANNEL);
            return;
        }
        try {
            broker.received(message.substring(0, a), message.substring(a + 1, t), message.substring(t + 1, e), message.substring(e + 1));
        } catch (RuntimeException ex) {
            LOG.warn("Realtime event from Redis not delivered: {}", ex.toString());
        }
    }

    private static String key(String appId, String topic, String part) {
        return PREFIX + appId + "\n" + topic + "}:" + part;
    }

    @Override
    public Published publish(String appId, String topic, String id, String eventPrefix, String eventSuffix) throws PublishRefused {
        List<Object> result;
        try {
            result = redis.eval(PUBLISH, ScriptOutputType.MULTI, new String[] {key(appId, topic, "epoch"), key(appId, topic, "seq"),
                            key(appId, topic, "history"), key(appId, topic, "id:" + id)},
                    eventPrefix, eventSuffix, newEpoch(), Integer.toString(settings.historySize()),
                    Long.toString(settings.historyTtl().toMillis()), Long.toString(settings.idempotencyWindow().toMillis()),
                    Long.toString(settings.topicIdleTtl().toMillis()), appId + "\n" + topic + "\n", CHANNEL);
        } catch (RedisException e) {
            throw unavailable(e);
        }
        return new Published(topic, id, (Long) result.get(0), (String) result.get(1), ((Long) result.get(2)) == 1L);
    }

    @Override
    public State load(String appId, String topic) throws PublishRefused {
        List<Object> result;
        try {
            result = redis.eval(LOAD, ScriptOutputType.MULTI, new String[] {key(appId, topic, "epoch"), key(appId, topic, "seq"),
                    key(appId, topic, "history")}, newEpoch(), Long.toString(settings.topicIdleTtl().toMillis()));
        } catch (RedisException e) {
            throw unavailable(e);
        }
        List<String> history = new ArrayList<>(result.size() - 2);
        for (int i = 2; i < result.size(); i++) {
            history.add((String) result.get(i));
        }
        return new State((String) result.get(0), (Long) result.get(1), history);
    }

    @Override
    public List<String> historyAfter(String appId, String topic, String epoch, long afterSeq) throws PublishRefused {
        State state = load(appId, topic);
        return state.epoch().equals(epoch) ? state.history() : List.of();
    }

    private static PublishRefused unavailable(RedisException e) {
        LOG.warn("Realtime store (Redis) unavailable: {}", e.getClass().getSimpleName());
        return new PublishRefused(ErrorCode.UNAVAILABLE, "the realtime store is unavailable: nothing was sequenced, try again");
    }

    private static String newEpoch() {
        return Long.toString(java.util.concurrent.ThreadLocalRandom.current().nextLong() >>> 1, 36);
    }

    @Override
    public String name() {
        return "realtime";
    }

    @Override
    public String backend() {
        return "redis";
    }

    @Override
    public void check() {
        redis.ping();
    }

    @Override
    public void close() {
        Thread t = dispatcher;
        if (t != null) {
            t.interrupt();
        }
        subscriber.close();
        connection.close();
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}

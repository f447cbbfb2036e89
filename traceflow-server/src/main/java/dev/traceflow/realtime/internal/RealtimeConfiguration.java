package dev.traceflow.realtime.internal;

import dev.traceflow.TraceFlowProperties;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.realtime.ConnectionStreams;
import dev.traceflow.realtime.RealtimePublisher;
import dev.traceflow.storage.EventsStored;
import dev.traceflow.realtime.internal.broker.Broker;
import dev.traceflow.realtime.internal.broker.BrokerSettings;
import io.github.bucket4j.TimeMeter;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.ApplicationListener;
import org.springframework.context.PayloadApplicationEvent;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The broker and what it runs on: one timer thread, and a virtual thread per busy connection's writer;
 * and its audit trail ({@link RealtimeAudit}).
 */
@Configuration(proxyBeanMethods = false)
class RealtimeConfiguration {

    static BrokerSettings settings(TraceFlowProperties.Realtime r) {
        return new BrokerSettings(r.maxMessageBytes(), r.sendQueueCapacity(), r.maxUnackedPerConnection(),
                r.messagesPerSecondPerConnection(), r.publishesPerSecondPerTopic(), r.maxSubscriptionsPerConnection(),
                r.maxConnectionsPerUser(), r.maxConnectionsPerIp(), r.historySize(), r.historyTtl(), r.historyMaxBytes(),
                r.ackTimeout(), r.maxRedeliveryBackoff(), r.maxDeliveries(), r.idempotencyWindow(), r.idempotencyMaxIds(),
                r.maxTopicsPerApp(), r.topicIdleTtl(), r.recheckInterval(), r.closeGrace());
    }

    @Bean(destroyMethod = "close")
    ScheduledTimers realtimeTimers() {
        return new ScheduledTimers();
    }

    @Bean(destroyMethod = "close")
    ExecutorService realtimeExecutor() {
        return Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("realtime-", 0).factory());
    }

    @Bean
    RealtimeAudit realtimeAudit(AuditLog audit, Clock clock, TraceFlowProperties properties, MeterRegistry registry) {
        return new RealtimeAudit(audit, clock, properties.realtime().auditRowsPerAppPerMinute(), registry);
    }

    @Bean
    LiveMetrics realtimeLiveMetrics(RealtimePublisher publisher, Clock clock, TraceFlowProperties properties, MeterRegistry registry) {
        return new LiveMetrics(publisher, clock, registry, properties.realtime().liveSessionsPerApp());
    }

    /** Accepted events on {@code traceflow:events}; published by the realtime executor, off the request thread. */
    @Bean
    LiveEvents realtimeLiveEvents(RealtimePublisher publisher, Clock clock, TraceFlowProperties properties, ExecutorService realtimeExecutor,
                                  MeterRegistry registry) {
        return new LiveEvents(publisher, clock, properties.realtime().liveEventsPerSecond(), realtimeExecutor, registry);
    }

    /** Each load's counts, on the thread {@link EventsStored} comes on (not the loader's). */
    @Bean
    ApplicationListener<PayloadApplicationEvent<EventsStored>> realtimeLiveMetricsListener(LiveMetrics realtimeLiveMetrics) {
        return ApplicationListener.forPayload(realtimeLiveMetrics::stored);
    }

    /** Only with {@code TRACEFLOW_REALTIME_REDIS_URL}: topics shared by every instance. */
    @Bean(destroyMethod = "close")
    @ConditionalOnExpression("!'${traceflow.realtime.redis.url:}'.isBlank()")
    RedisTopicStore realtimeRedisStore(RealtimeRedisProperties redis, TraceFlowProperties properties, MeterRegistry registry) {
        return new RedisTopicStore(redis.url(), redis.timeout(), settings(properties.realtime()), registry);
    }

    @Bean
    Broker realtimeBroker(TraceFlowProperties properties, Clock clock, TimeMeter bucketTime, ScheduledTimers realtimeTimers,
                          ExecutorService realtimeExecutor, MeterRegistry registry, JdbcTopicRules rules, RealtimeAudit realtimeAudit,
                          ObjectProvider<RedisTopicStore> redis, ObjectProvider<ConnectionStreams> streams) {
        Broker broker = new Broker(settings(properties.realtime()), clock, bucketTime, realtimeTimers, realtimeExecutor, registry,
                (appId, topic) -> rules.of(appId).isVolatile(topic), realtimeAudit);
        broker.streams(streams.getIfAvailable(() -> ConnectionStreams.NONE));
        RedisTopicStore store = redis.getIfAvailable();
        if (store != null) {
            broker.shareTopicsThrough(store);
            store.start(broker);
        }
        return broker;
    }

    /**
     * Starts the broker's periodic work with the server, and stops it before the web server does: every
     * connection is told "going away" (1001) so clients reconnect and resume, instead of seeing the
     * socket drop.
     */
    @Bean
    SmartLifecycle realtimeLifecycle(Broker broker, RealtimeAudit realtimeAudit, LiveMetrics realtimeLiveMetrics,
                                     ScheduledTimers realtimeTimers, ExecutorService realtimeExecutor) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                realtimeAudit.start(realtimeTimers, realtimeExecutor);
                broker.start();
                realtimeLiveMetrics.start(realtimeTimers, realtimeExecutor);
                running = true;
            }

            @Override
            public void stop() {
                realtimeLiveMetrics.stop();
                broker.shutdown();
                realtimeAudit.stop(); // what the connections did until now reaches the trail
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }
}

package dev.traceflow.realtime.internal;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * Scale-out across server instances ({@code traceflow.realtime.redis.*}): with {@code url}
 * ({@code TRACEFLOW_REALTIME_REDIS_URL}, e.g. {@code redis://127.0.0.1:6379/0}, {@code rediss://} for TLS,
 * a password as {@code redis://:secret@host}) every instance sequences, keeps and fans out topics
 * through that Redis ({@link RedisTopicStore}); empty (the default), each instance's topics are its own, in memory.
 *
 * @param url     the Redis URI, or empty
 * @param timeout each Redis command's timeout (a publish past it fails with UNAVAILABLE)
 */
@ConfigurationProperties("traceflow.realtime.redis")
public record RealtimeRedisProperties(@DefaultValue("") String url, @DefaultValue("2s") Duration timeout) {
}

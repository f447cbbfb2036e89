package dev.traceflow.it;

import dev.traceflow.TraceFlowApplication;
import dev.traceflow.support.PostgresSchema;
import dev.traceflow.support.Requirements;
import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestAuth;
import dev.traceflow.support.TestHttp;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static dev.traceflow.support.TestAuth.bearer;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two server instances sharing topics through Redis ({@code traceflow.realtime.redis.url}, database
 * {@value #REDIS_DB} of 127.0.0.1:6379, flushed first) and one PostgreSQL schema (so an app's server
 * key works on both): an event published on one reaches subscribers on both, concurrent publishers
 * on both instances keep one gapless {@code seq}, a client resumes on the other instance, and
 * {@code /health} reports Redis. Skipped where Redis is absent (failing under {@code CI=true}).
 */
class RealtimeRedisIT {

    static final int REDIS_DB = 11;
    static final String REDIS_URL = "redis://127.0.0.1:6379/" + REDIS_DB;
    static final PostgresSchema DB = new PostgresSchema("traceflow_rt_redis_it_");
    static final String MASTER_KEY = Base64.getEncoder().encodeToString(new byte[32]);
    static final JsonMapper JSON = JsonMapper.builder().build();
    static ConfigurableApplicationContext one;
    static ConfigurableApplicationContext two;
    static String serverKey;

    @BeforeAll
    static void twoInstances() throws Exception {
        Requirements.require(redisAnswers(), "Redis on 127.0.0.1:6379");
        one = start();
        two = start();
        TestHttp onOne = http(one);
        String admin = new TestAuth(onOne).login("admin", ServerTest.ADMIN_PASSWORD);
        TestHttp.Response app = onOne.post("/api/apps", "{\"id\":\"rt-redis\"}", "Content-Type", "application/json", bearer(admin)[0],
                bearer(admin)[1]);
        assertThat(app.status()).as(app.toString()).isEqualTo(201);
        TestHttp.Response key = onOne.post("/api/apps/rt-redis/realtime/keys", "{\"kind\":\"server\"}", "Content-Type",
                "application/json", bearer(admin)[0], bearer(admin)[1]);
        assertThat(key.status()).as(key.toString()).isEqualTo(201);
        serverKey = key.json().path("key").asString();
    }

    /** Redis answers, and the test's database is empty. */
    private static boolean redisAnswers() {
        RedisClient client = RedisClient.create(REDIS_URL);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().flushdb();
            return true;
        } catch (RuntimeException e) {
            return false;
        } finally {
            client.shutdown();
        }
    }

    private static ConfigurableApplicationContext start() throws Exception {
        Path dir = Files.createTempDirectory(DB.name + "-");
        Map<String, Object> p = new HashMap<>();
        p.put("server.port", "0");
        p.put("traceflow.data-dir", dir.toString());
        p.put("traceflow.storage.duckdb.file", dir.resolve("events.duckdb").toString());
        p.put("spring.datasource.url", PostgresSchema.URL + (PostgresSchema.URL.contains("?") ? "&" : "?") + "currentSchema=" + DB.name);
        p.put("spring.datasource.username", PostgresSchema.USER);
        p.put("spring.datasource.password", "");
        p.put("spring.flyway.schemas", DB.name);
        p.put("traceflow.auth.master-key", MASTER_KEY);
        p.put("traceflow.bootstrap.ingest-key", "rt-redis-it-demo-key");
        p.put("traceflow.bootstrap.admin-password", ServerTest.ADMIN_PASSWORD);
        p.put("traceflow.auth.bcrypt-strength", "4");
        p.put("traceflow.http.trusted-proxies", "127.0.0.1/32,::1/128");
        p.put("traceflow.realtime.redis.url", REDIS_URL);
        p.put("traceflow.realtime.publishes-per-second-per-topic", "100000");
        return new SpringApplicationBuilder(TraceFlowApplication.class)
                .run(p.entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new));
    }

    @AfterAll
    static void stop() throws Exception {
        if (two != null) {
            two.close();
        }
        if (one != null) {
            one.close();
        }
        DB.drop();
    }

    private static int port(ConfigurableApplicationContext instance) {
        return Integer.parseInt(instance.getEnvironment().getProperty("local.server.port"));
    }

    private static TestHttp http(ConfigurableApplicationContext instance) {
        return new TestHttp("http://127.0.0.1:" + port(instance));
    }

    private static TestHttp.Response publish(ConfigurableApplicationContext instance, String topic, String id, int n) {
        return http(instance).post("/api/realtime/publish", "{\"topic\":\"" + topic + "\",\"id\":\"" + id + "\",\"payload\":" + n + "}",
                "Content-Type", "application/json", "Authorization", "Bearer " + serverKey);
    }

    /** A /ws client with the server key: what it received, parsed. */
    static final class Client implements WebSocket.Listener {
        final BlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
        final List<JsonNode> events = new ArrayList<>();
        private final StringBuilder partial = new StringBuilder();
        final WebSocket socket;

        Client(ConfigurableApplicationContext instance) {
            socket = HttpClient.newHttpClient().newWebSocketBuilder()
                    .buildAsync(URI.create("ws://127.0.0.1:" + port(instance) + "/ws?token=" + serverKey), this).join();
        }

        void send(String json) {
            socket.sendText(json, true).join();
        }

        JsonNode next(Predicate<JsonNode> matching) throws InterruptedException {
            while (true) {
                JsonNode m = received.poll(20, TimeUnit.SECONDS);
                assertThat(m).as("a matching message came").isNotNull();
                if (m.path("type").asString().equals("event")) {
                    // as a client does: acknowledge (cumulatively), and drop a repeat (a redelivery) by its seq
                    send("{\"type\":\"ack\",\"topic\":\"" + m.path("topic").asString() + "\",\"seq\":" + m.path("seq").asLong() + "}");
                    if (events.isEmpty() || m.path("seq").asLong() > events.getLast().path("seq").asLong()) {
                        events.add(m);
                    }
                }
                if (matching.test(m)) {
                    return m;
                }
            }
        }

        /** Events until one with this seq; the seq of each new one, in arrival order (a gap or a late one shows). */
        List<Long> eventsUntil(String topic, long seq) throws InterruptedException {
            next(m -> m.path("type").asString().equals("event") && m.path("seq").asLong() == seq);
            return events.stream().map(e -> e.path("seq").asLong()).toList();
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                received.add(JSON.readTree(partial.toString()));
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }

    @Test
    void anEventPublishedOnOneInstance_reachesSubscribersOnBoth_withOneSeq() throws Exception {
        String topic = "orders:cross";
        Client onOne = new Client(one);
        Client onTwo = new Client(two);
        onOne.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
        onTwo.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
        String epochOne = onOne.next(m -> m.path("type").asString().equals("subscribed")).path("epoch").asString();
        String epochTwo = onTwo.next(m -> m.path("type").asString().equals("subscribed")).path("epoch").asString();

        TestHttp.Response first = publish(one, topic, "a", 1);
        TestHttp.Response second = publish(two, topic, "b", 2);
        TestHttp.Response again = publish(two, topic, "a", 1);

        assertThat(epochTwo).as("one epoch for the topic everywhere").isEqualTo(epochOne);
        assertThat(first.json().path("seq").asLong()).isEqualTo(1);
        assertThat(second.json().path("seq").asLong()).isEqualTo(2);
        assertThat(second.json().path("epoch").asString()).isEqualTo(epochOne);
        assertThat(again.json().path("duplicate").asBoolean()).as("an id repeated on the other instance").isTrue();
        assertThat(again.json().path("seq").asLong()).isEqualTo(1);
        assertThat(onOne.eventsUntil(topic, 2)).containsExactly(1L, 2L);
        assertThat(onTwo.eventsUntil(topic, 2)).containsExactly(1L, 2L);
        onOne.socket.abort();
        onTwo.socket.abort();
    }

    @Test
    void concurrentPublishersOnBothInstances_keepSeqGapless_andEverySubscriberSeesEachOnce() throws Exception {
        String topic = "orders:concurrent";
        Client onOne = new Client(one);
        Client onTwo = new Client(two);
        onOne.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
        onTwo.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
        onOne.next(m -> m.path("type").asString().equals("subscribed"));
        onTwo.next(m -> m.path("type").asString().equals("subscribed"));
        int perPublisher = 50;
        List<Future<List<Long>>> publishers = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(4)) {
            for (int p = 0; p < 4; p++) {
                ConfigurableApplicationContext instance = p % 2 == 0 ? one : two;
                int publisher = p;
                publishers.add(pool.submit(() -> {
                    List<Long> seqs = new ArrayList<>();
                    for (int i = 0; i < perPublisher; i++) {
                        TestHttp.Response r = publish(instance, topic, "p" + publisher + "-" + i, i);
                        assertThat(r.status()).as(r.toString()).isEqualTo(200);
                        seqs.add(r.json().path("seq").asLong());
                    }
                    return seqs;
                }));
            }
        }
        List<Long> answered = new ArrayList<>();
        for (Future<List<Long>> f : publishers) {
            answered.addAll(f.get());
        }
        List<Long> all = java.util.stream.LongStream.rangeClosed(1, 4L * perPublisher).boxed().toList();

        assertThat(answered).containsExactlyInAnyOrderElementsOf(all);
        assertThat(onOne.eventsUntil(topic, 4L * perPublisher)).as("in order, once each, on instance one").isEqualTo(all);
        assertThat(onTwo.eventsUntil(topic, 4L * perPublisher)).as("in order, once each, on instance two").isEqualTo(all);
        onOne.socket.abort();
        onTwo.socket.abort();
    }

    @Test
    void aClientResumesOnTheOtherInstance_withNothingLostOrDoubled() throws Exception {
        String topic = "orders:resume";
        Client first = new Client(one);
        first.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
        String epoch = first.next(m -> m.path("type").asString().equals("subscribed")).path("epoch").asString();
        for (int i = 1; i <= 3; i++) {
            publish(one, topic, "r" + i, i);
        }
        first.eventsUntil(topic, 3);
        first.socket.abort();
        for (int i = 4; i <= 6; i++) {
            publish(one, topic, "r" + i, i);
        }

        Client resumed = new Client(two);
        resumed.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\",\"lastSeq\":3,\"epoch\":\"" + epoch + "\"}");
        JsonNode subscribed = resumed.next(m -> m.path("type").asString().equals("subscribed"));
        publish(two, topic, "r7", 7);

        assertThat(subscribed.path("recovered").asBoolean()).as(subscribed.toString()).isTrue();
        assertThat(resumed.eventsUntil(topic, 7)).containsExactly(4L, 5L, 6L, 7L);
        resumed.socket.abort();
    }

    @Test
    void anEventWhoseChannelMessageWasLost_reachesSubscribersOnceTheChannelIsSubscribedAgain() throws Exception {
        String topic = "orders:lost";
        Client subscriber = new Client(two);
        subscriber.send("{\"type\":\"subscribe\",\"topic\":\"" + topic + "\"}");
        subscriber.next(m -> m.path("type").asString().equals("subscribed"));
        publish(one, topic, "l1", 1);
        assertThat(subscriber.eventsUntil(topic, 1)).containsExactly(1L);

        // what the publish script does but its PUBLISH, as when the channel's message never came; no event follows
        RedisClient client = RedisClient.create(REDIS_URL);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            String keys = "traceflow:realtime:{rt-redis\n" + topic + "}:";
            String first = c.sync().lindex(keys + "history", 0);
            long seq = c.sync().incr(keys + "seq");
            c.sync().rpush(keys + "history", first.replace("\"seq\":1,", "\"seq\":" + seq + ",").replace("\"id\":\"l1\"", "\"id\":\"l2\""));
            // every instance's channel connection drops; Lettuce connects and subscribes again by itself
            assertThat(c.sync().clientKill(io.lettuce.core.KillArgs.Builder.typePubsub())).isPositive();
        } finally {
            client.shutdown();
        }

        assertThat(subscriber.eventsUntil(topic, 2)).as("caught up from the stored history, in order, once").containsExactly(1L, 2L);
        subscriber.socket.abort();
    }

    @Test
    void healthReportsRedis() {
        TestHttp.Response health = http(two).get("/health");

        assertThat(health.status()).as(health.toString()).isEqualTo(200);
        assertThat(health.json().path("components").path("realtime").path("backend").asString()).isEqualTo("redis");
        assertThat(health.json().path("components").path("realtime").path("status").asString()).isEqualTo("ok");
    }
}

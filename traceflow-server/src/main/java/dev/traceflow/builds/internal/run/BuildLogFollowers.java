package dev.traceflow.builds.internal.run;

import dev.traceflow.realtime.ConnectionStreams;
import dev.traceflow.realtime.PreparedText;
import dev.traceflow.realtime.StreamClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Build logs live on the realtime gateway's {@code /ws} (API.md "Builds"): {@code {type:"subscribe",
 * buildId, cursor?}} and {@code {type:"unsubscribe", buildId}} on the same connection as the topics;
 * the server sends {@code {type:"log", buildId, ts, level, stage, line, cursor}} for every line after
 * the cursor, then {@code {type:"end", buildId, status}} once the build's log has ended, or
 * {@code {type:"error", code, message, buildId}}.
 * <p>
 * <b>No seam between replay and live.</b> A follower does not receive pushed lines: it is woken (by
 * a stored append, by its connection's send queue running empty, by its subscribe) and then takes the
 * lines after the last cursor it delivered. Replay and live are the same loop, so no line is skipped or
 * sent twice whatever interleaves (Concourse's design). Where it takes them from is only a question of
 * cost: a live follower from {@link LiveLines}, the build's last lines rendered once as they were
 * stored (one serialization per line for all followers, no store read; as many lines as the store
 * keeps in memory, {@link BuildLogProperties#recentLines()}), a follower that is behind it
 * (or ahead of what was told) from the store: running builds' recent lines from memory, older ones
 * from the database. A follower that has every line told so far waits for the next wake without
 * asking the store: every stored line is told, and telling wakes it.
 * <p>
 * <b>Backpressure.</b> A follower only fills its connection's send queue up to half its capacity
 * and continues when the queue has run empty: a slow client lags behind, reading from the store at
 * its own pace, and never slows the writer or the other followers. The gateway's own rule still
 * covers the connection as a whole: a client whose queue overflows (topic events) is cut off as a
 * slow consumer and resumes with its last cursor.
 * <p>
 * <b>Permission</b> is checked at subscribe: the connection's signed-in user passed the handshake's
 * role check on its app (and is checked again while connected), and the build must belong to that app;
 * anything else is {@code NOT_FOUND}, as over REST.
 */
@Component
public class BuildLogFollowers implements ConnectionStreams, JdbcBuildLogStore.Listener, AutoCloseable {

    static final int MAX_BUILDS_PER_CONNECTION = 20;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    static final Set<String> SUBSCRIBE_FIELDS = Set.of("type", "buildId", "cursor");
    static final Set<String> UNSUBSCRIBE_FIELDS = Set.of("type", "buildId");

    /** The {@code code} of a build log {@code error} (the AsyncAPI document lists exactly these). */
    enum Code {
        /** not a subscribe or unsubscribe, a bad buildId or cursor, an unknown field */
        BAD_MESSAGE,
        /** no such build in the connection's app (or none the connection may see) */
        NOT_FOUND,
        /** an anonymous browser client or a backend key: build logs are for signed-in users */
        FORBIDDEN,
        /** more builds followed than a connection may */
        TOO_MANY_SUBSCRIPTIONS,
        /** the log could not be read (the database failed): subscribe again with the last cursor */
        UNAVAILABLE
    }

    private final JdbcBuildLogStore store;
    private final ObjectProvider<BuildDirectory> directory;
    private final BuildLogProperties settings;
    private final ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("build-log-follower-", 0).factory());
    private final Map<String, Map<String, Follower>> byClient = new ConcurrentHashMap<>();
    private final Map<String, Set<Follower>> byBuild = new ConcurrentHashMap<>();
    private final Map<String, LiveLines> live = new ConcurrentHashMap<>();
    private final Counter linesSent;
    private final Counter storeReads;
    /** followers behind what memory holds read the database two at a time: the pool stays free for writers and checks */
    private final Semaphore databaseReads = new Semaphore(2);

    public BuildLogFollowers(JdbcBuildLogStore store, ObjectProvider<BuildDirectory> directory, BuildLogProperties settings,
                             MeterRegistry registry) {
        this.store = store;
        this.directory = directory;
        this.settings = settings;
        store.listen(this);
        Gauge.builder("traceflow.builds.log.followers", byBuild, m -> m.values().stream().mapToInt(Set::size).sum())
                .description("build log followers on /ws").register(registry);
        linesSent = Counter.builder("traceflow.builds.log.sent").description("build log lines sent to /ws followers").register(registry);
        storeReads = Counter.builder("traceflow.builds.log.follower.store.reads")
                .description("pages build log followers asked the store for (replays, the end, followers behind the lines held rendered)")
                .register(registry);
    }

    private static final class Follower {
        final StreamClient client;
        final String buildId;
        /** the last cursor sent; only the follower's own task touches it */
        long delivered;
        final AtomicInteger wakes = new AtomicInteger();
        volatile boolean active = true;

        Follower(StreamClient client, String buildId, long delivered) {
            this.client = client;
            this.buildId = buildId;
            this.delivered = delivered;
        }
    }

    @Override
    public String key() {
        return "buildId";
    }

    @Override
    public void receive(StreamClient client, String type, JsonNode message) {
        JsonNode id = message.get("buildId");
        String buildId = id != null && id.isString() && BuildLogsController.validId(id.stringValue()) ? id.stringValue() : null;
        switch (type) {
            case "subscribe" -> {
                if (!fieldsOk(client, message, SUBSCRIBE_FIELDS, buildId)) {
                    return;
                }
                JsonNode cursor = message.get("cursor");
                if (cursor != null && !cursor.isNull() && (!cursor.isIntegralNumber() || !cursor.canConvertToLong() || cursor.longValue() < 0)) {
                    error(client, Code.BAD_MESSAGE, "cursor is the last cursor received: a whole number >= 0", buildId);
                    return;
                }
                subscribe(client, buildId, cursor == null || cursor.isNull() ? 0 : cursor.longValue());
            }
            case "unsubscribe" -> {
                if (fieldsOk(client, message, UNSUBSCRIBE_FIELDS, buildId)) {
                    Map<String, Follower> followers = byClient.get(client.id());
                    Follower f = followers == null ? null : followers.get(buildId);
                    if (f != null) {
                        remove(f);
                    }
                }
            }
            default -> error(client, Code.BAD_MESSAGE, "with a buildId, type is subscribe or unsubscribe", buildId);
        }
    }

    private boolean fieldsOk(StreamClient client, JsonNode message, Set<String> allowed, String buildId) {
        for (String name : message.propertyNames()) {
            if (!allowed.contains(name)) {
                error(client, Code.BAD_MESSAGE, "unknown field '" + excerpt(name) + "'", buildId);
                return false;
            }
        }
        if (buildId == null) {
            error(client, Code.BAD_MESSAGE, "buildId is a build's id: 1-36 letters, digits, '-' or '_'", null);
            return false;
        }
        return true;
    }

    private void subscribe(StreamClient client, String buildId, long cursor) {
        if (client.userId() == null) {
            error(client, Code.FORBIDDEN, "build logs are for signed-in users with a role on the build's app", buildId);
            return;
        }
        BuildDirectory builds = directory.getIfAvailable();
        String appId = builds == null ? null : builds.appIdOf(buildId).orElse(null);
        if (appId == null || !appId.equals(client.appId())) {
            error(client, Code.NOT_FOUND, "no build '" + buildId + "' in app '" + client.appId() + "'", buildId);
            return;
        }
        Map<String, Follower> mine = byClient.computeIfAbsent(client.id(), k -> new ConcurrentHashMap<>());
        Follower previous = mine.get(buildId);
        if (previous != null) {
            remove(previous); // subscribing again starts over from the new cursor
        } else if (mine.size() >= MAX_BUILDS_PER_CONNECTION) {
            error(client, Code.TOO_MANY_SUBSCRIPTIONS, "a connection may follow at most " + MAX_BUILDS_PER_CONNECTION + " builds", buildId);
            return;
        }
        Follower f = new Follower(client, buildId, cursor);
        mine.put(buildId, f);
        byBuild.compute(buildId, (k, set) -> {
            Set<Follower> followers = set != null ? set : ConcurrentHashMap.newKeySet();
            followers.add(f);
            // as far back as the store's memory reaches: a follower that fell behind but not out of it still takes lines
            // rendered once (at 5,000 lines a second, 8192 lines were 1.6 s: one stall put all 100 followers on
            // rendering each line for themselves, reading the database beyond the memory, and they never caught up)
            live.computeIfAbsent(k, id -> new LiveLines(settings.recentLines(), line -> logJson(id, line)));
            return followers;
        });
        wake(f);
    }

    @Override
    public void drained(StreamClient client) {
        Map<String, Follower> mine = byClient.get(client.id());
        if (mine != null) {
            mine.values().forEach(this::wake);
        }
    }

    @Override
    public void closed(StreamClient client) {
        Map<String, Follower> mine = byClient.remove(client.id());
        if (mine != null) {
            mine.values().forEach(this::remove);
        }
    }

    @Override
    public void appended(String buildId, List<StoredLine> lines) {
        LiveLines lastLines = live.get(buildId);
        if (lastLines != null) {
            lastLines.add(lines); // before the wakes: a woken follower finds them here
        }
        wakeAll(buildId);
    }

    @Override
    public void ended(String buildId, String status) {
        LiveLines lastLines = live.get(buildId);
        if (lastLines != null) {
            lastLines.ended(); // before the wakes: a woken follower goes to the store for the end
        }
        wakeAll(buildId);
    }

    private void wakeAll(String buildId) {
        Set<Follower> followers = byBuild.get(buildId);
        if (followers != null) {
            followers.forEach(this::wake);
        }
    }

    private void remove(Follower f) {
        f.active = false;
        Map<String, Follower> mine = byClient.get(f.client.id());
        if (mine != null) {
            mine.remove(f.buildId, f);
        }
        byBuild.computeIfPresent(f.buildId, (k, set) -> {
            set.remove(f);
            if (set.isEmpty()) {
                live.remove(k);
                return null;
            }
            return set;
        });
    }

    /** Runs the follower's task, or makes a running one go round once more: never two at a time. */
    private void wake(Follower f) {
        if (f.wakes.getAndIncrement() == 0) {
            executor.execute(() -> {
                int seen;
                do {
                    seen = f.wakes.get();
                    try {
                        pump(f);
                    } catch (RuntimeException e) {
                        error(f.client, Code.UNAVAILABLE, "the build log could not be read; subscribe again with your cursor", f.buildId);
                        remove(f);
                    }
                } while (f.wakes.addAndGet(-seen) != 0);
            });
        }
    }

    /**
     * Sends the lines after the follower's cursor, as far as its connection's queue has room: from the
     * build's live lines when they hold the next one, else from the store (which also says when the log ended).
     */
    private void pump(Follower f) {
        int budget = Math.max(1, f.client.queueCapacity() / 2);
        LiveLines lastLines = live.get(f.buildId);
        while (f.active) {
            int room = budget - f.client.queued();
            if (room <= 0) {
                return; // the queue running empty wakes us
            }
            int limit = Math.min(room, settings.pageSize());
            List<PreparedText> rendered = lastLines == null ? List.of() : lastLines.after(f.delivered, limit);
            if (!rendered.isEmpty()) {
                if (!f.client.sendPrepared(rendered)) {
                    remove(f);
                    return;
                }
                f.delivered += rendered.size();
                linesSent.increment(rendered.size());
                continue;
            }
            if (lastLines != null && lastLines.caughtUp(f.delivered)) {
                return; // has every line told, and the log goes on: the next append or the end wakes us
            }
            storeReads.increment();
            LogPage page = store.read(f.buildId, f.delivered, limit, databaseReads);
            List<PreparedText> messages = new ArrayList<>(page.lines().size());
            for (StoredLine line : page.lines()) {
                messages.add(PreparedText.of(logJson(f.buildId, line)));
            }
            if (!f.client.sendPrepared(messages)) {
                remove(f);
                return;
            }
            f.delivered = page.next();
            linesSent.increment(messages.size());
            if (page.done()) {
                f.client.send(endJson(f.buildId, page.status()));
                remove(f);
                return;
            }
            if (page.lines().isEmpty()) {
                return; // the next append wakes us
            }
        }
    }

    private static void error(StreamClient client, Code code, String message, String buildId) {
        client.send(errorJson(code, message, buildId));
    }

    static String errorJson(Code code, String message, String buildId) {
        ObjectNode node = JSON.createObjectNode().put("type", "error").put("code", code.name()).put("message", message);
        if (buildId != null) {
            node.put("buildId", buildId);
        }
        return JSON.writeValueAsString(node);
    }

    static String endJson(String buildId, String status) {
        return JSON.writeValueAsString(JSON.createObjectNode().put("type", "end").put("buildId", buildId).put("status", status));
    }

    static String logJson(String buildId, StoredLine line) {
        return JSON.writeValueAsString(JSON.createObjectNode().put("type", "log").put("buildId", buildId).put("ts", line.ts().toString())
                .put("level", line.level()).put("stage", line.stage()).put("line", line.line()).put("cursor", line.cursor()));
    }

    private static String excerpt(String value) {
        return value.length() > 64 ? value.substring(0, 64) + "..." : value;
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}

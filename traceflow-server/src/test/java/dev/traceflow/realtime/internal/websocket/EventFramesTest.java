package dev.traceflow.realtime.internal.websocket;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class EventFramesTest {

    private final AtomicInteger encoded = new AtomicInteger();
    private final EventFrames frames = new EventFrames(json -> {
        encoded.incrementAndGet();
        return json.getBytes(StandardCharsets.UTF_8);
    });

    private static String event(long seq) {
        return "{\"type\":\"event\",\"topic\":\"orders:1\",\"payload\":{\"total\":\"12 €\"},\"id\":\"e" + seq + "\",\"seq\":" + seq + ",\"ts\":1}";
    }

    @Test
    void anEvent_isEncodedOnce_forAllOfItsSubscribers() {
        String event = event(1);

        byte[] first = frames.frame(event);
        for (int subscriber = 1; subscriber < 100; subscriber++) {
            assertThat(frames.frame(event)).isSameAs(first);
        }

        assertThat(encoded).hasValue(1);
        assertThat(new String(first, StandardCharsets.UTF_8)).isEqualTo(event);
    }

    @Test
    void eventsThatShareASlot_eachGetTheirOwnFrame() {
        String a = event(1);
        String b = null;
        for (long seq = 2; b == null; seq++) {
            String candidate = event(seq);
            if (slot(candidate) == slot(a)) {
                b = candidate;
            }
        }

        for (int round = 0; round < 3; round++) {
            assertThat(new String(frames.frame(a), StandardCharsets.UTF_8)).isEqualTo(a);
            assertThat(new String(frames.frame(b), StandardCharsets.UTF_8)).isEqualTo(b);
        }
        assertThat(encoded).as("each took the slot from the other").hasValue(6);
    }

    private static int slot(String json) {
        int h = json.hashCode();
        return (h ^ (h >>> 16)) & (EventFrames.SLOTS - 1);
    }

    @Test
    void writersOfManyConnectionsAtOnce_alwaysGetTheirEventsOwnFrame() throws Exception {
        List<String> events = new ArrayList<>();
        for (long seq = 1; seq <= 2_000; seq++) {
            events.add(event(seq));
        }
        try (ExecutorService writers = Executors.newFixedThreadPool(4)) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                results.add(writers.submit(() -> {
                    boolean allRight = true;
                    for (int pass = 0; pass < 20; pass++) {
                        for (String event : events) {
                            allRight &= new String(frames.frame(event), StandardCharsets.UTF_8).equals(event);
                        }
                    }
                    return allRight;
                }));
            }
            for (Future<Boolean> result : results) {
                assertThat(result.get()).isTrue();
            }
        }
    }

    @Test
    void socketIosEventFrame_isTheMessageEventOfTheNamespace_inUtf8() {
        SocketIoSessions sessions = new SocketIoSessions(null, null, null, null, Runnable::run, Duration.ofSeconds(25),
                Duration.ofSeconds(20), Duration.ofSeconds(45), 1000, 3, 2);
        String event = event(7);

        assertThat(new String(sessions.eventFrames.frame(event), StandardCharsets.UTF_8))
                .isEqualTo("42/realtime,[\"message\"," + event + "]");
    }
}

package dev.traceflow.storage;

import dev.traceflow.support.TestProperties;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The storage queue's byte bound: an eighth of the heap unless set. */
class QueueSettingsTest {

    @Test
    void capacityBytes_defaultsToAnEighthOfTheHeap() {
        assertThat(TestProperties.defaults().storage().queue().capacityBytesLimit())
                .isEqualTo(Runtime.getRuntime().maxMemory() / 8);
    }

    @Test
    void capacityBytes_setIsTaken() {
        var queue = TestProperties.of(Map.of("traceflow.storage.queue.capacity-bytes", "67108864")).storage().queue();

        assertThat(queue.capacityBytesLimit()).isEqualTo(64L << 20);
    }
}

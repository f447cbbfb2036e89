package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventIdSequenceTest {

    @Test
    void writesRunTagStreamAndSequenceInSixteenCharacters() {
        EventIdSequence ids = new EventIdSequence("k3x9", 0xa0f);
        byte[] target = "[................]".getBytes(StandardCharsets.US_ASCII);

        ids.writeNext(target, 1);
        assertThat(new String(target, StandardCharsets.US_ASCII)).isEqualTo("[k3x9a0f000000000]");
        ids.writeNext(target, 1);
        assertThat(new String(target, StandardCharsets.US_ASCII)).isEqualTo("[k3x9a0f000000001]");
        assertThat(ids.issued()).isEqualTo(2);
    }

    @Test
    void rejectsTagsAndStreamsThatWouldBreakTheFixedWidth() {
        assertThatThrownBy(() -> new EventIdSequence("toolong", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EventIdSequence("ab\"c", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EventIdSequence("abcd", EventIdSequence.MAX_STREAMS)).isInstanceOf(IllegalArgumentException.class);
    }
}

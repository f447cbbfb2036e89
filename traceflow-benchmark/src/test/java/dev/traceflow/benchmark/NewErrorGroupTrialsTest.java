package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NewErrorGroupTrialsTest {

    @Test
    void marker_isUniquePerTrial_lettersOnly_andFoundAgainInATitle() {
        Set<String> markers = new HashSet<>();
        for (int n = 0; n < 2_000; n++) {
            String marker = NewErrorGroupTrials.marker("qwerty", n);
            assertThat(marker).matches("[A-Za-z]+");
            var m = NewErrorGroupTrials.MARKER.matcher("New errors: new error " + marker + "Error: benchmark trial " + marker);
            assertThat(m.find()).isTrue();
            assertThat(m.group()).isEqualTo(marker);
            markers.add(marker);
        }
        assertThat(markers).hasSize(2_000);
    }
}

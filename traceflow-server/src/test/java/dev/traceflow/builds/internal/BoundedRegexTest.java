package dev.traceflow.builds.internal;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BoundedRegexTest {

    @Test
    void aCatastrophicPattern_isStoppedByItsBudget() {
        BoundedRegex r = BoundedRegex.compile("^(.*a){12}$", 1000, 1_000_000);
        long started = System.nanoTime();
        assertThatThrownBy(() -> r.find("a".repeat(80) + "!")).isInstanceOf(BoundedRegex.TooExpensive.class);
        assertThat(System.nanoTime() - started).isLessThan(5_000_000_000L);
    }

    @Test
    void ordinaryPatterns_matchAsTheJdkDoes() {
        assertThat(BoundedRegex.compile("^https://", 1000, 1_000_000).find("https://a.example")).isTrue();
        assertThat(BoundedRegex.compile("b+", 1000, 1_000_000).find("aaa")).isFalse();
    }

    @Test
    void tooLongOrInvalidPatterns_areRefused() {
        assertThatThrownBy(() -> BoundedRegex.compile("a".repeat(1001), 1000, 1)).hasMessageContaining("longer than 1000");
        assertThatThrownBy(() -> BoundedRegex.compile("(", 1000, 1)).hasMessageContaining("not a valid regular expression");
    }
}

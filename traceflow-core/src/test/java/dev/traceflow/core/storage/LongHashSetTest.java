package dev.traceflow.core.storage;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class LongHashSetTest {

    /** Random adds and removes over a small key range (so probe chains collide and wrap), checked against HashSet. */
    @Test
    void behavesLikeAHashSetThroughGrowthAndDeletion() {
        Random random = new Random(11);
        LongHashSet set = new LongHashSet(4);
        Set<Long> reference = new HashSet<>();
        for (int step = 0; step < 200_000; step++) {
            long key = random.nextInt(5000) - 100; // includes 0 and negatives
            switch (random.nextInt(3)) {
                case 0 -> assertThat(set.add(key)).isEqualTo(reference.add(key));
                case 1 -> assertThat(set.remove(key)).isEqualTo(reference.remove(key));
                default -> assertThat(set.contains(key)).isEqualTo(reference.contains(key));
            }
            assertThat(set.size()).isEqualTo(reference.size());
        }
        for (long key = -100; key < 4900; key++) {
            assertThat(set.contains(key)).as("key %d", key).isEqualTo(reference.contains(key));
        }
    }

    @Test
    void removingEverythingLeavesItEmptyAndUsable() {
        LongHashSet set = new LongHashSet(16);
        for (long k = 1; k <= 1000; k++) {
            set.add(k * 0x9E3779B97F4A7C15L);
        }
        for (long k = 1; k <= 1000; k++) {
            assertThat(set.remove(k * 0x9E3779B97F4A7C15L)).isTrue();
        }
        assertThat(set.size()).isZero();
        assertThat(set.add(42)).isTrue();
        assertThat(set.contains(42)).isTrue();
    }
}

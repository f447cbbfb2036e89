package dev.traceflow.core.storage;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RecentEventIdsTest {

    @Test
    void add_alwaysRemembersTheLastCapacityIdsAndForgetsThoseTwiceAsOld() {
        RecentEventIds ids = new RecentEventIds(3);
        for (int n = 1; n <= 20; n++) {
            ids.add(RecentEventIds.key("app", "e" + n));
            for (int back = 0; back < Math.min(n, 3); back++) {
                assertThat(ids.contains(RecentEventIds.key("app", "e" + (n - back)))).as("after %d: e%d", n, n - back).isTrue();
            }
            for (int old = 1; old <= n - 6; old++) {
                assertThat(ids.contains(RecentEventIds.key("app", "e" + old))).as("after %d: e%d", n, old).isFalse();
            }
            assertThat(ids.size()).isBetween(Math.min(n, 3), 6);
        }
    }

    @Test
    void add_sameKeyTwiceTakesOneSlot() {
        RecentEventIds ids = new RecentEventIds(2);
        ids.add(7);
        ids.add(7);
        ids.add(8);
        assertThat(ids.contains(7)).isTrue();
        assertThat(ids.contains(8)).isTrue();
    }

    @Test
    void key_separatesAppAndIdBoundaries() {
        assertThat(RecentEventIds.key("ab", "c")).isNotEqualTo(RecentEventIds.key("a", "bc"));
        assertThat(RecentEventIds.key("a", "x")).isNotEqualTo(RecentEventIds.key("b", "x"));
    }

    @Test
    void add_growsPastItsInitialTableAndKeepsEveryKey() {
        RecentEventIds ids = new RecentEventIds(200_000);
        for (long k = 0; k < 200_000; k++) {
            ids.add(k * 31 + 1);
        }
        for (long k = 0; k < 200_000; k++) {
            assertThat(ids.contains(k * 31 + 1)).isTrue();
        }
        assertThat(ids.contains(5)).isFalse();
        for (long k = 0; k < 200_000; k++) {
            ids.add(-k - 1); // a second generation's worth
        }
        ids.add(-300_000);
        assertThat(ids.contains(1)).as("two generations later the first ids are gone").isFalse();
        assertThat(ids.contains(-1)).isTrue();
    }

    @Test
    void zeroKeyIsAnOrdinaryKey() {
        RecentEventIds ids = new RecentEventIds(1);
        ids.add(0);
        assertThat(ids.contains(0)).isTrue();
        ids.add(1);
        ids.add(2);
        assertThat(ids.contains(0)).isFalse();
        assertThat(ids.contains(2)).isTrue();
    }

    @Test
    void capacityMustBePositive() {
        assertThatThrownBy(() -> new RecentEventIds(0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Journals carry these keys across restarts and upgrades: the function must not change. */
    @Test
    void key_isStableFnv1aOverUtf8() {
        assertThat(RecentEventIds.key("demo", "0b7e3c1a-54f2-4f5e-9a51-6f0e2b8d7c41")).isEqualTo(-7612906590201816172L);
        assertThat(RecentEventIds.key("shop", "événement-✓-😀")).isEqualTo(-5329055648697217217L);
    }
}

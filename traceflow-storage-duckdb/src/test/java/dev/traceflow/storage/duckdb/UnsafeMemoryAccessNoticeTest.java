package dev.traceflow.storage.duckdb;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The end-to-end check is {@code PlainJarStartIT} (only JSON lines from a plain {@code java -jar}). */
class UnsafeMemoryAccessNoticeTest {

    @Test
    void onAJdkThatWarns_theJdksOnceOnlyWarningIsMarkedGivenBeforeArrowsFirstCall() throws Exception {
        assumeTrue(Runtime.version().feature() >= 24, "JDK 24+ warns about sun.misc.Unsafe's memory access");

        UnsafeMemoryAccessNotice.logOnce();

        Field warned = Class.forName("sun.misc.Unsafe").getDeclaredField(UnsafeMemoryAccessNotice.WARNED_FIELD);
        warned.setAccessible(true);
        assertThat(warned.getBoolean(null)).isTrue();
    }
}

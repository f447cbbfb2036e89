package dev.traceflow.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.traceflow.core.event.Event;
import dev.traceflow.storage.tests.GeneratedDataset;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DatasetLoaderDaysTest {

    @Test
    void days_keepTheVisitsAndUsers_eachDayStartingItsOwnVisits_withUniqueEventIds() {
        Instant start = Instant.parse("2026-11-01T00:00:00Z");
        GeneratedDataset month = new GeneratedDataset(7, List.of("shop-1"), 50, 301, start, 3);

        List<GeneratedDataset> days = DatasetLoader.days(month);

        assertThat(days).hasSize(3);
        assertThat(days.stream().mapToInt(GeneratedDataset::visits).sum()).isEqualTo(301);
        Set<String> ids = new HashSet<>();
        long events = 0;
        for (int d = 0; d < days.size(); d++) {
            GeneratedDataset day = days.get(d);
            assertThat(day.users()).isEqualTo(50);
            assertThat(day.days()).isEqualTo(1);
            assertThat(day.start()).isEqualTo(start.plus(Duration.ofDays(d)));
            for (Event e : day.events()) {
                ids.add(e.eventId());
                events++;
                // a visit starts within its day; its later steps may run past it
                assertThat(e.timestamp()).isGreaterThanOrEqualTo(day.start().toEpochMilli());
            }
        }
        assertThat(ids).hasSize((int) events);
    }
}

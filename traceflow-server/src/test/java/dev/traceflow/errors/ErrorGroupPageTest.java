package dev.traceflow.errors;

import dev.traceflow.errors.ErrorGroupPage.Page;
import dev.traceflow.errors.ErrorGroupPage.Position;
import dev.traceflow.errors.ErrorGroupPage.Row;
import dev.traceflow.errors.ErrorGroupPage.Sort;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Paging the group list: a total order, and pages that neither skip nor repeat groups with equal keys. */
class ErrorGroupPageTest {

    private static final Instant T = Instant.parse("2026-12-01T10:00:00Z");

    private static Row row(long id, long count, int firstSecond, int lastSecond) {
        ErrorGroup g = new ErrorGroup(id, "app", "fp" + id, ErrorStatus.UNRESOLVED, "Error", null, T.plusSeconds(firstSecond),
                T.plusSeconds(lastSecond), count, 0, null, null);
        return new Row(g, count, 1);
    }

    private static List<Long> ids(List<Row> rows) {
        return rows.stream().map(r -> r.group().id()).toList();
    }

    @Test
    void count_largestFirst_tiesByIdAscending_acrossPages() {
        List<Row> rows = List.of(row(5, 3, 0, 0), row(2, 7, 0, 0), row(9, 3, 0, 0), row(1, 3, 0, 0), row(4, 1, 0, 0));
        List<Long> seen = new ArrayList<>();
        Position after = null;
        int pages = 0;
        do {
            Page page = ErrorGroupPage.of(rows, Sort.COUNT, 2, after);
            assertThat(page.total()).isEqualTo(5);
            seen.addAll(ids(page.items()));
            after = page.next() == null ? null : Position.parse(page.next().text());
            pages++;
        } while (after != null);

        assertThat(seen).containsExactly(2L, 1L, 5L, 9L, 4L);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void lastSeenAndFirstSeen_newestFirst() {
        List<Row> rows = List.of(row(1, 1, 0, 50), row(2, 1, 10, 20), row(3, 1, 5, 60));

        assertThat(ids(ErrorGroupPage.of(rows, Sort.LAST_SEEN, 10, null).items())).containsExactly(3L, 1L, 2L);
        assertThat(ids(ErrorGroupPage.of(rows, Sort.FIRST_SEEN, 10, null).items())).containsExactly(2L, 3L, 1L);
    }

    @Test
    void thePageAfterTheLast_isEmpty_withoutNext() {
        List<Row> rows = List.of(row(1, 1, 0, 0));

        Page page = ErrorGroupPage.of(rows, Sort.COUNT, 1, new Position(Sort.COUNT, 1, 1));

        assertThat(page.items()).isEmpty();
        assertThat(page.next()).isNull();
        assertThat(ErrorGroupPage.of(rows, Sort.COUNT, 1, null).next()).as("one row, one page").isNull();
    }

    @Test
    void positions_readBackWhatTheyWrote_andNothingElse() {
        Position p = new Position(Sort.FIRST_SEEN, -5, 42);

        assertThat(Position.parse(p.text())).isEqualTo(p);
        assertThat(Position.parse("count|x|1")).isNull();
        assertThat(Position.parse("bogus|1|1")).isNull();
        assertThat(Position.parse("count|1")).isNull();
    }
}

package dev.traceflow.errors;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * One page of the error group list: sorted by a key, most first, ties by id (ascending), so the
 * order is total and a page boundary ({@code sort|key|id}, which the controller signs into a
 * cursor) says exactly where the next page starts, even when many groups share a count.
 */
final class ErrorGroupPage {

    /** A group with its events and users over the asked range. */
    record Row(ErrorGroup group, long count, long users) {
    }

    /** The orders of the list, by wire name; all put the largest key first. */
    enum Sort {
        COUNT("count", Row::count),
        LAST_SEEN("lastSeen", r -> r.group().lastSeen().toEpochMilli()),
        FIRST_SEEN("firstSeen", r -> r.group().firstSeen().toEpochMilli());

        final String wireName;
        private final ToLongFunction<Row> key;

        Sort(String wireName, ToLongFunction<Row> key) {
            this.wireName = wireName;
            this.key = key;
        }

        long key(Row r) {
            return key.applyAsLong(r);
        }

        Comparator<Row> order() {
            return Comparator.comparingLong(this::key).reversed().thenComparingLong(r -> r.group().id());
        }

        static Sort fromWireName(String name) {
            for (Sort s : values()) {
                if (s.wireName.equals(name)) {
                    return s;
                }
            }
            return null;
        }
    }

    /** Where a page ended: the last row's key and id under a sort. */
    record Position(Sort sort, long key, long id) {

        String text() {
            return sort.wireName + "|" + key + "|" + id;
        }

        /** @return null when the text is not a position (only possible for text this server did not make) */
        static Position parse(String text) {
            String[] parts = text.split("\\|", -1);
            if (parts.length != 3 || Sort.fromWireName(parts[0]) == null) {
                return null;
            }
            try {
                return new Position(Sort.fromWireName(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
            } catch (NumberFormatException e) {
                return null;
            }
        }

        boolean isBefore(Row r) {
            long k = sort.key(r);
            return k < key || k == key && r.group().id() > id;
        }
    }

    /** @param next where the next page starts, null on the last page */
    record Page(List<Row> items, long total, Position next) {
    }

    private ErrorGroupPage() {
    }

    /**
     * The page of {@code rows} after {@code after} (null: the first page).
     *
     * @param after must have been made under {@code sort}
     */
    static Page of(List<Row> rows, Sort sort, int limit, Position after) {
        List<Row> sorted = new ArrayList<>(rows);
        sorted.sort(sort.order());
        List<Row> page = new ArrayList<>(limit);
        int i = 0;
        if (after != null) {
            while (i < sorted.size() && !after.isBefore(sorted.get(i))) {
                i++;
            }
        }
        for (; i < sorted.size() && page.size() < limit; i++) {
            page.add(sorted.get(i));
        }
        Position next = null;
        if (i < sorted.size() && !page.isEmpty()) {
            Row last = page.getLast();
            next = new Position(sort, sort.key(last), last.group().id());
        }
        return new Page(page, sorted.size(), next);
    }
}

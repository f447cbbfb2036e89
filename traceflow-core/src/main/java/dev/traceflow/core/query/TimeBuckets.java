package dev.traceflow.core.query;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The buckets of a series over {@code [from, to)}: every bucket that holds a moment of the range,
 * the first one starting at or before {@code from}. Written once for every backend, so that all of
 * them agree on where a bucket starts:
 *
 * <ul>
 *   <li>{@code minute} and {@code hour}: the event's local time in the zone, truncated, minus the
 *       offset in force at the event (in the repeated hour of a DST change the two hours stay two
 *       buckets; with a 30- or 45-minute offset, hours start at local full hours);</li>
 *   <li>{@code day}: local midnight; {@code week}: local midnight of the ISO week's Monday;
 *       {@code month}: local midnight of the first day. A day can be 23 or 25 hours long.</li>
 * </ul>
 *
 * Bucket labels are the bucket's start as an instant.
 */
public final class TimeBuckets {

    /** More buckets than this is refused: minutes over a month and more say the query is a mistake. */
    public static final int MAX_BUCKETS = 10_000;

    private final Instant from;
    private final Instant to;
    private final Granularity granularity;
    private final ZoneId zone;
    private final List<Instant> starts;
    private final Map<Instant, Integer> index;

    /** @throws IllegalArgumentException when the range would hold more than {@link #MAX_BUCKETS} buckets */
    public TimeBuckets(Instant from, Instant to, Granularity granularity, ZoneId zone) {
        this.from = Objects.requireNonNull(from);
        this.to = Objects.requireNonNull(to);
        this.granularity = Objects.requireNonNull(granularity);
        this.zone = Objects.requireNonNull(zone);
        long estimate = estimate(from, to, granularity);
        if (estimate > MAX_BUCKETS) {
            throw new IllegalArgumentException("the range holds about " + estimate + " " + granularity.wireName()
                    + " buckets; at most " + MAX_BUCKETS + " are answered: use a coarser granularity or a shorter range");
        }
        List<Instant> list = new ArrayList<>();
        Instant s = startOf(from);
        while (s.isBefore(to)) {
            list.add(s);
            s = next(s);
        }
        this.starts = Collections.unmodifiableList(list);
        this.index = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            index.put(list.get(i), i);
        }
    }

    /** An upper estimate of the buckets in a range, without building them. */
    public static long estimate(Instant from, Instant to, Granularity g) {
        long seconds = Math.max(0, Duration.between(from, to).getSeconds());
        long unit = switch (g) {
            case MINUTE -> 60;
            case HOUR -> 3600;
            case DAY -> 86_400 - 3600;
            case WEEK -> 7 * 86_400 - 3600;
            case MONTH -> 28 * 86_400 - 3600;
        };
        return seconds / unit + 2;
    }

    public Granularity granularity() {
        return granularity;
    }

    public ZoneId zone() {
        return zone;
    }

    /** The bucket starts, oldest first; never empty for a non-empty range. */
    public List<Instant> starts() {
        return starts;
    }

    public int size() {
        return starts.size();
    }

    /** @return the position of the bucket that starts at {@code start}, or -1 when it is not one of this series' */
    public int indexOf(Instant start) {
        Integer i = index.get(start);
        return i == null ? -1 : i;
    }

    /** The start of the bucket that holds {@code t}. */
    public Instant startOf(Instant t) {
        ZoneRules rules = zone.getRules();
        ZoneOffset offset = rules.getOffset(t);
        LocalDateTime local = LocalDateTime.ofInstant(t, offset);
        return switch (granularity) {
            case MINUTE -> local.truncatedTo(ChronoUnit.MINUTES).toInstant(offset);
            case HOUR -> local.truncatedTo(ChronoUnit.HOURS).toInstant(offset);
            default -> startOfLocalDay(local.toLocalDate());
        };
    }

    /**
     * The bucket start for the key a SQL backend computes (see the class comment): for minute and
     * hour the bucket start as a UTC date-time; for day, week and month the local date-time at
     * which the bucket starts (only its date counts).
     */
    public Instant startOfKey(LocalDateTime key) {
        return switch (granularity) {
            case MINUTE, HOUR -> key.toInstant(ZoneOffset.UTC);
            default -> startOfLocalDay(key.toLocalDate());
        };
    }

    private Instant startOfLocalDay(LocalDate date) {
        LocalDate first = switch (granularity) {
            case WEEK -> date.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
            case MONTH -> date.withDayOfMonth(1);
            default -> date;
        };
        return first.atStartOfDay(zone).toInstant();
    }

    private Instant next(Instant start) {
        return switch (granularity) {
            case MINUTE -> startOf(start.plusSeconds(60));
            case HOUR -> startOf(start.plusSeconds(3600));
            case DAY, WEEK, MONTH -> {
                LocalDate local = LocalDateTime.ofInstant(start, zone).toLocalDate();
                LocalDate following = switch (granularity) {
                    case DAY -> local.plusDays(1);
                    case WEEK -> local.plusWeeks(1);
                    default -> local.plusMonths(1);
                };
                yield startOfLocalDay(following);
            }
        };
    }

    /**
     * The zone's UTC offsets over {@code [from, to)}, as consecutive spans, for backends that
     * compute local times themselves (the offset of an instant is that of the span holding it).
     * The first span starts at {@code from}, the last ends at {@code to}.
     */
    public static List<OffsetSpan> offsets(ZoneId zone, Instant from, Instant to) {
        ZoneRules rules = zone.getRules();
        List<OffsetSpan> spans = new ArrayList<>();
        Instant start = from;
        ZoneOffsetTransition t = rules.nextTransition(from);
        while (t != null && t.getInstant().isBefore(to)) {
            spans.add(new OffsetSpan(start, t.getInstant(), rules.getOffset(start).getTotalSeconds()));
            start = t.getInstant();
            t = rules.nextTransition(start);
        }
        spans.add(new OffsetSpan(start, to, rules.getOffset(start).getTotalSeconds()));
        return spans;
    }

    /** A time span {@code [start, end)} with one UTC offset. */
    public record OffsetSpan(Instant start, Instant end, int offsetSeconds) {
    }
}

package dev.traceflow.realtime.internal.broker;

import java.util.regex.Pattern;

/**
 * What a topic name may be: 1-{@value #MAX_CHARS} of {@code A-Z a-z 0-9 _ - . : @}, so seed 001's
 * {@code orders:{shopId}}, {@code booking:{venueId}} and {@code notice:global} are names as they
 * stand. A name is always relative to the connection's app (see {@link Broker}): two apps' {@code
 * orders:1} are two topics, and no name can reach another app's.
 */
public final class TopicNames {

    public static final int MAX_CHARS = 128;
    /**
     * Topics the server itself publishes on (an app's live metrics, {@code traceflow:metrics}): clients
     * and backends may subscribe as the app's rules allow, and never publish on them.
     */
    public static final String RESERVED_PREFIX = "traceflow:";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_\\-.:@]{1," + MAX_CHARS + "}");

    private TopicNames() {
    }

    public static boolean valid(String topic) {
        return topic != null && NAME.matcher(topic).matches();
    }

    /** Whether only the server publishes on it (see {@link #RESERVED_PREFIX}). */
    public static boolean reserved(String topic) {
        return topic.startsWith(RESERVED_PREFIX);
    }

    /** Why a name is refused, for the client's error message. */
    public static String rule() {
        return "a topic is 1-" + MAX_CHARS + " of A-Z a-z 0-9 _ - . : @";
    }
}

package dev.traceflow.benchmark;

import java.nio.charset.StandardCharsets;

/**
 * Extracts the {@code accepted} and {@code rejected} counts from an ingest answer such as
 * {@code {"accepted":50,"rejected":0,"errors":[]}} with a byte scan instead of a JSON parse, because
 * it runs once per request in the load loop. Only top-level-looking {@code "name":<digits>} pairs are
 * recognised; that is all the contract promises and all the benchmark needs.
 */
public final class AnswerCountScanner {

    private static final byte[] ACCEPTED = "\"accepted\"".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] REJECTED = "\"rejected\"".getBytes(StandardCharsets.US_ASCII);

    private AnswerCountScanner() {
    }

    /** The {@code accepted} count, or -1 when the body has none. */
    public static long accepted(byte[] body) {
        return numberAfter(body, ACCEPTED);
    }

    /** The {@code rejected} count, or -1 when the body has none. */
    public static long rejected(byte[] body) {
        return numberAfter(body, REJECTED);
    }

    private static long numberAfter(byte[] body, byte[] quotedName) {
        outer:
        for (int i = 0; i + quotedName.length < body.length; i++) {
            for (int j = 0; j < quotedName.length; j++) {
                if (body[i + j] != quotedName[j]) {
                    continue outer;
                }
            }
            int p = skipSpaces(body, i + quotedName.length);
            if (p >= body.length || body[p] != ':') {
                continue;
            }
            p = skipSpaces(body, p + 1);
            long value = 0;
            int digits = 0;
            while (p < body.length && body[p] >= '0' && body[p] <= '9' && digits < 18) {
                value = value * 10 + (body[p++] - '0');
                digits++;
            }
            if (digits > 0) {
                return value;
            }
        }
        return -1;
    }

    private static int skipSpaces(byte[] body, int from) {
        int p = from;
        while (p < body.length && (body[p] == ' ' || body[p] == '\t' || body[p] == '\n' || body[p] == '\r')) {
            p++;
        }
        return p;
    }
}

package dev.traceflow.benchmark;

import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A fixed pool of {@link Visitor}s with a realistic device mix, so generated events repeat sessions,
 * users and user agents the way real traffic does (the server caches parsed user agents and groups
 * sessions; all-unique values would make it look slower than in production, all-equal faster).
 */
final class VisitorPool {

    private record Device(String userAgent, int weightPercent, boolean mobile) {
    }

    /** Current desktop and mobile browsers, weighted roughly like a consumer web shop's traffic. */
    private static final List<Device> DEVICES = List.of(
            new Device("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", 25, false),
            new Device("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36", 10, false),
            new Device("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0", 7, false),
            new Device("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", 8, false),
            new Device("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36", 22, true),
            new Device("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", 24, true),
            new Device("Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0", 4, true));

    private static final String[] RELEASES = {"2.14.3", "2.14.3", "2.14.3", "2.15.0"};
    private static final int[][] DESKTOP_VIEWPORTS = {{1920, 969}, {1536, 730}, {1440, 789}, {1366, 657}};
    private static final int[][] MOBILE_VIEWPORTS = {{390, 664}, {412, 839}, {375, 635}, {360, 740}};

    private final List<Visitor> visitors;

    VisitorPool(int size, RandomGenerator random) {
        List<Visitor> pool = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            Device device = pickDevice(random);
            int[] viewport = (device.mobile() ? MOBILE_VIEWPORTS : DESKTOP_VIEWPORTS)[random.nextInt(4)];
            // About a third of visitors are logged in; the rest are only known by their anonymous id.
            String userId = random.nextInt(100) < 30 ? "u_" + (100_000 + random.nextInt(900_000)) : null;
            pool.add(new Visitor("s_" + randomId(random, 10), "a_" + randomId(random, 10), userId,
                    device.userAgent(), viewport[0], viewport[1], RELEASES[random.nextInt(RELEASES.length)]));
        }
        this.visitors = List.copyOf(pool);
    }

    Visitor pick(RandomGenerator random) {
        return visitors.get(random.nextInt(visitors.size()));
    }

    int size() {
        return visitors.size();
    }

    private static Device pickDevice(RandomGenerator random) {
        int roll = random.nextInt(100);
        for (Device device : DEVICES) {
            roll -= device.weightPercent();
            if (roll < 0) {
                return device;
            }
        }
        return DEVICES.getFirst();
    }

    static String randomId(RandomGenerator random, int length) {
        String alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";
        StringBuilder id = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            id.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return id.toString();
    }
}

package dev.traceflow.benchmark;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * One API request sent again and again as a latency benchmark wants it timed: a POST with the
 * user's bearer token and a JSON body, written to one kept-alive socket and read back on the calling
 * thread ({@link RawHttpConnection}). Each answer's time runs from the first byte written to the last
 * byte of the answer read: the request, and none of the client's own machinery.
 * <p>
 * Why not {@link ApiClient}: the JDK's HttpClient hands every exchange from the calling thread to its
 * selector thread, on to a worker thread and back, and each hand-off is a wake-up that waits for a CPU
 * on a busy machine, inside the time it reports. And when the server ends a kept-alive connection
 * (after {@code server.tomcat.max-keep-alive-requests}: Tomcat's default is 100), the next send opens a
 * new one inside its time, which put the TCP handshake into every 100th request at Tomcat's default (1 % of
 * the requests, where the p99 is read). Here a new connection is opened before the clock starts; the server still accepts it
 * while the request runs, so its side of a new connection stays in the time. Not thread-safe.
 */
final class TimedPost implements AutoCloseable {

    private static final int CONNECT_TIMEOUT_MILLIS = 5_000;
    /** A stalled server must not hang the run (as {@link ApiClient}'s request timeout). */
    private static final int READ_TIMEOUT_MILLIS = 300_000;

    private final ApiClient api;
    private final RawHttpConnection connection;
    private final String hostPort;
    private final String path;
    private final byte[] body;
    private String encodedFor;
    private byte[] request;

    /**
     * @param api  whose user's access token is sent (it logs in again before the token expires)
     * @param path the path and query, e.g. {@code /configs/c-1/validate}
     * @param json the body, sent as {@code application/json}
     */
    TimedPost(ApiClient api, InetSocketAddress server, String path, String json) {
        this.api = api;
        this.connection = new RawHttpConnection(server, CONNECT_TIMEOUT_MILLIS, READ_TIMEOUT_MILLIS);
        this.hostPort = server.getHostString() + ":" + server.getPort();
        this.path = path;
        this.body = json.getBytes(StandardCharsets.UTF_8);
    }

    /** Sends the request once: the answer, with the time from its first byte written to its last byte read. */
    ApiClient.Answer send() throws IOException, InterruptedException {
        String token = api.accessToken();
        if (!token.equals(encodedFor)) {
            request = encode(token);
            encodedFor = token;
        }
        connection.connect(); // a no-op while the connection is open; otherwise before the clock
        long start = System.nanoTime();
        HttpResponse response = connection.exchange(request, request.length);
        double millis = (System.nanoTime() - start) / 1e6;
        return new ApiClient.Answer(response.status(), response.bodyText(), millis);
    }

    /** TCP connections opened so far: 1 + one after each connection the server ended. */
    long connections() {
        return connection.connectsMade();
    }

    private byte[] encode(String token) {
        byte[] head = ("POST " + path + " HTTP/1.1\r\n"
                + "Host: " + hostPort + "\r\n"
                + "Authorization: Bearer " + token + "\r\n"
                + "Content-Type: application/json\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] bytes = new byte[head.length + body.length];
        System.arraycopy(head, 0, bytes, 0, head.length);
        System.arraycopy(body, 0, bytes, head.length, body.length);
        return bytes;
    }

    @Override
    public void close() {
        connection.close();
    }
}

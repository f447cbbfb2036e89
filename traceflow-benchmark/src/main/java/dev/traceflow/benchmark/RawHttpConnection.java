package dev.traceflow.benchmark;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * One HTTP/1.1 keep-alive connection over a plain {@link Socket}: it writes a request that is already
 * fully encoded (request line, headers and body in one byte array) and reads the response with an
 * {@link HttpResponseReader}. No pooling, no redirects, no retries: a load generator wants every
 * request to cost the same few system calls, and wants failures counted, not hidden.
 *
 * <p>The socket is opened lazily by {@link #exchange} and closed when the server announces
 * {@code Connection: close} (Tomcat does after {@code maxKeepAliveRequests}) or when an I/O error
 * happens, so the next exchange reconnects. Not thread-safe: one connection per load thread.
 */
public final class RawHttpConnection implements AutoCloseable {

    private final InetSocketAddress address;
    private final int connectTimeoutMillis;
    private final int readTimeoutMillis;
    private Socket socket;
    private OutputStream out;
    private HttpResponseReader reader;
    private long connectsMade;

    /**
     * @param readTimeoutMillis how long one read may block before the exchange fails, in milliseconds;
     *                          bounds a phase's overrun when the server stalls
     */
    public RawHttpConnection(InetSocketAddress address, int connectTimeoutMillis, int readTimeoutMillis) {
        this.address = address;
        this.connectTimeoutMillis = connectTimeoutMillis;
        this.readTimeoutMillis = readTimeoutMillis;
    }

    /** Opens the socket now if it is not open, so a phase can connect before its clock starts. */
    public void connect() throws IOException {
        if (socket != null) {
            return;
        }
        Socket s = new Socket();
        try {
            // Requests go out in one write; without TCP_NODELAY a split write could wait for a delayed ACK.
            s.setTcpNoDelay(true);
            s.setSoTimeout(readTimeoutMillis);
            s.connect(address, connectTimeoutMillis);
            out = s.getOutputStream();
            reader = new HttpResponseReader(s.getInputStream());
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        socket = s;
        connectsMade++;
    }

    /**
     * Sends {@code length} bytes of {@code request} (a complete HTTP/1.1 request) and reads the answer.
     * On any I/O failure the socket is closed before the exception propagates.
     */
    public HttpResponse exchange(byte[] request, int length) throws IOException {
        connect();
        try {
            out.write(request, 0, length);
            out.flush();
            HttpResponse response = reader.read();
            if (response.closeAfter()) {
                close();
            }
            return response;
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Whether a socket is currently open (it may still have been closed by the peer). */
    public boolean isOpen() {
        return socket != null;
    }

    /** How many TCP connections this object has opened so far (1 + reconnects). */
    public long connectsMade() {
        return connectsMade;
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // Closing a socket we are abandoning: nothing useful to do with the error.
            }
            socket = null;
            out = null;
            reader = null;
        }
    }
}

package dev.traceflow.builds.internal.git;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A git server's stream (an http response, an ssh channel) that fails past a byte limit: a server
 * that would send more than any repository we take.
 */
final class LimitedInputStream extends FilterInputStream {

    private long left;

    LimitedInputStream(InputStream in, long limit) {
        super(in);
        this.left = limit;
    }

    @Override
    public int read() throws IOException {
        if (left <= 0) {
            throw new IOException("git server response over the size limit");
        }
        int b = super.read();
        if (b >= 0) {
            left--;
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (left <= 0) {
            throw new IOException("git server response over the size limit");
        }
        int n = super.read(b, off, (int) Math.min(len, left));
        if (n > 0) {
            left -= n;
        }
        return n;
    }
}

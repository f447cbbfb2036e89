package dev.traceflow.builds.internal;

import dev.traceflow.http.ApiErrorWriter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.List;

/**
 * A size limit on the builds routes' request bodies ({@code traceflow.builds.max-body-bytes}): 413
 * by Content-Length before anything is read, and a read past the limit of a body without one fails
 * (the JSON reader then answers 400).
 */
@Component
class BuildsBodyLimit extends OncePerRequestFilter {

    static final List<String> PREFIXES = List.of("/git-sources", "/templates", "/projects", "/configs", "/settings", "/credentials");

    private final long limit;

    BuildsBodyLimit(BuildsProperties properties) {
        this.limit = properties.maxBodyBytes().toBytes();
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI();
        return PREFIXES.stream().noneMatch(p -> path.equals(p) || path.startsWith(p + "/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (request.getContentLengthLong() > limit) {
            ApiErrorWriter.write(request, response, HttpStatus.CONTENT_TOO_LARGE, "PAYLOAD_TOO_LARGE",
                    "the request body is larger than " + limit + " bytes");
            return;
        }
        chain.doFilter(new HttpServletRequestWrapper(request) {
            private ServletInputStream limited;

            @Override
            public ServletInputStream getInputStream() throws IOException {
                if (limited == null) {
                    ServletInputStream in = super.getInputStream();
                    limited = new ServletInputStream() {
                        private long read;

                        @Override
                        public int read() throws IOException {
                            int b = in.read();
                            if (b >= 0 && ++read > limit) {
                                throw new IOException("request body over " + limit + " bytes");
                            }
                            return b;
                        }

                        @Override
                        public int read(byte[] b, int off, int len) throws IOException {
                            int n = in.read(b, off, len);
                            if (n > 0 && (read += n) > limit) {
                                throw new IOException("request body over " + limit + " bytes");
                            }
                            return n;
                        }

                        @Override
                        public boolean isFinished() {
                            return in.isFinished();
                        }

                        @Override
                        public boolean isReady() {
                            return in.isReady();
                        }

                        @Override
                        public void setReadListener(ReadListener listener) {
                            in.setReadListener(listener);
                        }
                    };
                }
                return limited;
            }
        }, response);
    }
}

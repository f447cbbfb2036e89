package dev.traceflow.builds.internal.git;

import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.eclipse.jgit.transport.http.HttpConnection;

import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * One JGit HTTP exchange over Apache HttpClient, to a pinned address. The request body (a
 * fetch's wants and haves: small) is buffered, up to {@link #MAX_REQUEST_BYTES}, and sent when
 * the response is first asked for. Certificates are always verified: JGit's requests to turn
 * that off ({@link #configure}, {@link #setHostnameVerifier}) are refused.
 */
final class GuardedHttpConnection implements HttpConnection {

    static final int MAX_REQUEST_BYTES = 8 * 1024 * 1024;

    private final CloseableHttpClient client;
    private final URL url;
    private final HttpHost pinned;
    private final long maxResponseBytes;
    private final Map<String, String> requestHeaders = new LinkedHashMap<>();
    private String method = "GET";
    private ByteArrayOutputStream body;
    private ClassicHttpResponse response;

    GuardedHttpConnection(CloseableHttpClient client, URL url, GitUrl target, InetAddress address, long maxResponseBytes) {
        this.client = client;
        this.url = url;
        this.pinned = new HttpHost(target.scheme(), address, target.bareHost(), target.effectivePort());
        this.maxResponseBytes = maxResponseBytes;
    }

    private ClassicHttpResponse response() throws IOException {
        if (response == null) {
            URI uri;
            try {
                uri = url.toURI();
            } catch (URISyntaxException e) {
                throw new IOException("not a valid URL", e);
            }
            HttpUriRequestBase request = new HttpUriRequestBase(method, uri);
            requestHeaders.forEach(request::setHeader);
            if (body != null) {
                String type = requestHeaders.get("Content-Type");
                request.setEntity(new ByteArrayEntity(body.toByteArray(), type == null ? null : ContentType.parseLenient(type)));
            }
            // the request names the URL's host; the connection goes to the pinned address
            response = client.executeOpen(pinned, request, null);
            if (response.getCode() >= 300 && response.getEntity() != null) {
                // JGit does not read (nor close) the body of a refusal or redirect: keep a little of it, free the connection
                byte[] head = response.getEntity().getContent().readNBytes(64 * 1024);
                ContentType type = ContentType.parseLenient(response.getEntity().getContentType());
                response.close();
                response.setEntity(new ByteArrayEntity(head, type));
            }
        }
        return response;
    }

    @Override
    public int getResponseCode() throws IOException {
        return response().getCode();
    }

    @Override
    public URL getURL() {
        return url;
    }

    @Override
    public String getResponseMessage() throws IOException {
        return response().getReasonPhrase();
    }

    @Override
    public Map<String, List<String>> getHeaderFields() {
        Map<String, List<String>> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (response != null) {
            for (Header h : response.getHeaders()) {
                fields.computeIfAbsent(h.getName(), k -> new ArrayList<>()).add(h.getValue());
            }
        }
        return fields;
    }

    @Override
    public void setRequestProperty(String key, String value) {
        requestHeaders.put(key, value);
    }

    @Override
    public void setRequestMethod(String method) {
        this.method = method.toUpperCase(Locale.ROOT);
    }

    @Override
    public void setUseCaches(boolean usecaches) {
        // no cache in this client
    }

    @Override
    public void setConnectTimeout(int timeout) {
        // the factory's timeouts apply: JGit's come from repository config that users do not set here
    }

    @Override
    public void setReadTimeout(int timeout) {
        // as setConnectTimeout
    }

    @Override
    public String getContentType() {
        HttpEntity entity = response == null ? null : response.getEntity();
        return entity == null ? null : entity.getContentType();
    }

    @Override
    public InputStream getInputStream() throws IOException {
        HttpEntity entity = response().getEntity();
        if (entity == null) {
            return InputStream.nullInputStream();
        }
        return new LimitedInputStream(entity.getContent(), maxResponseBytes);
    }

    @Override
    public String getHeaderField(String name) {
        Header h = response == null ? null : response.getFirstHeader(name);
        return h == null ? null : h.getValue();
    }

    @Override
    public List<String> getHeaderFields(String name) {
        if (response == null) {
            return List.of();
        }
        List<String> values = new ArrayList<>();
        for (Header h : response.getHeaders(name)) {
            values.add(h.getValue());
        }
        return values;
    }

    @Override
    public int getContentLength() {
        HttpEntity entity = response == null ? null : response.getEntity();
        long length = entity == null ? -1 : entity.getContentLength();
        return length > Integer.MAX_VALUE ? -1 : (int) length;
    }

    @Override
    public void setInstanceFollowRedirects(boolean followRedirects) {
        // never: JGit follows redirects itself through the guarded factory
    }

    @Override
    public void setDoOutput(boolean dooutput) {
        // a body is sent when getOutputStream was used
    }

    @Override
    public void setFixedLengthStreamingMode(int contentLength) {
        // buffered: the length is known when sent
    }

    @Override
    public OutputStream getOutputStream() {
        if (body == null) {
            body = new ByteArrayOutputStream() {
                @Override
                public synchronized void write(byte[] b, int off, int len) {
                    if (count + len > MAX_REQUEST_BYTES) {
                        throw new IllegalStateException("git request body over " + MAX_REQUEST_BYTES + " bytes");
                    }
                    super.write(b, off, len);
                }

                @Override
                public synchronized void write(int b) {
                    write(new byte[]{(byte) b}, 0, 1);
                }
            };
        }
        return body;
    }

    @Override
    public void setChunkedStreamingMode(int chunklen) {
        // buffered
    }

    @Override
    public String getRequestMethod() {
        return method;
    }

    @Override
    public boolean usingProxy() {
        return false;
    }

    @Override
    public void connect() throws IOException {
        response();
    }

    @Override
    public void configure(KeyManager[] km, TrustManager[] tm, SecureRandom random) {
        throw new UnsupportedOperationException("certificate checks of git servers cannot be turned off");
    }

    @Override
    public void setHostnameVerifier(HostnameVerifier hostnameverifier) {
        throw new UnsupportedOperationException("host name checks of git servers cannot be turned off");
    }
}

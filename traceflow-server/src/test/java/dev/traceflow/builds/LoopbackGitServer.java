package dev.traceflow.builds;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.RefAdvertiser;
import org.eclipse.jgit.transport.UploadPack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * A test fixture only: git's smart HTTP protocol (v0, upload-pack) on 127.0.0.1, served by JGit's
 * {@link UploadPack} over the JDK's HTTP server, for repositories the test builds with JGit. A
 * repository may require a token (Basic auth, any user name). The product never runs this.
 */
public final class LoopbackGitServer implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, Repository> repositories = new ConcurrentHashMap<>();
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final Map<String, String> redirects = new ConcurrentHashMap<>();
    private final AtomicInteger requests = new AtomicInteger();

    public LoopbackGitServer() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** A new repository at {@code /<name>.git}, made by the caller through the returned Git. */
    public Git create(String name, String token) throws Exception {
        Path dir = Files.createTempDirectory("traceflow-git-" + name);
        Git git = Git.init().setDirectory(dir.toFile()).setInitialBranch("main").call();
        repositories.put("/" + name + ".git", git.getRepository());
        if (token != null) {
            tokens.put("/" + name + ".git", token);
        }
        return git;
    }

    /** Requests for {@code /<name>.git/...} answer 302 to {@code <target>/...} (the rest of the path and the query kept). */
    public void redirect(String name, String target) {
        redirects.put("/" + name + ".git", target);
    }

    public String url(String name) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + name + ".git";
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public int requests() {
        return requests.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        requests.incrementAndGet();
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String repoPath = path.replaceFirst("/(info/refs|git-upload-pack)$", "");
            String redirect = redirects.get(repoPath);
            if (redirect != null) {
                String query = exchange.getRequestURI().getRawQuery();
                exchange.getResponseHeaders().add("Location", redirect + path.substring(repoPath.length()) + (query == null ? "" : "?" + query));
                exchange.sendResponseHeaders(302, -1);
                return;
            }
            Repository repo = repositories.get(repoPath);
            if (repo == null) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            String token = tokens.get(repoPath);
            if (token != null && !authorized(exchange, token)) {
                exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
                exchange.sendResponseHeaders(401, -1);
                return;
            }
            if (path.endsWith("/info/refs") && "git-upload-pack".equals(query(exchange, "service"))) {
                exchange.getResponseHeaders().add("Content-Type", "application/x-git-upload-pack-advertisement");
                exchange.getResponseHeaders().add("Cache-Control", "no-cache");
                exchange.sendResponseHeaders(200, 0);
                OutputStream out = exchange.getResponseBody();
                PacketLineOut pck = new PacketLineOut(out);
                pck.writeString("# service=git-upload-pack\n");
                pck.end();
                UploadPack up = new UploadPack(repo);
                up.setBiDirectionalPipe(false);
                up.sendAdvertisedRefs(new RefAdvertiser.PacketLineOutRefAdvertiser(pck));
                out.flush();
            } else if (path.endsWith("/git-upload-pack") && exchange.getRequestMethod().equals("POST")) {
                exchange.getResponseHeaders().add("Content-Type", "application/x-git-upload-pack-result");
                exchange.sendResponseHeaders(200, 0);
                InputStream in = exchange.getRequestBody();
                if ("gzip".equals(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    in = new GZIPInputStream(in);
                }
                UploadPack up = new UploadPack(repo);
                up.setBiDirectionalPipe(false);
                up.upload(in, exchange.getResponseBody(), null);
            } else {
                exchange.sendResponseHeaders(403, -1);
            }
        }
    }

    private static boolean authorized(HttpExchange exchange, String token) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.startsWith("Basic ")) {
            return false;
        }
        String decoded = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
        return decoded.endsWith(":" + token);
    }

    private static String query(HttpExchange exchange, String name) {
        String q = exchange.getRequestURI().getQuery();
        if (q == null) {
            return null;
        }
        for (String part : q.split("&")) {
            if (part.startsWith(name + "=")) {
                return part.substring(name.length() + 1);
            }
        }
        return null;
    }

    @Override
    public void close() {
        server.stop(0); // the repositories belong to the Git objects create() returned, closed by the tests
    }
}

package dev.traceflow.benchmark;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.PacketLineOut;
import org.eclipse.jgit.transport.RefAdvertiser;
import org.eclipse.jgit.transport.UploadPack;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.zip.GZIPInputStream;

/**
 * The builds benchmark's git server: git's smart HTTP protocol (v0, upload-pack only, read-only)
 * on 127.0.0.1, served by JGit's {@link UploadPack} over the JDK's HTTP server, for repositories
 * the benchmark makes. What a git host does for a fetch, without a git host to install.
 */
final class LoopbackGitHttpServer implements AutoCloseable {

    private final HttpServer server;
    private final Map<String, Repository> repositories = new ConcurrentHashMap<>();

    LoopbackGitHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", this::handle);
        server.start();
    }

    /** Serves {@code repo} at {@code /<name>.git}; the caller keeps and closes it. */
    String serve(String name, Repository repo) {
        repositories.put("/" + name + ".git", repo);
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/" + name + ".git";
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            Repository repo = repositories.get(path.replaceFirst("/(info/refs|git-upload-pack)$", ""));
            if (repo == null) {
                exchange.sendResponseHeaders(404, -1);
            } else if (path.endsWith("/info/refs") && "service=git-upload-pack".equals(exchange.getRequestURI().getQuery())) {
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

    @Override
    public void close() {
        server.stop(0);
    }
}

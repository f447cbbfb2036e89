package dev.traceflow.builds.internal.git;

import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.api.errors.TransportException;
import org.eclipse.jgit.internal.storage.dfs.DfsRepositoryDescription;
import org.eclipse.jgit.internal.storage.dfs.InMemoryRepository;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.TagOpt;
import org.eclipse.jgit.transport.TransportHttp;
import org.eclipse.jgit.transport.UsernamePasswordCredentialsProvider;
import org.eclipse.jgit.treewalk.TreeWalk;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A git source's repository, reached with JGit only (the server never runs {@code git}): a
 * connectivity test (ls-remote) and the versions (tags and the default branch's recent commits)
 * read from a bare mirror kept per source under the data directory and fetched anew each time.
 * Every connection goes through {@link GitUrlGuard}: https through its connection factory (each
 * connection, redirects included), ssh through JGit's Apache MINA SSHD transport pointed at the
 * address the guard checked (see {@link SshSessions}), with the source's key and host key only.
 */
public final class GitRemote implements AutoCloseable {

    public static final int MAX_CHANGELOG_COMMITS = MirrorVersions.MAX_CHANGELOG_COMMITS;
    public static final int RECENT_COMMITS = MirrorVersions.RECENT_COMMITS;

    private final GitUrlGuard guard;
    private final GuardedHttpConnectionFactory connections;
    private final SshSessions ssh;
    private final Path mirrors;
    private final int timeoutSeconds;
    private final int maxTags;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    /**
     * @param mirrors          folder of the bare mirrors, one per source id
     * @param timeout          connect and read timeout of each request, and JGit's own
     * @param maxResponseBytes the most one response (a pack) may carry
     * @param maxTags          repositories with more tags are refused (they would not fit a listing)
     */
    public GitRemote(GitUrlGuard guard, Path mirrors, Duration timeout, long maxResponseBytes, int maxTags) {
        this.guard = guard;
        this.connections = new GuardedHttpConnectionFactory(guard, timeout, maxResponseBytes);
        this.ssh = new SshSessions(mirrors.resolve(".ssh-home"), maxResponseBytes);
        this.mirrors = mirrors;
        this.timeoutSeconds = (int) Math.max(1, timeout.toSeconds());
        this.maxTags = maxTags;
    }

    /** Lists the remote's refs: is it there, does it take the credential, which branch is HEAD. */
    public ProbeResult probe(GitUrl url, GitAuth auth) {
        return probe(url, auth, null);
    }

    /**
     * @param hostKeys ssh only: the host key the server must show (null: none known, none trusted)
     */
    public ProbeResult probe(GitUrl url, GitAuth auth, SshHostKeyCheck hostKeys) {
        Connection c;
        try {
            c = connection(url, auth, hostKeys);
        } catch (GitUnavailable e) {
            return new ProbeResult(false, false, null, 0, e.getMessage());
        }
        try (c) {
            // an empty repository in memory stands for the local side: git's dumb HTTP protocol needs one even to list refs
            Map<String, Ref> refs;
            try (Git empty = Git.wrap(new InMemoryRepository(new DfsRepositoryDescription("probe")))) {
                refs = empty.lsRemote().setRemote(c.remote()).setCredentialsProvider(credentials(auth))
                        .setTimeout(timeoutSeconds).setTransportConfigCallback(c.callback()).callAsMap();
            }
            String branch = defaultBranch(refs);
            return new ProbeResult(true, true, branch, refs.size(), branch == null ? "the repository has no default branch (HEAD)" : null);
        } catch (TransportException e) {
            return GitFailures.failed(e, c.hostKeys());
        } catch (GitAPIException | RuntimeException e) {
            return new ProbeResult(false, false, null, 0, "the git server could not be reached: " + GitFailures.safe(e));
        }
    }

    /**
     * Fetches the tags and the branch into the source's mirror and reads the versions.
     *
     * @param branch the default branch, whose recent commits are versions too
     * @return tags (in semver order where they are semver, then by name) then commits (newest first)
     * @throws GitUnavailable when the remote cannot be fetched, with a sentence why
     */
    public List<RemoteVersion> versions(String sourceId, GitUrl url, GitAuth auth, String branch) {
        return versions(sourceId, url, auth, branch, null);
    }

    /**
     * @param hostKeys ssh only: the host key the server must show (null: none known, none trusted)
     */
    public List<RemoteVersion> versions(String sourceId, GitUrl url, GitAuth auth, String branch, SshHostKeyCheck hostKeys) {
        ReentrantLock lock = locks.computeIfAbsent(sourceId, k -> new ReentrantLock());
        Connection c = connection(url, auth, hostKeys);
        lock.lock();
        try (c; Repository repo = mirror(sourceId)) {
            try (Git git = new Git(repo)) {
                git.fetch().setRemote(c.remote()).setRefSpecs(fetched(branch)).setTagOpt(TagOpt.NO_TAGS).setRemoveDeletedRefs(true)
                        .setCredentialsProvider(credentials(auth)).setTimeout(timeoutSeconds)
                        .setTransportConfigCallback(c.callback()).call();
            }
            return MirrorVersions.read(repo, branch, maxTags);
        } catch (TransportException e) {
            ProbeResult failed = GitFailures.failed(e, c.hostKeys());
            throw new GitUnavailable(c.hostKeys() != null && c.hostKeys().refused() ? GitUnavailable.Cause.HOST_KEY
                    : failed.reachable() && !failed.authenticated() ? GitUnavailable.Cause.AUTHENTICATION : GitUnavailable.Cause.SERVER,
                    failed.problem());
        } catch (GitAPIException | IOException | RuntimeException e) {
            if (e instanceof GitUnavailable g) {
                throw g;
            }
            throw new GitUnavailable("the repository could not be fetched: " + GitFailures.safe(e));
        } finally {
            lock.unlock();
        }
    }

    /** What a path is in a commit's tree. */
    public enum EntryKind {
        /** nothing at the path (its parent folders may exist) */
        MISSING,
        FILE,
        DIRECTORY,
        /** the path is, or goes through, a symbolic link */
        SYMLINK,
        /** the path is, or goes through, a submodule */
        SUBMODULE,
        /** the commit is not in the mirror: the versions were not fetched */
        NOT_FETCHED
    }

    /**
     * A path of a commit in the source's mirror.
     *
     * @param content the file's bytes when it is a file of at most {@code maxBytes}; else null
     */
    public record TreeEntry(EntryKind kind, byte[] content) {
    }

    /**
     * Looks a checkout path up in a fetched commit, each of its folders in turn, so that a path
     * through a symbolic link or submodule is told apart from a missing one.
     *
     * @param path relative, {@code /}-separated, already checked to stay inside the checkout
     */
    public TreeEntry entry(String sourceId, String commit, String path, int maxBytes) throws IOException {
        Path dir = mirrors.resolve(sourceId + ".git");
        if (!Files.exists(dir.resolve("HEAD"))) {
            return new TreeEntry(EntryKind.NOT_FETCHED, null);
        }
        try (Repository repo = mirror(sourceId); RevWalk walk = new RevWalk(repo)) {
            ObjectId id = ObjectId.fromString(commit);
            if (!repo.getObjectDatabase().has(id)) {
                return new TreeEntry(EntryKind.NOT_FETCHED, null);
            }
            RevCommit c = walk.parseCommit(id);
            String[] segments = path.split("/");
            StringBuilder prefix = new StringBuilder();
            for (int i = 0; i < segments.length; i++) {
                if (i > 0) {
                    prefix.append('/');
                }
                prefix.append(segments[i]);
                try (TreeWalk tw = TreeWalk.forPath(repo, prefix.toString(), c.getTree())) {
                    if (tw == null) {
                        return new TreeEntry(EntryKind.MISSING, null);
                    }
                    FileMode mode = tw.getFileMode(0);
                    if (mode == FileMode.SYMLINK) {
                        return new TreeEntry(EntryKind.SYMLINK, null);
                    }
                    if (mode == FileMode.GITLINK) {
                        return new TreeEntry(EntryKind.SUBMODULE, null);
                    }
                    boolean last = i == segments.length - 1;
                    if (last) {
                        if (mode == FileMode.TREE) {
                            return new TreeEntry(EntryKind.DIRECTORY, null);
                        }
                        ObjectLoader loader = repo.open(tw.getObjectId(0));
                        return new TreeEntry(EntryKind.FILE, loader.getSize() <= maxBytes ? loader.getBytes() : null);
                    }
                    if (mode != FileMode.TREE) {
                        return new TreeEntry(EntryKind.MISSING, null); // a file where a folder should be
                    }
                }
            }
            return new TreeEntry(EntryKind.MISSING, null);
        }
    }

    /**
     * Writes the tree of a commit of the source into {@code target} (issue 21, the fetch step): the
     * commit is taken from the source's bare mirror, fetched first (tags and {@code branch}) when the
     * mirror lacks it, under the source's lock. The commit is verified: it must be in the mirror
     * under exactly that id after the fetch (git objects are named by their hash, so a mirror that has
     * it has its exact content). No {@code .git} is written: the build sees files, not history.
     * Symbolic links whose target leaves {@code target} and submodules are left out.
     *
     * @param maxBytes the most the checkout's files may hold together
     * @return the number of files written
     * @throws GitUnavailable when the commit cannot be fetched, is not a commit, or the tree is too large
     */
    public int checkout(String sourceId, GitUrl url, GitAuth auth, String branch, String commit, Path target, long maxBytes) {
        return checkout(sourceId, url, auth, branch, commit, target, maxBytes, null);
    }

    /**
     * @param hostKeys ssh only: the host key the server must show (a build trusts only the source's
     *                 recorded key: no first use happens in a build)
     */
    public int checkout(String sourceId, GitUrl url, GitAuth auth, String branch, String commit, Path target, long maxBytes,
                        SshHostKeyCheck hostKeys) {
        ObjectId id;
        try {
            id = ObjectId.fromString(commit);
        } catch (IllegalArgumentException e) {
            throw new GitUnavailable("the frozen commit is not a commit id");
        }
        ReentrantLock lock = locks.computeIfAbsent(sourceId, k -> new ReentrantLock());
        lock.lock();
        try (Repository repo = mirror(sourceId)) {
            if (!repo.getObjectDatabase().has(id)) {
                Connection c = connection(url, auth, hostKeys);
                try (c; Git git = new Git(repo)) {
                    git.fetch().setRemote(c.remote()).setRefSpecs(fetched(branch)).setTagOpt(TagOpt.NO_TAGS)
                            .setCredentialsProvider(credentials(auth)).setTimeout(timeoutSeconds)
                            .setTransportConfigCallback(c.callback()).call();
                } catch (TransportException e) {
                    throw new GitUnavailable(GitFailures.failed(e, c.hostKeys()).problem());
                }
                if (!repo.getObjectDatabase().has(id)) {
                    throw new GitUnavailable("commit " + commit + " is no longer in the repository (force-pushed away?)");
                }
            }
            try (RevWalk walk = new RevWalk(repo)) {
                RevCommit c = walk.parseCommit(id);
                if (!c.getId().equals(id)) {
                    throw new GitUnavailable("commit " + commit + " did not verify");
                }
                return MirrorTrees.write(repo, c, target, maxBytes);
            }
        } catch (GitAPIException | IOException | RuntimeException e) {
            if (e instanceof GitUnavailable g) {
                throw g;
            }
            throw new GitUnavailable("the commit could not be checked out: " + GitFailures.safe(e));
        } finally {
            lock.unlock();
        }
    }

    /** Removes a source's mirror (the source was deleted). */
    public void forget(String sourceId) throws IOException {
        Path dir = mirrors.resolve(sourceId + ".git");
        if (Files.exists(dir)) {
            try (var files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** What a mirror fetches: every tag, and the default branch (whose recent commits are versions too). */
    private static List<RefSpec> fetched(String branch) {
        List<RefSpec> specs = new ArrayList<>(List.of(new RefSpec("+refs/tags/*:refs/tags/*")));
        if (branch != null) {
            specs.add(new RefSpec("+refs/heads/" + branch + ":refs/heads/" + branch));
        }
        return specs;
    }

    private Repository mirror(String sourceId) throws IOException {
        Path dir = mirrors.resolve(sourceId + ".git");
        Repository repo = new FileRepositoryBuilder().setGitDir(dir.toFile()).setBare().build();
        if (!Files.exists(dir.resolve("HEAD"))) {
            Files.createDirectories(mirrors);
            repo.create(true);
        }
        return repo;
    }

    /**
     * What JGit is told for one operation.
     *
     * @param remote   the URL JGit opens: an https URL as stored (the connection factory checks each
     *                 connection JGit opens, redirects included), or for ssh the URL with the
     *                 checked address in place of the host, so that no second look-up can lead elsewhere
     * @param sessions ssh only: the session factory of this operation (its key, its host key); else null
     */
    private record Connection(String remote, SshSessions.Factory sessions, TransportConfigCallback callback) implements AutoCloseable {

        SshHostKeyCheck hostKeys() {
            return sessions == null ? null : sessions.hostKeys();
        }

        @Override
        public void close() {
            if (sessions != null) {
                sessions.close();
            }
        }
    }

    /**
     * The guard's answer before JGit starts: refused with a clear message, or the address to go to.
     *
     * @throws GitUnavailable when the guard refuses the host, it does not resolve, or the ssh key cannot be read
     */
    private Connection connection(GitUrl url, GitAuth auth, SshHostKeyCheck hostKeys) {
        InetAddress address;
        try {
            address = guard.requireAllowedAtConnect(url);
        } catch (GitUrlRefused e) {
            throw new GitUnavailable(e.getMessage());
        } catch (UnknownHostException e) {
            throw new GitUnavailable("the git server's host " + url.host() + " does not resolve");
        }
        if (!url.scheme().equals("ssh")) {
            return new Connection(url.toString(), null, transport -> {
                if (transport instanceof TransportHttp http) {
                    http.setHttpConnectionFactory(connections);
                } else {
                    throw new IllegalStateException("only http(s) transports are allowed for an http(s) source");
                }
            });
        }
        if (auth != null && !auth.sshKey()) {
            throw new GitUnavailable(GitUnavailable.Cause.AUTHENTICATION, "an ssh source needs an ssh-key credential, not a token");
        }
        SshSessions.Factory sessions = ssh.factory(auth == null ? null : auth.secret(),
                hostKeys == null ? SshHostKeyCheck.of(null, false) : hostKeys);
        String user = url.user() != null ? url.user() : auth != null && auth.username() != null ? auth.username() : "git";
        String host = address instanceof Inet6Address ? "[" + address.getHostAddress() + "]" : address.getHostAddress();
        return new Connection("ssh://" + user + "@" + host + ":" + url.effectivePort() + url.path(), sessions, transport -> {
            if (transport instanceof SshTransport t) {
                t.setSshSessionFactory(sessions.factory());
            } else {
                throw new IllegalStateException("only the ssh transport is allowed for an ssh source");
            }
        });
    }

    private static CredentialsProvider credentials(GitAuth auth) {
        return auth == null || auth.sshKey() ? null : new UsernamePasswordCredentialsProvider(auth.username() == null ? "git" : auth.username(), auth.secret());
    }

    private static String defaultBranch(Map<String, Ref> refs) {
        Ref head = refs.get(Constants.HEAD);
        if (head != null && head.isSymbolic()) {
            String target = head.getTarget().getName();
            return target.startsWith(Constants.R_HEADS) ? target.substring(Constants.R_HEADS.length()) : null;
        }
        if (head != null) {
            // no symref advertised: the branch that points where HEAD does
            for (Ref r : refs.values()) {
                if (r.getName().startsWith(Constants.R_HEADS) && head.getObjectId() != null && head.getObjectId().equals(r.getObjectId())) {
                    return r.getName().substring(Constants.R_HEADS.length());
                }
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        connections.close();
    }
}

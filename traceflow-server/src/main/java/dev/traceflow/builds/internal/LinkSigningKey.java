package dev.traceflow.builds.internal;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The HMAC-SHA256 key of signed artifact links. It outlives the process, so a link handed out
 * minutes before a restart (a deploy script's) still works after it: from
 * {@code traceflow.builds.artifacts.link-key} (base64 of at least 32 bytes; give every server that
 * shares the metadata database the same one), else generated once into {@code <data-dir>/builds/link-signing.key}
 * (owner-only) and read from there at every start.
 */
final class LinkSigningKey {

    private static final Logger log = LoggerFactory.getLogger(LinkSigningKey.class);
    static final String FILE = "link-signing.key";
    private static final int MIN_BYTES = 32;

    private final SecretKeySpec key;

    private LinkSigningKey(byte[] raw) {
        this.key = new SecretKeySpec(raw, "HmacSHA256");
    }

    /** The configured key, else the one kept in {@code dir} (made there at the first start). */
    static LinkSigningKey load(String configured, Path dir) {
        if (configured != null && !configured.isBlank()) {
            return new LinkSigningKey(decode(configured.strip(), "traceflow.builds.artifacts.link-key"));
        }
        Path file = dir.resolve(FILE);
        try {
            if (Files.exists(file)) {
                return new LinkSigningKey(decode(Files.readString(file, StandardCharsets.US_ASCII).strip(), file.toString()));
            }
            byte[] raw = new byte[MIN_BYTES];
            new SecureRandom().nextBytes(raw);
            // the folder keeps its usual mode (build workspaces below it must stay reachable by the sandbox user): the
            // file alone is owner-only
            Files.createDirectories(dir);
            // written whole beside its place, then linked there, which never replaces a file: two servers starting on one
            // data dir at once end up with one key, and no reader ever sees a half-written file
            Path temp;
            try {
                temp = Files.createTempFile(dir, FILE, ".part", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                temp = Files.createTempFile(dir, FILE, ".part"); // not a POSIX file system
            }
            try {
                Files.writeString(temp, Base64.getEncoder().encodeToString(raw), StandardCharsets.US_ASCII);
                try {
                    Files.createLink(file, temp); // fails when the file exists: a rename would replace it
                } catch (UnsupportedOperationException e) {
                    Files.move(temp, file);
                }
            } catch (FileAlreadyExistsException e) {
                return new LinkSigningKey(decode(Files.readString(file, StandardCharsets.US_ASCII).strip(), file.toString()));
            } finally {
                Files.deleteIfExists(temp);
            }
            log.info("Generated the signing key of artifact download links into {} (owner-only)", file);
            return new LinkSigningKey(raw);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the artifact link key " + file, e);
        }
    }

    private static byte[] decode(String base64, String source) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("The artifact link key in " + source + " is not base64");
        }
        if (raw.length < MIN_BYTES) {
            throw new IllegalStateException("The artifact link key in " + source + " must be at least " + MIN_BYTES
                    + " bytes (openssl rand -base64 32), not " + raw.length);
        }
        return raw;
    }

    /** Hex HMAC-SHA256 of the text. */
    String sign(String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    /** Whether {@code signature} is the text's, compared in constant time. */
    boolean verifies(String text, String signature) {
        return signature != null && MessageDigest.isEqual(sign(text).getBytes(StandardCharsets.US_ASCII),
                signature.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    public String toString() {
        return "LinkSigningKey[hidden]";
    }
}

package dev.traceflow.auth.internal;

import dev.traceflow.DataDirectory;
import dev.traceflow.TraceFlowProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The key that encrypts secrets at rest in the metadata database (JWT signing keys): AES-256-GCM
 * with a random 96-bit nonce per value and the value's id as associated data, so a ciphertext
 * copied onto another row does not decrypt. From {@code TRACEFLOW_MASTER_KEY}; without it, a key
 * is generated once into a file readable by the owner only (the embedded default needs no setup).
 */
@Component
class MasterKey {

    private static final Logger log = LoggerFactory.getLogger(MasterKey.class);
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final int NONCE_BYTES = 12;

    private final SecretKeySpec key;
    private final SecureRandom nonces;

    @Autowired
    MasterKey(TraceFlowProperties properties) {
        this(load(properties.auth()), RANDOM);
        warnWhenInside(properties.auth(), properties.dataDir());
    }

    /**
     * A master key kept in a file inside the data dir seals nothing against whoever copies the data
     * dir (a backup, a volume snapshot): the copy carries the key with the sealed signing keys.
     */
    static boolean insideDataDir(TraceFlowProperties.Auth auth, Path dataDir) {
        boolean fromFile = auth.masterKey() == null || auth.masterKey().isBlank();
        return fromFile && auth.masterKeyFile().toAbsolutePath().normalize().startsWith(dataDir.toAbsolutePath().normalize());
    }

    private static void warnWhenInside(TraceFlowProperties.Auth auth, Path dataDir) {
        if (insideDataDir(auth, dataDir)) {
            log.warn("The master key file {} is inside the data dir {}: a copy of the data dir alone unseals the JWT signing "
                    + "keys. Keep the key apart: TRACEFLOW_MASTER_KEY_FILE=<a mounted secret outside the data dir> or "
                    + "TRACEFLOW_MASTER_KEY (README \"Security\")", auth.masterKeyFile(), dataDir);
        }
    }

    private MasterKey(byte[] raw, SecureRandom nonces) {
        this.key = new SecretKeySpec(raw, "AES");
        this.nonces = nonces;
    }

    /** For tests: a master key from raw bytes. */
    static MasterKey of(byte[] raw) {
        return new MasterKey(raw, RANDOM);
    }

    /** For known-answer tests: a master key whose nonces come from {@code nonces}. */
    static MasterKey of(byte[] raw, SecureRandom nonces) {
        return new MasterKey(raw, nonces);
    }

    private static byte[] load(TraceFlowProperties.Auth auth) {
        String configured = auth.masterKey();
        if (configured != null && !configured.isBlank()) {
            return decode(configured.strip(), "TRACEFLOW_MASTER_KEY");
        }
        Path file = auth.masterKeyFile();
        try {
            if (Files.exists(file)) {
                return decode(Files.readString(file, StandardCharsets.US_ASCII).strip(), file.toString());
            }
            byte[] raw = new byte[32];
            RANDOM.nextBytes(raw);
            DataDirectory.createOwnerOnly(file.toAbsolutePath().getParent());
            try {
                Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            } catch (UnsupportedOperationException e) {
                Files.createFile(file); // not a POSIX file system
            } catch (FileAlreadyExistsException e) {
                return decode(Files.readString(file, StandardCharsets.US_ASCII).strip(), file.toString()); // another instance won
            }
            Files.writeString(file, Base64.getEncoder().encodeToString(raw), StandardCharsets.US_ASCII);
            log.warn("Generated a master key into {} (owner-only). Back it up with the data, or set TRACEFLOW_MASTER_KEY", file);
            return raw;
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read or create the master key file " + file, e);
        }
    }

    private static byte[] decode(String base64, String source) {
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("The master key in " + source + " is not base64");
        }
        if (raw.length != 32) {
            throw new IllegalStateException("The master key in " + source + " must be 32 bytes (openssl rand -base64 32), not "
                    + raw.length);
        }
        return raw;
    }

    /** @return base64 of nonce + ciphertext + tag */
    String encrypt(byte[] plain, String associatedData) {
        try {
            byte[] nonce = new byte[NONCE_BYTES];
            nonces.nextBytes(nonce);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plain);
            byte[] out = Arrays.copyOf(nonce, NONCE_BYTES + sealed.length);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return Base64.getEncoder().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is part of every JDK", e);
        }
    }

    /** @throws IllegalStateException when the value was not sealed by this key for this id */
    byte[] decrypt(String sealedBase64, String associatedData) {
        try {
            byte[] all = Base64.getDecoder().decode(sealedBase64);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, NONCE_BYTES));
            cipher.updateAAD(associatedData.getBytes(StandardCharsets.UTF_8));
            return cipher.doFinal(all, NONCE_BYTES, all.length - NONCE_BYTES);
        } catch (AEADBadTagException e) {
            throw new IllegalStateException("A stored secret does not decrypt with the configured master key "
                    + "(was TRACEFLOW_MASTER_KEY or the master key file changed?)");
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("A stored secret is corrupt", e);
        }
    }
}

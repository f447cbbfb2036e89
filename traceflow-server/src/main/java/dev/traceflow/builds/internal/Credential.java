package dev.traceflow.builds.internal;

import java.time.Instant;

/**
 * A secret for reaching git servers. {@code secretSealed} is sealed with the master key, the
 * credential's id as context; {@link #toString} leaves it out.
 *
 * @param type {@code https-token} (a token sent as the password of {@code username}) or
 *             {@code ssh-key} (a private key in OpenSSH / PEM form)
 */
record Credential(String id, String name, String type, String username, String secretSealed, String scope, Instant createdAt,
                  Instant rotatedAt) {

    static final String HTTPS_TOKEN = "https-token";
    static final String SSH_KEY = "ssh-key";

    @Override
    public String toString() {
        return "Credential[id=" + id + ", name=" + name + ", type=" + type + "]";
    }
}

package dev.traceflow.auth;

/**
 * Seals secrets that other features must keep at rest (a webhook's signing secret, later a git
 * credential) with the server's master key, like the JWT signing keys: AES-GCM, bound to a
 * context (the owning resource's id) so a sealed value copied to another row does not open.
 */
public interface SecretSealer {

    /** @return base64 text to store */
    String seal(String secret, String context);

    /** @throws IllegalStateException when the value was not sealed by this server's key for this context */
    String unseal(String sealed, String context);
}

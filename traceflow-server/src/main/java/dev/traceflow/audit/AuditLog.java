package dev.traceflow.audit;

import java.util.Map;

/**
 * Appends audit rows. The actor is the current request's caller unless given; client IP and
 * trace id come from the current request. Details must not hold secrets; values under keys that
 * name one (password, token, key, secret...) are replaced by {@code "[redacted]"} as a last guard.
 * Called inside a feature's transaction, the row commits or rolls back with the change.
 */
public interface AuditLog {

    /** Records an action of the current caller (with {@code apiTokenId} in the details when they used an API token). */
    void record(String action, String resourceType, String resourceId, String appId, Map<String, ?> details);

    /** Records an action whose actor is not (or not yet) authenticated, e.g. a failed login. */
    void recordAs(String actorId, String actorName, String action, String resourceType, String resourceId, String appId,
                  Map<String, ?> details);

    /**
     * Records an action seen outside any request (a realtime connection's doings, on the broker's
     * threads), from the client IP given (null when unknown); no trace id.
     */
    void recordFrom(String clientIp, String actorId, String actorName, String action, String resourceType, String resourceId,
                    String appId, Map<String, ?> details);
}

package dev.traceflow.builds.internal;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The one shape of an artifact reference every store shares, {@code <kind>:<build id>/artifact.tar.gz}:
 * a reference is only resolved after its build id is checked, so no reference names a path or an
 * object key outside its store.
 */
final class ArtifactRefs {

    static final String FILE = "artifact.tar.gz";
    private static final Pattern BUILD_ID = Pattern.compile("[0-9a-f-]{36}");

    private ArtifactRefs() {
    }

    /** {@code <build id>/artifact.tar.gz}. */
    static String name(String buildId) {
        return checkedBuildId(buildId) + "/" + FILE;
    }

    static String checkedBuildId(String buildId) {
        if (buildId == null || !BUILD_ID.matcher(buildId).matches()) {
            throw new IllegalArgumentException("not a build id");
        }
        return buildId;
    }

    /** The build id of a reference of the kind {@code prefix} ({@code "local:"}), or empty for any other text. */
    static Optional<String> buildId(String prefix, String ref) {
        if (ref == null || !ref.startsWith(prefix) || !ref.endsWith("/" + FILE)) {
            return Optional.empty();
        }
        String id = ref.substring(prefix.length(), ref.length() - FILE.length() - 1);
        return BUILD_ID.matcher(id).matches() ? Optional.of(id) : Optional.empty();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}

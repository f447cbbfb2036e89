package dev.traceflow.builds.internal;

import dev.traceflow.access.AppAccess;
import dev.traceflow.audit.AuditLog;
import dev.traceflow.auth.SecretSealer;
import dev.traceflow.builds.internal.git.SshKeys;
import dev.traceflow.http.ApiException;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * {@code /credentials} (seed 003 "Credential"): secrets for git servers. Admins only, metadata
 * only: the secret is sealed when given and never answered, logged or audited again; giving a
 * new one rotates it ({@code rotatedAt}).
 */
@RestController
@Tag(name = "Credentials", description = "Secrets for git servers (admins only; secrets are write-only)")
class CredentialsController {

    static final int MAX_CREDENTIALS = 1000;
    static final int MAX_TOKEN_LENGTH = 4096;
    static final int MAX_KEY_LENGTH = 12_000;
    private static final Pattern USERNAME = Pattern.compile("[A-Za-z0-9._@+-]{1,200}");

    private final JdbcCredentials credentials;
    private final AppAccess access;
    private final AuditLog audit;
    private final TransactionTemplate tx;
    private final Clock clock;
    private final SecretSealer sealer;

    CredentialsController(JdbcCredentials credentials, AppAccess access, AuditLog audit, TransactionTemplate tx, Clock clock,
                          SecretSealer sealer) {
        this.credentials = credentials;
        this.access = access;
        this.audit = audit;
        this.tx = tx;
        this.clock = clock;
        this.sealer = sealer;
    }

    record NewCredential(@Schema(requiredMode = Schema.RequiredMode.REQUIRED, example = "ci-token") String name,
                         @Schema(requiredMode = Schema.RequiredMode.REQUIRED, allowableValues = {"https-token", "ssh-key"}) String type,
                         @Schema(description = "https-token: the user name the token is sent as (default `git`)") String username,
                         @Schema(requiredMode = Schema.RequiredMode.REQUIRED, description = "the token or private key; write-only")
                         String secret,
                         @Schema(description = "free text: what the credential is for") String scope) {

        @Override
        public String toString() {
            return "NewCredential[name=" + name + ", type=" + type + "]";
        }
    }

    record CredentialPatch(String name, String username, @Schema(description = "a new secret: rotates it") String secret,
                           String scope) {

        @Override
        public String toString() {
            return "CredentialPatch[name=" + name + "]";
        }
    }

    @PostMapping("/credentials")
    @ResponseStatus(HttpStatus.CREATED)
    @Operation(summary = "Create a credential", description = """
            Role: admin. `https-token`: a token sent as the password of `username` (default `git`) over https; \
            `ssh-key`: a private key for ssh sources, in OpenSSH or PEM form without a passphrase (ed25519, ecdsa or rsa; \
            `username` is the ssh login when the source's URL names none, default `git`). The secret is \
            sealed with the master key and never answered again. Audited (`credential.create`, without the secret).""",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> create(@RequestBody(required = false) NewCredential body) {
        access.requireAdmin();
        if (body == null) {
            throw ApiException.invalid("a credential body is required");
        }
        String name = Strings.name("name", body.name());
        String type = type(body.type());
        String username = username(type, body.username());
        String secret = secret(type, body.secret());
        String scope = Strings.text("scope", body.scope(), 200);
        String id = UUID.randomUUID().toString();
        Instant now = clock.instant();
        Credential c = new Credential(id, name, type, username, sealer.seal(secret, id), scope, now, now);
        tx.executeWithoutResult(t -> {
            if (credentials.nameTaken(name, null)) {
                throw new ApiException(HttpStatus.CONFLICT, "CONFLICT", "a credential named '" + name + "' exists");
            }
            if (credentials.count() >= MAX_CREDENTIALS) {
                throw new ApiException(HttpStatus.CONFLICT, "TOO_MANY_CREDENTIALS", "at most " + MAX_CREDENTIALS + " credentials");
            }
            credentials.insert(c);
            audit.record("credential.create", "credential", id, null, Map.of("name", name, "type", type));
        });
        return view(c);
    }

    @GetMapping("/credentials")
    @Operation(summary = "Credentials (metadata)", description = "Role: admin. Never the secrets.",
            security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> list() {
        access.requireAdmin();
        return Map.of("items", credentials.all().stream().map(CredentialsController::view).toList());
    }

    @GetMapping("/credentials/{id}")
    @Operation(summary = "One credential (metadata)", description = "Role: admin.", security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> get(@PathVariable String id) {
        access.requireAdmin();
        return view(existing(id));
    }

    @PatchMapping("/credentials/{id}")
    @Operation(summary = "Rename, re-scope or rotate a credential", description = """
            Role: admin. A new `secret` replaces the old one at once (`rotatedAt` moves); sources that use the \
            credential use the new secret from their next request. Audited (`credential.update` / `credential.rotate`, \
            without the secret).""", security = @SecurityRequirement(name = "BearerAuth"))
    Map<String, Object> update(@PathVariable String id, @RequestBody(required = false) CredentialPatch body) {
        access.requireAdmin();
        if (body == null || body.name() == null && body.username() == null && body.secret() == null && body.scope() == null) {
            throw ApiException.invalid("nothing to change: give name, username, secret or scope");
        }
        Credential old = existing(id);
        String name = body.name() == null ? old.name() : Strings.name("name", body.name());
        String username = body.username() == null ? old.username() : username(old.type(), body.username());
        String scope = body.scope() == null ? old.scope() : Strings.text("scope", body.scope(), 200);
        boolean rotate = body.secret() != null;
        String sealed = rotate ? sealer.seal(secret(old.type(), body.secret()), id) : old.secretSealed();
        Credential c = new Credential(id, name, old.type(), username, sealed, scope, old.createdAt(), rotate ? clock.instant() : old.rotatedAt());
        tx.executeWithoutResult(t -> {
            if (credentials.nameTaken(name, id)) {
                throw new ApiException(HttpStatus.CONFLICT, "CONFLICT", "a credential named '" + name + "' exists");
            }
            credentials.update(c);
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("name", name);
            if (!name.equals(old.name())) {
                details.put("previousName", old.name());
            }
            details.put("rotated", rotate);
            audit.record(rotate ? "credential.rotate" : "credential.update", "credential", id, null, details);
        });
        return view(c);
    }

    @DeleteMapping("/credentials/{id}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "Delete a credential", description = "Role: admin. 409 while a git source uses it. Audited.",
            security = @SecurityRequirement(name = "BearerAuth"))
    void delete(@PathVariable String id) {
        access.requireAdmin();
        Credential c = existing(id);
        tx.executeWithoutResult(t -> {
            if (credentials.inUse(id)) {
                throw new ApiException(HttpStatus.CONFLICT, "IN_USE", "a git source uses this credential; change the source first");
            }
            if (!credentials.delete(id)) {
                throw Strings.notFound("credential", id);
            }
            audit.record("credential.delete", "credential", id, null, Map.of("name", c.name(), "type", c.type()));
        });
    }

    private Credential existing(String id) {
        return credentials.find(id).orElseThrow(() -> Strings.notFound("credential", id));
    }

    private static String type(String type) {
        if (!Credential.HTTPS_TOKEN.equals(type) && !Credential.SSH_KEY.equals(type)) {
            throw ApiException.invalid("type must be https-token or ssh-key");
        }
        return type;
    }

    private static String username(String type, String username) {
        if (username == null) {
            return type.equals(Credential.HTTPS_TOKEN) ? "git" : null;
        }
        if (!USERNAME.matcher(username).matches()) {
            throw ApiException.invalid("username must be 1-200 of A-Z a-z 0-9 . _ @ + -");
        }
        return username;
    }

    private static String secret(String type, String secret) {
        if (secret == null || secret.isBlank()) {
            throw ApiException.invalid("secret is required");
        }
        if (type.equals(Credential.HTTPS_TOKEN)) {
            if (secret.length() > MAX_TOKEN_LENGTH || !secret.chars().allMatch(c -> c > ' ' && c < 0x7f)) {
                throw ApiException.invalid("an https token is 1-" + MAX_TOKEN_LENGTH + " printable ASCII characters without spaces");
            }
        } else if (secret.length() > MAX_KEY_LENGTH || !secret.strip().startsWith("-----BEGIN ")
                || !secret.strip().contains("PRIVATE KEY-----")) {
            throw ApiException.invalid("an ssh key is a private key in OpenSSH or PEM form (-----BEGIN ... PRIVATE KEY-----), "
                    + "at most " + MAX_KEY_LENGTH + " characters");
        } else {
            try {
                // read now, so that a key that could never be used (a passphrase, an unknown type) is refused when given
                SshKeys.privateKeys(secret);
            } catch (IllegalArgumentException e) {
                throw ApiException.invalid(e.getMessage());
            }
        }
        return secret;
    }

    static Map<String, Object> view(Credential c) {
        Map<String, Object> v = new LinkedHashMap<>();
        v.put("id", c.id());
        v.put("name", c.name());
        v.put("type", c.type());
        if (c.username() != null) {
            v.put("username", c.username());
        }
        if (c.scope() != null) {
            v.put("scope", c.scope());
        }
        v.put("createdAt", c.createdAt());
        v.put("rotatedAt", c.rotatedAt());
        return v;
    }
}

package dev.traceflow.auth.internal;

import dev.traceflow.access.Caller;
import dev.traceflow.auth.BearerVerifier;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.stereotype.Component;

import java.util.Optional;

/** {@link BearerVerifier} over the same parts the filter chain uses: {@link AccessTokens}, {@link CallerAuthentication}, {@link ApiTokens}. */
@Component
class BearerTokens implements BearerVerifier {

    private final AccessTokens accessTokens;
    private final CallerAuthentication callers;
    private final ApiTokens apiTokens;

    BearerTokens(AccessTokens accessTokens, CallerAuthentication callers, ApiTokens apiTokens) {
        this.accessTokens = accessTokens;
        this.callers = callers;
        this.apiTokens = apiTokens;
    }

    @Override
    public VerifiedBearer verify(String bearer) throws BearerRefused {
        if (bearer == null || bearer.isBlank()) {
            throw new BearerRefused("a token is required", false);
        }
        if (ApiTokens.looksLikeApiToken(bearer)) {
            ApiTokens.Verified verified = apiTokens.verify(bearer)
                    .orElseThrow(() -> new BearerRefused("the API token is unknown, revoked or expired, or its user is disabled", false));
            return new VerifiedBearer(verified.caller(), verified.expiresAt(), 0);
        }
        Jwt jwt;
        try {
            jwt = accessTokens.decode(bearer);
        } catch (BadJwtException e) {
            boolean expired = "expired".equals(e.getMessage());
            throw new BearerRefused(expired ? "the access token has expired: get a new one from POST /auth/refresh"
                    : "the access token is not valid", expired);
        }
        Caller caller;
        try {
            caller = (Caller) callers.convert(jwt).getPrincipal();
        } catch (InvalidBearerTokenException e) {
            throw new BearerRefused("the access token no longer counts (password or role changed, or the account is disabled)", false);
        }
        Object version = jwt.getClaims().get(AccessTokens.TOKEN_VERSION);
        return new VerifiedBearer(caller, jwt.getExpiresAt(), ((Number) version).intValue());
    }

    @Override
    public Optional<VerifiedBearer> recheck(VerifiedBearer verified) {
        Caller caller = verified.caller();
        if (caller.viaApiToken()) {
            return apiTokens.recheck(caller.ceiling().tokenId())
                    .map(v -> new VerifiedBearer(v.caller(), v.expiresAt(), 0));
        }
        return callers.currentVersion(caller.userId(), verified.tokenVersion()) ? Optional.of(verified) : Optional.empty();
    }
}

package dev.traceflow.auth.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.traceflow.TraceFlowProperties;
import dev.traceflow.auth.SecretTokens;
import dev.traceflow.auth.User;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.stereotype.Component;

import java.text.ParseException;
import java.time.Clock;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Issues and verifies access tokens: JWT, RS256 only, signed by {@link SigningKeys}.
 * <p>
 * Verification is strict and explicit rather than configurable, because every loosening is a
 * known attack: only {@code alg=RS256} (so {@code none} and HS256-with-the-public-key fail); the
 * key is chosen by {@code kid} among our own keys only, and a token that embeds a key or points
 * to one ({@code jwk}, {@code jku}, {@code x5u}, {@code x5c}) or marks critical extensions is
 * refused outright; the header's {@code typ} must be {@code JWT} (what we issue: a token of another
 * kind signed by the same key is no access token); {@code iss}, {@code aud}, {@code sub},
 * {@code iat}, {@code exp} and {@code roles} (a list, empty for a user who is no admin) are
 * required; {@code exp} and {@code nbf} are checked with the configured clock skew, and
 * {@code exp - iat} may not exceed the configured access-token lifetime (a shorter lifetime set
 * later also cuts the tokens already out).
 * <p>
 * A token that passed is remembered by its SHA-256 for a while ({@link #VERIFIED_TOKENS}), because a
 * client sends the same token with every request for its whole lifetime and parsing and checking
 * its RSA signature again each time was a measurable part of every API request. Everything the
 * checks depend on apart from time and the signing keys is inside the token (and the settings do
 * not change while the server runs), so a remembered token is checked again on every request for
 * what can change: {@code exp}, {@code nbf} and {@code iat} against the clock, and that its signing
 * key may still verify (a revoked key ends its tokens at once, remembered or not). What the token's
 * user may do (disabled, password or role changed) is not remembered here: {@link CallerAuthentication}
 * checks it on every request as before. Keyed by the digest, not the token, so that looking a
 * presented token up never compares it with a stored one character by character.
 */
@Component
class AccessTokens implements JwtDecoder {

    static final int MAX_TOKEN_CHARS = 8192;
    static final String ROLES = "roles";
    static final String USERNAME = "name";
    static final String TOKEN_VERSION = "ver";
    /** Verified tokens remembered at most: a few MB (a token and its claims are 2-3 KB), far more than concurrent users. */
    static final int VERIFIED_TOKENS = 2_048;

    private final SigningKeys keys;
    private final TraceFlowProperties.Auth settings;
    private final Clock clock;
    /** SHA-256 of a token that passed every check -> the token as verified */
    private final Cache<String, Verified> verified;

    AccessTokens(SigningKeys keys, TraceFlowProperties properties, Clock clock, MeterRegistry meters) {
        this.keys = keys;
        this.settings = properties.auth();
        this.clock = clock;
        // no token is valid longer than its lifetime plus the skew after it was first seen: drop it then
        this.verified = Caffeine.newBuilder().maximumSize(VERIFIED_TOKENS)
                .expireAfterWrite(settings.accessTokenTtl().plus(settings.clockSkew())).recordStats().build();
        CaffeineCacheMetrics.monitor(meters, verified, "traceflow.auth.verified.tokens");
    }

    /** @return the compact JWT and its lifetime in seconds */
    Issued issue(User user, int tokenVersion) {
        Instant now = clock.instant();
        RSAKey key = keys.active();
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .issuer(settings.issuer())
                .audience(settings.audience())
                .subject(user.id())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(settings.accessTokenTtl())))
                .jwtID(UUID.randomUUID().toString())
                .claim(USERNAME, user.username())
                .claim(ROLES, user.admin() ? List.of("admin") : List.of())
                .claim(TOKEN_VERSION, tokenVersion)
                .build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(),
                claims);
        try {
            jwt.sign(new RSASSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("Signing an access token failed", e);
        }
        return new Issued(jwt.serialize(), settings.accessTokenTtl().toSeconds());
    }

    record Issued(String token, long expiresInSeconds) {
    }

    @Override
    public Jwt decode(String token) {
        if (token == null || token.length() > MAX_TOKEN_CHARS) {
            throw new BadJwtException("token missing or too long");
        }
        String digest = SecretTokens.hash(token);
        Verified remembered = verified.getIfPresent(digest);
        if (remembered == null) {
            Verified checked = verify(token);
            verified.put(digest, checked);
            return checked.jwt();
        }
        // what may have changed since it was verified: the time, and whether its key may still verify
        checkTimes(remembered.expiresAt(), remembered.notBefore(), remembered.issuedAt());
        if (keys.verifier(remembered.kid()).isEmpty()) {
            verified.invalidate(digest);
            throw new BadJwtException("unknown kid");
        }
        return remembered.jwt();
    }

    /** A token that passed every check, with what is checked again each time it is presented. @param notBefore null when absent */
    private record Verified(Jwt jwt, String kid, Instant expiresAt, Instant notBefore, Instant issuedAt) {
    }

    /** Every check of a token not seen before, in the order they always ran (the first that fails names the reason). */
    private Verified verify(String token) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token); // an unsigned (alg=none) or encrypted JWT does not parse as signed
        } catch (ParseException e) {
            throw new BadJwtException("not a signed JWT");
        }
        JWSHeader header = jwt.getHeader();
        if (!JWSAlgorithm.RS256.equals(header.getAlgorithm())) {
            throw new BadJwtException("algorithm not allowed");
        }
        if (header.getJWK() != null || header.getJWKURL() != null || header.getX509CertURL() != null
                || header.getX509CertChain() != null || (header.getCriticalParams() != null && !header.getCriticalParams().isEmpty())) {
            throw new BadJwtException("embedded or referenced keys are not accepted");
        }
        if (!JOSEObjectType.JWT.equals(header.getType())) {
            throw new BadJwtException("typ must be JWT");
        }
        if (header.getKeyID() == null) {
            throw new BadJwtException("kid missing");
        }
        JWSVerifier verifier = keys.verifier(header.getKeyID()).orElseThrow(() -> new BadJwtException("unknown kid"));
        try {
            if (!jwt.verify(verifier)) {
                throw new BadJwtException("bad signature");
            }
        } catch (JOSEException e) {
            throw new BadJwtException("bad signature");
        }
        JWTClaimsSet claims;
        try {
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            throw new BadJwtException("bad claims");
        }
        Date exp = claims.getExpirationTime();
        Date iat = claims.getIssueTime();
        Date nbf = claims.getNotBeforeTime();
        if (exp == null || iat == null || claims.getSubject() == null) {
            throw new BadJwtException("exp, iat and sub are required");
        }
        // every token we issue says which roles it carries; one that does not is not ours as issued
        if (!(claims.getClaim(ROLES) instanceof List<?>)) {
            throw new BadJwtException("roles are required");
        }
        checkTimes(exp.toInstant(), nbf == null ? null : nbf.toInstant(), iat.toInstant());
        if (iat.toInstant().plus(settings.accessTokenTtl()).isBefore(exp.toInstant())) {
            throw new BadJwtException("lives longer than an access token may");
        }
        if (!settings.issuer().equals(claims.getIssuer())) {
            throw new BadJwtException("wrong issuer");
        }
        if (claims.getAudience() == null || !claims.getAudience().contains(settings.audience())) {
            throw new BadJwtException("wrong audience");
        }
        Map<String, Object> headers = header.toJSONObject();
        Jwt verifiedJwt = Jwt.withTokenValue(token)
                .headers(h -> h.putAll(headers))
                .claims(c -> c.putAll(claims.toJSONObject()))
                .issuedAt(iat.toInstant())
                .expiresAt(exp.toInstant())
                .build();
        return new Verified(verifiedJwt, header.getKeyID(), exp.toInstant(), nbf == null ? null : nbf.toInstant(), iat.toInstant());
    }

    /** {@code exp}, {@code nbf} (may be null) and {@code iat} against the clock, with the configured skew. */
    private void checkTimes(Instant exp, Instant nbf, Instant iat) {
        Instant now = clock.instant();
        if (!exp.plus(settings.clockSkew()).isAfter(now)) {
            throw new BadJwtException("expired");
        }
        if (nbf != null && nbf.minus(settings.clockSkew()).isAfter(now)) {
            throw new BadJwtException("not yet valid");
        }
        if (iat.minus(settings.clockSkew()).isAfter(now)) {
            throw new BadJwtException("issued in the future");
        }
    }
}

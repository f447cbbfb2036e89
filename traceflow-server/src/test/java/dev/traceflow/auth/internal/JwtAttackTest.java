package dev.traceflow.auth.internal;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.traceflow.support.ServerTest;
import dev.traceflow.support.TestHttp;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/** The JWT attack matrix of issue 3: every forged or broken access token answers 401 in the error shape. */
class JwtAttackTest extends ServerTest {

    @Autowired
    SigningKeys keys;

    @Autowired
    AccessTokens tokens;

    JWTClaimsSet genuine;

    @BeforeEach
    void genuineClaims() throws Exception {
        genuine = SignedJWT.parse(auth.admin()).getJWTClaimsSet();
    }

    private TestHttp.Response me(String token) {
        return http.get("/api/users/me", "Authorization", "Bearer " + token);
    }

    private void assertRefused(String token) {
        TestHttp.Response r = me(token);
        assertThat(r.status()).as(r.toString()).isEqualTo(401);
        assertThat(r.json().path("code").asString()).isEqualTo("UNAUTHORIZED");
        assertThat(r.json().path("traceId").asString()).isNotBlank();
        assertThat(r.header("WWW-Authenticate")).startsWith("Bearer");
    }

    private JWTClaimsSet claims(Consumer<JWTClaimsSet.Builder> change) {
        JWTClaimsSet.Builder b = new JWTClaimsSet.Builder(genuine);
        change.accept(b);
        return b.build();
    }

    private String signWithServerKey(JWSHeader header, JWTClaimsSet claims) throws Exception {
        SignedJWT jwt = new SignedJWT(header, claims);
        jwt.sign(new RSASSASigner(keys.active()));
        return jwt.serialize();
    }

    private JWSHeader.Builder header() {
        return new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keys.active().getKeyID()).type(JOSEObjectType.JWT);
    }

    @Test
    void control_aTokenSignedByTheServerKeyWithGenuineClaimsIsAccepted() throws Exception {
        TestHttp.Response r = me(signWithServerKey(header().build(), genuine));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        assertThat(r.json().path("user").path("username").asString()).isEqualTo("admin");
    }

    @Test
    void algNone_isRefused() {
        assertRefused(new PlainJWT(genuine).serialize());
        // the same with a kid and a typ that look legitimate
        String header = Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\",\"kid\":\"" + keys.active().getKeyID() + "\"}").toString();
        assertRefused(header + "." + Base64URL.encode(genuine.toString()) + ".");
    }

    @Test
    void hs256SignedWithThePublicKey_isRefused() throws Exception {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(keys.active().getKeyID()).build(), genuine);
        jwt.sign(new MACSigner(keys.active().toRSAPublicKey().getEncoded()));
        assertRefused(jwt.serialize());
        // and with the JWKS document's bytes, the other classic form of the confusion attack
        byte[] jwks = http.get("/.well-known/jwks.json").body().getBytes(StandardCharsets.UTF_8);
        SignedJWT jwt2 = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(keys.active().getKeyID()).build(), genuine);
        jwt2.sign(new MACSigner(jwks));
        assertRefused(jwt2.serialize());
    }

    @Test
    void unknownKid_isRefused() throws Exception {
        RSAKey attacker = new RSAKeyGenerator(2048).keyID("attacker").generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("attacker").build(), genuine);
        jwt.sign(new RSASSASigner(attacker));
        assertRefused(jwt.serialize());
        // a real signature under a kid we do not have
        assertRefused(signWithServerKey(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("no-such-kid").build(), genuine));
        // and no kid at all
        assertRefused(signWithServerKey(new JWSHeader.Builder(JWSAlgorithm.RS256).build(), genuine));
    }

    /** A token of another kind signed by the same key (an ID token, a logout token...) is no access token. */
    @Test
    void aTypeOtherThanJwt_orNone_isRefused() throws Exception {
        assertRefused(signWithServerKey(header().type(new JOSEObjectType("logout+jwt")).build(), genuine));
        assertRefused(signWithServerKey(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keys.active().getKeyID()).build(), genuine));
    }

    /** A signed token that lives longer than the server issues them (a key misused elsewhere) is refused. */
    @Test
    void aLifetimeBeyondTheConfiguredOne_isRefused() throws Exception {
        Instant now = CLOCK.instant(); // the server's clock: other tests move it forward
        assertRefused(signWithServerKey(header().build(), claims(b -> b.issueTime(Date.from(now))
                .expirationTime(Date.from(now.plusSeconds(365L * 86400))))));
        assertRefused(signWithServerKey(header().build(), claims(b -> b.issueTime(Date.from(now.minusSeconds(3000)))
                .expirationTime(Date.from(now.plusSeconds(60))))));
    }

    /** Issue 18 item 10: an expired token says so (RFC 6750), so a client refreshes instead of logging in again. */
    @Test
    void expired_isRefused_sayingItExpired() throws Exception {
        Instant now = CLOCK.instant(); // the server's clock: other tests move it forward
        TestHttp.Response r = me(signWithServerKey(header().build(), claims(b -> b.issueTime(Date.from(now.minusSeconds(7200)))
                .expirationTime(Date.from(now.minusSeconds(6600))))));

        assertThat(r.status()).as(r.toString()).isEqualTo(401);
        assertThat(r.json().path("code").asString()).isEqualTo("TOKEN_EXPIRED");
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer error=\"invalid_token\", error_description=\"expired\"");
    }

    @Test
    void notBeforeInTheFuture_isRefused() throws Exception {
        assertRefused(signWithServerKey(header().build(), claims(b -> b.notBeforeTime(Date.from(Instant.now().plusSeconds(3600))))));
    }

    @Test
    void issuedInTheFuture_isRefused() throws Exception {
        assertRefused(signWithServerKey(header().build(), claims(b -> b.issueTime(Date.from(Instant.now().plusSeconds(3600))))));
    }

    @Test
    void wrongIssuerOrAudience_isRefused() throws Exception {
        assertRefused(signWithServerKey(header().build(), claims(b -> b.issuer("https://evil.example"))));
        assertRefused(signWithServerKey(header().build(), claims(b -> b.audience("another-api"))));
        assertRefused(signWithServerKey(header().build(), claims(b -> b.issuer(null))));
        assertRefused(signWithServerKey(header().build(), claims(b -> b.audience((String) null))));
    }

    @Test
    void missingExpOrSubOrIat_isRefused() throws Exception {
        assertRefused(signWithServerKey(header().build(), claims(b -> b.expirationTime(null))));
        assertRefused(signWithServerKey(header().build(), claims(b -> b.subject(null))));
        assertRefused(signWithServerKey(header().build(), claims(b -> b.issueTime(null))));
    }

    /** README: verification requires every claim, roles included (a token without them is not one we issued). */
    @Test
    void missingRoles_isRefused() throws Exception {
        assertRefused(signWithServerKey(header().build(), claims(b -> b.claim(AccessTokens.ROLES, null))));
        assertRefused(signWithServerKey(header().build(), claims(b -> b.claim(AccessTokens.ROLES, "admin"))));
        // an empty list is a user who is no admin, and fine
        TestHttp.Response noRoles = me(signWithServerKey(header().build(), claims(b -> b.claim(AccessTokens.ROLES, List.of()))));
        assertThat(noRoles.status()).as(noRoles.toString()).isEqualTo(200);
        assertThat(http.get("/api/users", "Authorization", "Bearer "
                + signWithServerKey(header().build(), claims(b -> b.claim(AccessTokens.ROLES, List.of())))).status())
                .as("and has no admin rights").isEqualTo(403);
    }

    @Test
    void tamperedPayload_isRefused() throws Exception {
        String user = auth.newUserToken(dev.traceflow.support.TestAuth.uniqueName("tamper"));
        String[] parts = user.split("\\.");
        JWTClaimsSet claims = SignedJWT.parse(user).getJWTClaimsSet();
        JWTClaimsSet promoted = new JWTClaimsSet.Builder(claims).claim("roles", List.of("admin")).build();
        String forged = parts[0] + "." + Base64URL.encode(promoted.toString()) + "." + parts[2];
        assertRefused(forged);
        // flipping one signature character is refused too
        char c = parts[2].charAt(10);
        assertRefused(parts[0] + "." + parts[1] + "." + parts[2].substring(0, 10) + (c == 'A' ? 'B' : 'A') + parts[2].substring(11));
    }

    @Test
    void embeddedJwk_isRefused() throws Exception {
        RSAKey attacker = new RSAKeyGenerator(2048).keyID(keys.active().getKeyID()).generate();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keys.active().getKeyID())
                .jwk(attacker.toPublicJWK()).build(), genuine);
        jwt.sign(new RSASSASigner(attacker));
        assertRefused(jwt.serialize());
        // even when the signature is the server's own: a token that carries a key is not one we issued
        assertRefused(signWithServerKey(header().jwk(keys.active().toPublicJWK()).build(), genuine));
    }

    @Test
    void jkuOrX5uHeader_isRefused() throws Exception {
        assertRefused(signWithServerKey(header().jwkURL(URI.create("https://evil.example/jwks.json")).build(), genuine));
        assertRefused(signWithServerKey(header().x509CertURL(URI.create("https://evil.example/cert.pem")).build(), genuine));
    }

    @Test
    void garbageAndOversizedTokens_areRefused() {
        assertRefused("not-a-jwt");
        assertRefused("a.b.c");
        // over the limit (beyond what the HTTP header limit lets through anyway): refused before parsing
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> tokens.decode("x".repeat(AccessTokens.MAX_TOKEN_CHARS + 1)))
                .isInstanceOf(org.springframework.security.oauth2.jwt.BadJwtException.class);
    }

    @Test
    void anIngestKeyIsNoAccessToken() {
        assertRefused(DEMO_KEY);
        TestHttp.Response r = http.get("/api/users/me", "X-TraceFlow-Key", DEMO_KEY);
        assertThat(r.status()).isEqualTo(401);
    }
}

/**
 * People and tokens: users with bcrypt passwords, {@code /auth/login|refresh|logout}, RS256 access
 * tokens signed by keys kept (encrypted) in the metadata database and published at
 * {@code /.well-known/jwks.json}, rotating refresh-token families (RFC 9700), long-lived API tokens
 * for scripts and CI ({@code tft_...}, limited to roles their user chose), login throttling,
 * and the route rules of every endpoint (the security filter chains). What a caller may do on an
 * app is the {@code access} feature's business.
 */
package dev.traceflow.auth;

/**
 * Requests the server makes to addresses that users configure (alert webhooks, the git URLs of
 * builds): the SSRF guard. {@link dev.traceflow.outbound.OutboundGuard} refuses URLs whose host
 * is, or resolves to, a loopback, private, link-local, multicast or otherwise internal address,
 * in any spelling (decimal or hex IPv4, IPv4 inside IPv6), unless the operator allows its network
 * ({@code TRACEFLOW_OUTBOUND_ALLOWED_NETWORKS}); it checks once when the URL is saved and again
 * right before each request, whose client must then connect to exactly the address it returned.
 */
package dev.traceflow.outbound;

/**
 * Alerts: rules over errors, vitals and traffic, their incidents, and the notifications sent
 * for them through channels (webhook, e-mail). Delivery is asynchronous and retried
 * ({@link dev.traceflow.alerts.AlertSender}); webhooks are signed
 * ({@link dev.traceflow.alerts.WebhookSignature}) and go only to addresses the
 * {@link dev.traceflow.outbound.OutboundGuard} allows.
 */
package dev.traceflow.alerts;

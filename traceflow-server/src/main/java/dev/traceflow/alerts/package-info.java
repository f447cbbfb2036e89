/**
 * Alerts (API.md "Alerts", issue 22): per-app rules on errors, vitals and traffic, evaluated on a
 * schedule (threshold, anomaly) or as error groups appear and reopen (new error group,
 * regression); incidents with one notification when they fire and one when they resolve,
 * delivered through channels (webhook, e-mail) without ever blocking evaluation: delivery is
 * asynchronous and retried ({@link dev.traceflow.alerts.AlertSender}), webhooks are signed
 * ({@link dev.traceflow.alerts.WebhookSignature}) and go only to addresses the
 * {@link dev.traceflow.outbound.OutboundGuard} allows.
 *
 * <p>Public face: {@link dev.traceflow.alerts.WebhookSignature} for receivers written in Java; the
 * rest is the routes. The engine takes the evaluation time as an argument
 * ({@code AlertEngine.evaluateDue(Instant)}), so tests move time by hand while the scheduler
 * passes the clock's.
 */
package dev.traceflow.alerts;

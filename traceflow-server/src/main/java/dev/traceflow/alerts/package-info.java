/**
 * Alerts (API.md "Alerts", issue 22): per-app rules on errors, vitals and traffic, evaluated on a
 * schedule (threshold, anomaly) or as error groups appear and reopen (new error group,
 * regression); incidents with one notification when they fire and one when they resolve,
 * delivered to channels (webhook, e-mail) without ever blocking evaluation.
 *
 * <p>Public face: nothing yet; the routes are the product. The engine takes the evaluation time as
 * an argument ({@code AlertEngine.evaluateDue(Instant)}), so tests move time by hand while the
 * scheduler passes the clock's.
 */
package dev.traceflow.alerts;

/**
 * The audit trail (seed 003: every write audited): who did what to which resource, from which
 * IP, under which trace id. Features append through {@link dev.traceflow.audit.AuditLog}; rows
 * are never updated or deleted. {@code GET /audits} shows them to admins, and to app owners for
 * their apps.
 */
package dev.traceflow.audit;

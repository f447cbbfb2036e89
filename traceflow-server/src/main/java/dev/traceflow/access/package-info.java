/**
 * Who the caller is and what they may do on each app (seed 003: RBAC with read / write / execute
 * on resources). A global {@code admin} may do everything; everyone else acts through per-app
 * membership roles. Features call {@link dev.traceflow.access.AppAccess} in their facades (the
 * second check after the route rules): a caller without a role on an app gets 404, exactly as for
 * an app that does not exist, so app ids never leak.
 */
package dev.traceflow.access;

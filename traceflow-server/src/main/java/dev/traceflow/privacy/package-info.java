/**
 * Privacy (seed 002 "privacy and compliance"): people who opt out of tracking get their stored
 * events deleted and their future events dropped (counted as {@code opted_out}); an app can honour
 * the browser's Do Not Track and Global Privacy Control signals. Contact details in typed events
 * are dropped at ingest (see the ingest feature's analytics mapping).
 */
package dev.traceflow.privacy;

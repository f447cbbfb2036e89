/** Retention: the daily job that deletes events past their app's retention days. */
package dev.traceflow.retention;

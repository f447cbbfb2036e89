/**
 * Apps and their ingest keys in the metadata database (Flyway; H2 by default, PostgreSQL when
 * configured): who may send, from which origins, and how long their events are kept.
 */
package dev.traceflow.apps;

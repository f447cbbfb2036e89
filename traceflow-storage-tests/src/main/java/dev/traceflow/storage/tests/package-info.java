/**
 * Contract tests for storage backends: extend {@link dev.traceflow.storage.tests.EventStorageContract}
 * in a backend's test sources and supply the storage. Overrides that disable a test must say why.
 */
package dev.traceflow.storage.tests;

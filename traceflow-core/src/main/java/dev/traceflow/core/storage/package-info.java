/**
 * The storage SPI: a small component per backend, split by capability (write side, counts; later
 * error / performance / behaviour / metrics queries). Contract tests live in traceflow-storage-tests.
 */
package dev.traceflow.core.storage;

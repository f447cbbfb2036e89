package dev.traceflow.storage.tests;

import dev.traceflow.core.storage.EventStorage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.Arrays;

/**
 * What every answer contract shares: a fresh storage per test from the backend's
 * {@link #openStorage()}, closed after it, and a way to store terse {@link QueryEvents}.
 */
public abstract class AnswerContract {

    protected EventStorage storage;

    /** A fresh, empty storage of the backend under test. */
    protected abstract EventStorage openStorage();

    @BeforeEach
    void openStorageForTest() {
        storage = openStorage();
    }

    @AfterEach
    void closeStorageAfterTest() {
        storage.close();
    }

    /** Stores the events in one write, in the order given. */
    protected void store(QueryEvents... events) {
        storage.consumer().accept(Arrays.stream(events).map(QueryEvents::build).toList());
    }
}

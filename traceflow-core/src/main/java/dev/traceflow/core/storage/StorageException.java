package dev.traceflow.core.storage;

/** A storage backend could not do what was asked; nothing of the failed operation is stored. */
public class StorageException extends RuntimeException {

    public StorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public StorageException(String message) {
        super(message);
    }
}

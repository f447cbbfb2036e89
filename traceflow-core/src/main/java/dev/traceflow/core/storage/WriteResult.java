package dev.traceflow.core.storage;

import java.util.BitSet;

/**
 * What {@link EventWriter#write} did.
 *
 * @param stored     events written by this call
 * @param duplicates positions (in the list given to {@code write}) of events not written because
 *                   their {@code eventId} was already stored for the app
 */
public record WriteResult(int stored, BitSet duplicates) {

    public boolean isDuplicate(int position) {
        return duplicates.get(position);
    }
}

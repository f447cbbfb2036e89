package dev.traceflow.storage.internal;

import dev.traceflow.core.event.Event;
import dev.traceflow.core.storage.EventConsumer;
import dev.traceflow.storage.internal.QueueItems.Journaled;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * Crash recovery at start: stores the requests that were acknowledged (journaled) but not yet
 * stored when the server stopped, before any new request is taken, in transactions cut the way
 * the loader cuts them. Records are decoded one transaction at a time, whatever format of the
 * journal they were written in.
 */
final class JournalReplay {

    private static final Logger log = LoggerFactory.getLogger(JournalReplay.class);

    private JournalReplay() {
    }

    /**
     * Refuses, before anything is stored, a journal holding a record this build cannot read: a
     * newer build wrote it. The journal stays as it is for that build.
     *
     * @throws IllegalStateException naming the record and the folder
     */
    static void checkFormats(List<IngestJournal.Replayed> backlog, Path dir) {
        for (IngestJournal.Replayed r : backlog) {
            byte[] batch = r.entry().batch();
            int format = batch.length == 0 ? -1 : batch[0];
            if (format != JournalFormatV1.FORMAT && format != JournalEventCodec.FORMAT) {
                throw new IllegalStateException("The ingest journal in " + dir + " holds a record (at position " + r.start()
                        + ") in format " + format + ", which this TraceFlow does not know (it reads formats "
                        + JournalFormatV1.FORMAT + " and " + JournalEventCodec.FORMAT + "). A newer TraceFlow wrote it: start that "
                        + "version again until it has stored its journal, or upgrade. Nothing was deleted.");
            }
        }
    }

    /** The events of a journal record, in whichever format it was written. */
    static List<Event> events(IngestJournal.Entry entry) {
        byte[] batch = entry.batch();
        List<Event> events = batch[0] == JournalFormatV1.FORMAT ? JournalFormatV1.decode(batch) : JournalEventCodec.decode(batch);
        if (events.size() != entry.events()) {
            throw new IllegalArgumentException("a journal record says " + entry.events() + " events but holds " + events.size());
        }
        return events;
    }

    static void replay(List<IngestJournal.Replayed> backlog, long stored, EventConsumer consumer, StoreLoader loader,
                       BatchingPolicy policy, QueueBudget budget) throws InterruptedException {
        int events = backlog.stream().mapToInt(r -> r.entry().events()).sum();
        IngestJournal.Replayed oldest = backlog.getFirst();
        // the store may hold the first events of the oldest request already (see Journaled)
        int alreadyStored = stored > oldest.start() && stored < oldest.position() ? (int) (stored - oldest.start()) : 0;
        if (alreadyStored > 0) {
            log.info("The first {} of {} events of the oldest request waiting were stored before the stop; loading the rest",
                    alreadyStored, oldest.entry().events());
        }
        log.info("Loading {} events of {} requests acknowledged before the last stop but not yet stored",
                events - alreadyStored, backlog.size());
        Iterator<IngestJournal.Replayed> records = backlog.iterator();
        Deque<Journaled> putBack = new ArrayDeque<>();
        boolean first = true;
        while (records.hasNext() || !putBack.isEmpty()) {
            List<Journaled> group = new ArrayList<>();
            int groupEvents = 0;
            while ((records.hasNext() || !putBack.isEmpty()) && groupEvents < policy.maxEvents()) {
                Journaled j;
                if (!putBack.isEmpty()) {
                    j = putBack.pollFirst();
                } else {
                    IngestJournal.Replayed r = records.next();
                    List<Event> decoded = events(r.entry());
                    long heapBytes = QueueBudget.heapBytes(decoded.size(), r.entry().batch().length);
                    j = Journaled.whole(r.entry().appId(), consumer.prepare(decoded), heapBytes, StoredFacts.of(decoded), r.start(),
                            r.position());
                    if (first && alreadyStored > 0) {
                        j = j.tail(alreadyStored);
                    }
                    first = false;
                }
                group.add(j);
                groupEvents += j.events();
            }
            groupEvents = StoreLoader.cut(group, groupEvents, policy, putBack::addFirst);
            budget.hold(groupEvents, group.stream().mapToLong(Journaled::bytesFreedWhenStored).sum()); // load() gives it back
            loader.load(group, groupEvents);
        }
    }
}

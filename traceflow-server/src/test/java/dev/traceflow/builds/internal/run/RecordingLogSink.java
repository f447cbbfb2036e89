package dev.traceflow.builds.internal.run;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An in-memory {@link BuildLogSink} for the build queue's tests (the durable store is another
 * helper's work): keeps lines per build in order, skips (attempt, seq) pairs it has, masks plain
 * secrets, and remembers how each build finished.
 */
public class RecordingLogSink implements BuildLogSink {

    private final Map<String, List<LogLine>> lines = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> stored = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> secrets = new ConcurrentHashMap<>();
    private final Map<String, String> finished = new ConcurrentHashMap<>();

    @Override
    public void registerSecrets(String buildId, Collection<String> values) {
        secrets.computeIfAbsent(buildId, k -> ConcurrentHashMap.newKeySet()).addAll(values);
    }

    @Override
    public synchronized long append(String buildId, int attempt, long firstSeq, List<LogLine> batch) {
        List<LogLine> into = lines.computeIfAbsent(buildId, k -> new ArrayList<>());
        Set<String> seen = stored.computeIfAbsent(buildId, k -> new HashSet<>());
        for (int i = 0; i < batch.size(); i++) {
            if (seen.add(attempt + ":" + (firstSeq + i))) {
                LogLine l = batch.get(i);
                String text = l.line();
                for (String s : secrets.getOrDefault(buildId, Set.of())) {
                    text = text.replace(s, "***");
                }
                into.add(new LogLine(l.ts(), l.level(), l.stage(), text));
            }
        }
        return into.size();
    }

    @Override
    public String finish(String buildId, String status) {
        finished.put(buildId, status);
        return "test-logs:" + buildId;
    }

    public synchronized List<LogLine> lines(String buildId) {
        return List.copyOf(lines.getOrDefault(buildId, List.of()));
    }

    public String finishedAs(String buildId) {
        return finished.get(buildId);
    }
}

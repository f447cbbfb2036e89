package dev.traceflow.builds.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The order in which a template's sources are built: every source after the sources it depends
 * on (topological order); among sources that could go next, the lower {@code buildOrder} first,
 * then the name. A cycle has no order: {@link #cycle} names it.
 */
final class BuildGraph {

    /** A bound source as the graph sees it. */
    record Node(String id, String name, int buildOrder, List<String> dependsOn) {
    }

    private BuildGraph() {
    }

    /**
     * @return the ids in build order, or empty when the dependencies have a cycle
     * @throws IllegalArgumentException when a dependency names no node
     */
    static Optional<List<String>> order(List<Node> nodes) {
        Map<String, Node> byId = new HashMap<>();
        nodes.forEach(n -> byId.put(n.id(), n));
        Map<String, Integer> waiting = new HashMap<>();
        Map<String, List<String>> dependents = new HashMap<>();
        for (Node n : nodes) {
            waiting.put(n.id(), n.dependsOn().size());
            for (String d : n.dependsOn()) {
                if (!byId.containsKey(d)) {
                    throw new IllegalArgumentException("depends on '" + d + "', which is not bound to the template");
                }
                dependents.computeIfAbsent(d, k -> new ArrayList<>()).add(n.id());
            }
        }
        PriorityQueue<Node> ready = new PriorityQueue<>(Comparator.comparingInt(Node::buildOrder).thenComparing(Node::name)
                .thenComparing(Node::id));
        nodes.stream().filter(n -> n.dependsOn().isEmpty()).forEach(ready::add);
        List<String> out = new ArrayList<>();
        while (!ready.isEmpty()) {
            Node n = ready.poll();
            out.add(n.id());
            for (String d : dependents.getOrDefault(n.id(), List.of())) {
                if (waiting.merge(d, -1, Integer::sum) == 0) {
                    ready.add(byId.get(d));
                }
            }
        }
        return out.size() == nodes.size() ? Optional.of(out) : Optional.empty();
    }

    /** A cycle as the path of ids that closes it ({@code a, b, c, a}), or empty when there is none. */
    static Optional<List<String>> cycle(List<Node> nodes) {
        Map<String, Node> byId = new HashMap<>();
        nodes.forEach(n -> byId.put(n.id(), n));
        Set<String> done = new HashSet<>();
        for (Node start : nodes.stream().sorted(Comparator.comparing(Node::name)).toList()) {
            List<String> path = new ArrayList<>();
            Optional<List<String>> found = visit(start.id(), byId, path, new HashSet<>(), done);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    private static Optional<List<String>> visit(String id, Map<String, Node> byId, List<String> path, Set<String> onPath,
                                                Set<String> done) {
        if (onPath.contains(id)) {
            List<String> cycle = new ArrayList<>(path.subList(path.indexOf(id), path.size()));
            cycle.add(id);
            return Optional.of(cycle);
        }
        if (done.contains(id) || !byId.containsKey(id)) {
            return Optional.empty();
        }
        path.add(id);
        onPath.add(id);
        for (String d : byId.get(id).dependsOn()) {
            Optional<List<String>> found = visit(d, byId, path, onPath, done);
            if (found.isPresent()) {
                return found;
            }
        }
        onPath.remove(id);
        path.removeLast();
        done.add(id);
        return Optional.empty();
    }
}

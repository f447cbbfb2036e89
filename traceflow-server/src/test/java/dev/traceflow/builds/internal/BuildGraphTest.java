package dev.traceflow.builds.internal;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BuildGraphTest {

    private static BuildGraph.Node node(String id, int order, String... deps) {
        return new BuildGraph.Node(id, "name-" + id, order, List.of(deps));
    }

    @Test
    void order_putsDependenciesFirst_thenLowerBuildOrder() {
        List<BuildGraph.Node> nodes = List.of(node("app", 0, "lib", "ui"), node("ui", 5, "lib"), node("lib", 9), node("docs", 1));
        assertThat(BuildGraph.order(nodes)).contains(List.of("docs", "lib", "ui", "app"));
    }

    @Test
    void order_ofACycle_isEmpty_andTheCycleIsNamedAsAPath() {
        List<BuildGraph.Node> nodes = List.of(node("a", 0, "b"), node("b", 0, "c"), node("c", 0, "a"), node("d", 0));
        assertThat(BuildGraph.order(nodes)).isEmpty();
        assertThat(BuildGraph.cycle(nodes)).contains(List.of("a", "b", "c", "a"));
    }

    @Test
    void cycle_ofAnAcyclicGraph_isEmpty() {
        assertThat(BuildGraph.cycle(List.of(node("a", 0, "b"), node("b", 0)))).isEmpty();
    }

    @Test
    void order_refusesADependencyThatIsNotANode() {
        assertThatThrownBy(() -> BuildGraph.order(List.of(node("a", 0, "ghost")))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ghost");
    }
}

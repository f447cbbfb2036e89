package dev.traceflow;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * STYLE.md: features talk through their top package; {@code internal} packages are private; no cycles.
 * A rule that selects no classes fails (ArchUnit's default, not switched off here), so a misspelled
 * or vanished package is an error, not a rule that passes by checking nothing.
 */
class ModuleBoundariesTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.traceflow");

    /** The features that have an {@code internal} package; {@link #everyInternalPackage_isInTheList} keeps it complete. */
    private static final List<String> FEATURES_WITH_INTERNAL = List.of("access", "apps", "audit", "auth", "builds", "processing", "realtime", "storage");

    private static ArchRule internalUsedOnlyByItsFeature(String feature) {
        return classes().that().resideInAPackage("dev.traceflow." + feature + ".internal..")
                .should().onlyHaveDependentClassesThat().resideInAPackage("dev.traceflow." + feature + "..")
                .because("a feature's internal package is private to it");
    }

    @Test
    void internalPackages_areUsedOnlyByTheirOwnFeature() {
        for (String feature : FEATURES_WITH_INTERNAL) {
            internalUsedOnlyByItsFeature(feature).check(CLASSES);
        }
    }

    @Test
    void everyInternalPackage_isInTheList() {
        Pattern internal = Pattern.compile("dev\\.traceflow\\.([a-z0-9]+)\\.internal(\\..*)?");
        Set<String> found = new TreeSet<>();
        for (JavaClass c : CLASSES) {
            Matcher m = internal.matcher(c.getPackageName());
            if (m.matches()) {
                found.add(m.group(1));
            }
        }
        assertThat(found).containsExactlyInAnyOrderElementsOf(FEATURES_WITH_INTERNAL);
    }

    /** The guard itself: the rule for a feature that is not there (a typo) fails instead of passing empty. */
    @Test
    void aRuleOverAMisspelledPackage_fails() {
        assertThatThrownBy(() -> internalUsedOnlyByItsFeature("acess").check(CLASSES))
                .isInstanceOf(AssertionError.class).hasMessageContaining("failed to check any classes");
    }

    @Test
    void features_haveNoCycles() {
        slices().matching("dev.traceflow.(*)..").should().beFreeOfCycles().check(CLASSES);
    }

    /** Issue 14: a backend wires itself; the server chooses it by a property and never names it. */
    @Test
    void server_namesNoStorageBackend() {
        noClasses().that().resideInAPackage("dev.traceflow..")
                .and().resideOutsideOfPackage("dev.traceflow.storage.duckdb..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.traceflow.storage.duckdb..", "org.duckdb..")
                .check(CLASSES);
    }

    /** Issue 19: one broker, several transports; the broker neither knows them nor the framework that serves them. */
    @Test
    void realtimeBroker_knowsNoTransportAndNoFramework() {
        noClasses().that().resideInAPackage("dev.traceflow.realtime.internal.broker..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "jakarta..",
                        "dev.traceflow.realtime.internal", "dev.traceflow.realtime.internal.websocket..", "dev.traceflow.access..",
                        "dev.traceflow.auth..", "dev.traceflow.apps..")
                .check(CLASSES);
    }

    @Test
    void coreModel_knowsNoFramework() {
        noClasses().that().resideInAPackage("dev.traceflow.core..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "tools.jackson..", "org.duckdb..",
                        "jakarta..")
                .check(CLASSES);
    }
}

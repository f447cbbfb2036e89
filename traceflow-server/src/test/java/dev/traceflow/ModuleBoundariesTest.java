package dev.traceflow;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import java.util.List;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/** STYLE.md: features talk through their top package; {@code internal} packages are private; no cycles. */
class ModuleBoundariesTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.traceflow");

    private static final List<String> FEATURES = List.of("access", "apps", "audit", "auth", "http", "ingest", "ops", "processing", "retention", "storage");

    @Test
    void internalPackages_areUsedOnlyByTheirOwnFeature() {
        for (String feature : FEATURES) {
            noClasses().that().resideOutsideOfPackage("dev.traceflow." + feature + "..")
                    .should().dependOnClassesThat().resideInAPackage("dev.traceflow." + feature + ".internal..")
                    .because("a feature's internal package is private to it")
                    .allowEmptyShould(true)
                    .check(CLASSES);
        }
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

    @Test
    void coreModel_knowsNoFramework() {
        noClasses().that().resideInAPackage("dev.traceflow.core..")
                .should().dependOnClassesThat().resideInAnyPackage("org.springframework..", "tools.jackson..", "org.duckdb..",
                        "jakarta..")
                .check(CLASSES);
    }
}

package dev.failfast;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.belongToAnyOf;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import dev.failfast.settings.FailfastProperties;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The package rules of docs/architecture.md: dependencies point inward, the domain is
 * plain Java, only {@code api} knows about HTTP. Rules for packages that do not exist yet
 * (the two engines' own packages) pass while those packages are empty.
 */
class ArchitectureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
        .withImportOption(new ImportOption.DoNotIncludeTests())
        .importPackages("dev.failfast");

    /** The Java client's own sources: clients/java, a test source root of this build. */
    private static final Path CLIENT_SOURCES = Path.of("clients/java/src/main/java/dev/failfast/client");

    /**
     * The Java client's classes (compiled with the tests, into the same package as its
     * tests): those of its own source files and their nested classes.
     */
    private static final JavaClasses CLIENT = new ClassFileImporter()
        .withImportOption(new ClientClassesOnly(clientSourceNames()))
        .importPackages("dev.failfast.client");

    @Test
    void theDomainUsesNoOtherPackageOfOurs() {
        noClasses().that()
            .resideInAPackage("dev.failfast.batch..")
            .should()
            .dependOnClassesThat(
                    resideInAnyPackage("dev.failfast..").and(resideOutsideOfPackage("dev.failfast.batch..")))
            .because("batch is the domain every other package builds on")
            .check(MAIN);
    }

    @Test
    void theDomainIsPlainJava() {
        classes().that()
            .resideInAPackage("dev.failfast.batch..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("dev.failfast.batch..", "java..", "org.jspecify..", "tools.jackson.databind..")
            .because("the domain is plain Java values (JSON params as JsonNode), testable and reusable without"
                    + " Spring or a servlet container")
            .check(MAIN);
    }

    @Test
    void jobTypesUseOnlyTheDomainAndTheirSettings() {
        classes().that()
            .resideInAPackage("dev.failfast.job..")
            .should()
            .onlyDependOnClassesThat(
                    resideInAnyPackage("dev.failfast.job..", "dev.failfast.batch..", "dev.failfast.logging..")
                        .or(resideOutsideOfPackage("dev.failfast.."))
                        .or(belongToAnyOf(FailfastProperties.class)))
            .because("the job SPI and the built-in job types sit next to the domain; they read their settings"
                    + " (failfast.http) but know nothing of the engine, the store or the API")
            .check(MAIN);
    }

    @Test
    void theStoreUsesOnlyTheDomain() {
        classes().that()
            .resideInAPackage("dev.failfast.store..")
            .should()
            .onlyDependOnClassesThat(
                    resideInAnyPackage("dev.failfast.store..", "dev.failfast.batch..", "dev.failfast.logging..")
                        .or(resideOutsideOfPackage("dev.failfast..")))
            .because("the store persists domain values; the engines, metrics and the API use it, never the"
                    + " other way round")
            .check(MAIN);
    }

    @Test
    void theSharedEngineKnowsNeitherEngineNorTheOutside() {
        noClasses().that()
            .resideInAPackage("dev.failfast.engine")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.failfast.engine.local..", "dev.failfast.engine.cluster..", "dev.failfast.api..",
                    "dev.failfast.metrics..")
            .because("the front door and the attempt machinery are shared by both engines, and are used by the"
                    + " API and the metrics, not the reverse")
            .check(MAIN);
    }

    @Test
    void theSingleInstanceEngineKnowsNotTheClusterNorTheOutside() {
        noClasses().that()
            .resideInAPackage("dev.failfast.engine.local..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.failfast.engine.cluster..", "dev.failfast.api..", "dev.failfast.metrics..")
            .because("the two engines stand side by side on the shared engine")
            .allowEmptyShould(true)
            .check(MAIN);
    }

    @Test
    void theClusterEngineKnowsNotTheSingleInstanceOneNorTheOutside() {
        noClasses().that()
            .resideInAPackage("dev.failfast.engine.cluster..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.failfast.engine.local..", "dev.failfast.api..", "dev.failfast.metrics..")
            .because("the two engines stand side by side on the shared engine")
            .allowEmptyShould(true)
            .check(MAIN);
    }

    @Test
    void securityIsTheOutsidesBusiness() {
        noClasses().that()
            .resideInAnyPackage("dev.failfast.batch..", "dev.failfast.job..", "dev.failfast.store..",
                    "dev.failfast.engine..", "dev.failfast.metrics..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.failfast.security..", "org.springframework.security..")
            .because("who is calling is settled at the edge: the engine sees a Caller (a domain value), never "
                    + "a key, a token or Spring Security")
            .check(MAIN);
    }

    @Test
    void nothingButTheApiUsesTheApi() {
        noClasses().that()
            .resideOutsideOfPackage("dev.failfast.api..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.failfast.api..")
            .because("dependencies point inward: the API is the outermost layer (config included)")
            .check(MAIN);
    }

    @Test
    void onlyTheApiKnowsHttp() {
        noClasses().that()
            .resideInAnyPackage("dev.failfast.batch..", "dev.failfast.job..", "dev.failfast.store..",
                    "dev.failfast.engine..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("org.springframework.web..", "org.springframework.http..", "jakarta.servlet..")
            .because(
                    "api is the only package that knows about HTTP (the http job type uses Apache HttpClient, not Spring's HTTP classes)")
            .check(MAIN);
    }

    @Test
    void noTwoPackagesDependOnEachOther() {
        slices().matching("dev.failfast.(**)")
            .should()
            .beFreeOfCycles()
            .because("dependencies point inward, so no package can reach back to one that uses it")
            .check(MAIN);
    }

    @Test
    void nothingDependsOnTheCompositionRoot() {
        noClasses().that()
            .resideOutsideOfPackage("dev.failfast.config..")
            .should()
            .dependOnClassesThat()
            .resideInAPackage("dev.failfast.config..")
            .because("config wires every package together (and decides the engine's mode); what it builds must"
                    + " not know how it is built")
            .check(MAIN);
    }

    @Test
    void theSettingsDependOnNothingOfOurs() {
        noClasses().that()
            .resideInAPackage("dev.failfast.settings..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("dev.failfast.batch..", "dev.failfast.job..", "dev.failfast.store..",
                    "dev.failfast.engine..", "dev.failfast.metrics..", "dev.failfast.api..", "dev.failfast.config..")
            .because("every package reads the settings")
            .check(MAIN);
    }

    @Test
    void logTextDependsOnNothingOfOursAndNoFramework() {
        classes().that()
            .resideInAPackage("dev.failfast.logging..")
            .should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("dev.failfast.logging..", "java..", "org.jspecify..")
            .because("every package, the domain's neighbours included, escapes client text for its log lines")
            .check(MAIN);
    }

    @Test
    void theRootPackageHoldsOnlyTheApplication() {
        classes().that()
            .resideInAPackage("dev.failfast")
            .and()
            .doNotHaveSimpleName("package-info")
            .should()
            .haveSimpleName("FailfastApplication")
            .because("every class belongs to the package that owns its concern")
            .check(MAIN);
    }

    @Test
    void theJavaClientUsesOnlyTheJdkAndJackson() {
        classes().should()
            .onlyDependOnClassesThat()
            .resideInAnyPackage("dev.failfast.client..", "java..", "tools.jackson..")
            .because("clients/java is a standalone library for users (JDK 17 and Jackson databind): it cannot use"
                    + " the service's classes, Spring or the service's test libraries")
            .check(CLIENT);
    }

    @Test
    void theServiceDoesNotUseTheJavaClient() {
        noClasses().should()
            .dependOnClassesThat()
            .resideInAPackage("dev.failfast.client..")
            .because("the Java client is tested with the service, never shipped in it")
            .check(MAIN);
    }

    private static Set<String> clientSourceNames() {
        try (Stream<Path> files = Files.list(CLIENT_SOURCES)) {
            return files.map(file -> file.getFileName().toString())
                .filter(name -> name.endsWith(".java"))
                .map(name -> name.substring(0, name.length() - ".java".length()))
                .collect(Collectors.toSet());
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Takes the class files of {@code dev/failfast/client} whose top-level class is one
     * of the client's.
     */
    private record ClientClassesOnly(Set<String> topLevelNames) implements ImportOption {

        @Override
        public boolean includes(Location location) {
            String uri = location.asURI().toString();
            int slash = uri.lastIndexOf('/');
            String file = uri.substring(slash + 1);
            if (!uri.substring(0, slash).endsWith("dev/failfast/client") || !file.endsWith(".class")) {
                return false;
            }
            String name = file.substring(0, file.length() - ".class".length());
            int nested = name.indexOf('$');
            return topLevelNames.contains(nested < 0 ? name : name.substring(0, nested));
        }

    }

}

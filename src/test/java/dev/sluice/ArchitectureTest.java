package dev.sluice;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The layering rules of docs/architecture.md §1, kept by the build. */
class ArchitectureTest {

  private static JavaClasses classes;

  @BeforeAll
  static void load() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.sluice");
  }

  @Test
  @DisplayName("The state machine is pure: it depends on java.* and the batch domain types only")
  void machineIsPure() {
    classes()
        .that()
        .haveSimpleNameStartingWith("BatchMachine")
        .or()
        .haveSimpleNameStartingWith("Counts")
        .or()
        .haveSimpleName("BatchSnapshot")
        .should()
        .onlyDependOnClassesThat()
        .resideInAnyPackage("java..", "dev.sluice.batch", "org.jspecify..")
        .check(classes);
    noClasses()
        .that()
        .haveSimpleNameStartingWith("BatchMachine")
        .should()
        .dependOnClassesThat()
        .haveSimpleNameEndingWith("Verticle")
        .orShould()
        .dependOnClassesThat()
        .haveSimpleNameEndingWith("Repository")
        .check(classes);
  }

  @Test
  @DisplayName("Nothing outside app depends on app")
  void appIsTheTop() {
    noClasses()
        .that()
        .resideOutsideOfPackage("dev.sluice.app..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.sluice.app..")
        .check(classes);
  }

  @Test
  @DisplayName(
      "Only the runtime shell reports to observe, and observe knows nothing of the rest of Sluice")
  void onlyTheShellObserves() {
    noClasses()
        .that()
        .resideInAPackage("dev.sluice.batch..")
        .and()
        .haveSimpleNameNotStartingWith("BatchVerticle")
        .and()
        .haveSimpleNameNotStartingWith("BatchSupervisor")
        .and()
        .haveSimpleNameNotStartingWith("BatchService")
        .and()
        .haveSimpleNameNotStartingWith("BatchCensus")
        .and()
        .haveSimpleNameNotStartingWith("BatchMeter")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.sluice.observe..")
        .because("the domain and its state machine stay free of instrumentation")
        .check(classes);
    // The provider gate (generate) will report rate-limit waits; http's probes report nothing.
    noClasses()
        .that()
        .resideInAPackage("dev.sluice.http..")
        .or()
        .haveSimpleNameStartingWith("BatchMachine")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.sluice.observe..")
        .check(classes);
    noClasses()
        .that()
        .resideInAPackage("dev.sluice.observe..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "dev.sluice.app..", "dev.sluice.batch..", "dev.sluice.generate..", "dev.sluice.http..")
        .check(classes);
  }

  @Test
  @DisplayName("The batch domain and runtime know nothing of the HTTP edge")
  void batchKnowsNoHttp() {
    noClasses()
        .that()
        .resideInAPackage("dev.sluice.batch..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage("dev.sluice.api..", "dev.sluice.http..", "io.vertx.ext.web..")
        .because("the HTTP edge talks to batches, never the other way round")
        .check(classes);
  }

  @Test
  @DisplayName("The HTTP edge talks to the Batches service, never to SQL")
  void routesNeverTouchSql() {
    noClasses()
        .that()
        .resideInAPackage("dev.sluice.api..")
        .should()
        .dependOnClassesThat()
        .haveSimpleNameStartingWith("BatchReads")
        .orShould()
        .dependOnClassesThat()
        .haveSimpleNameStartingWith("BatchWrites")
        .orShould()
        .dependOnClassesThat()
        .haveSimpleNameStartingWith("BatchLeases")
        .orShould()
        .dependOnClassesThat()
        .haveSimpleNameStartingWith("BatchStore")
        .orShould()
        .dependOnClassesThat()
        .haveSimpleNameStartingWith("BatchService")
        .orShould()
        .dependOnClassesThat()
        .resideInAPackage("io.vertx.sqlclient..")
        .check(classes);
  }

  @Test
  @DisplayName("Generators do not know about batches")
  void generatorsStandAlone() {
    noClasses()
        .that()
        .resideInAPackage("dev.sluice.generate..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("dev.sluice.batch..")
        .check(classes);
  }
}

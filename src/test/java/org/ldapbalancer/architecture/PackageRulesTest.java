package org.ldapbalancer.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The package rules of docs/architecture.md, kept by the build. */
class PackageRulesTest {
  private static JavaClasses classes;

  @BeforeAll
  static void load() {
    classes =
        new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("org.ldapbalancer");
  }

  @Test
  void clientAndUpstreamMeetOnlyInOperation() {
    noClasses().that().resideInAPackage("..client..")
        .should().dependOnClassesThat().resideInAPackage("..upstream..").check(classes);
    noClasses().that().resideInAPackage("..upstream..")
        .should().dependOnClassesThat().resideInAPackage("..client..").check(classes);
  }

  @Test
  void protocolIsALeaf() {
    noClasses().that().resideInAPackage("org.ldapbalancer.protocol..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "org.ldapbalancer.client..", "org.ldapbalancer.upstream..",
            "org.ldapbalancer.operation..", "org.ldapbalancer.balancing..",
            "org.ldapbalancer.config..", "org.ldapbalancer.server..", "org.ldapbalancer.cli..")
        .check(classes);
  }

  @Test
  void balancingIsPureLogic() {
    noClasses().that().resideInAPackage("..balancing..")
        .should().dependOnClassesThat().resideInAnyPackage("io.netty..", "org.ldapbalancer.protocol..",
            "org.ldapbalancer.upstream..", "org.ldapbalancer.client..")
        .check(classes);
  }

  @Test
  void nothingDependsOnTheCommandLine() {
    noClasses().that().resideOutsideOfPackage("org.ldapbalancer.cli..")
        .should().dependOnClassesThat().resideInAPackage("org.ldapbalancer.cli..")
        .check(classes);
  }

  @Test
  void theLoadGeneratorIsAClientOnly() {
    // bench must measure any server the same way, so it never reaches into the balancer
    noClasses().that().resideInAPackage("org.ldapbalancer.bench..")
        .should().dependOnClassesThat().resideInAnyPackage("org.ldapbalancer.client..",
            "org.ldapbalancer.upstream..", "org.ldapbalancer.operation..",
            "org.ldapbalancer.balancing..", "org.ldapbalancer.server..")
        .check(classes);
  }

  @Test
  void loggingNeedsNothingOfTheBalancer() {
    // Anything may log through it, so it may depend on nothing that logs through it.
    noClasses().that().resideInAPackage("org.ldapbalancer.log..")
        .should().dependOnClassesThat().resideInAnyPackage("org.ldapbalancer.protocol..",
            "org.ldapbalancer.client..", "org.ldapbalancer.upstream..",
            "org.ldapbalancer.operation..", "org.ldapbalancer.balancing..",
            "org.ldapbalancer.config..", "org.ldapbalancer.server..", "org.ldapbalancer.cli..")
        .check(classes);
  }

  @Test
  void operationDoesNotKnowEitherSide() {
    noClasses().that().resideInAPackage("..operation..")
        .should().dependOnClassesThat().resideInAnyPackage("org.ldapbalancer.client..",
            "org.ldapbalancer.upstream..", "org.ldapbalancer.server..")
        .check(classes);
  }

  @Test
  void theMonitorOnlyReadsWhatTheLoopsHandIt() {
    // Client, upstream and operation count into the monitor's model; the monitor must not reach
    // back into them (it sees snapshots only, taken by the loops that own the state).
    noClasses().that().resideInAPackage("org.ldapbalancer.monitor..")
        .and().resideOutsideOfPackage("org.ldapbalancer.monitor.access..")
        .should().dependOnClassesThat().resideInAnyPackage("org.ldapbalancer.client..",
            "org.ldapbalancer.upstream..", "org.ldapbalancer.operation..",
            "org.ldapbalancer.balancing..", "org.ldapbalancer.config..",
            "org.ldapbalancer.server..", "org.ldapbalancer.cli..")
        .check(classes);
  }

  @Test
  void theAccessLogReadsOperationsButNeverTheConnections() {
    // The access log describes operations (operation) as configured (config); the connections
    // call it, never the other way round.
    noClasses().that().resideInAPackage("org.ldapbalancer.monitor.access..")
        .should().dependOnClassesThat().resideInAnyPackage("org.ldapbalancer.client..",
            "org.ldapbalancer.upstream..", "org.ldapbalancer.balancing..",
            "org.ldapbalancer.server..", "org.ldapbalancer.cli..")
        .check(classes);
  }
}

package org.seqrl.experiments.cli;

import picocli.CommandLine;

/** Reports the project version from the jar manifest or the build's resource. */
final class VersionProvider implements CommandLine.IVersionProvider {
  @Override
  public String[] getVersion() {
    return new String[] {"seqrl " + SeqrlVersion.version(), "Java " + System.getProperty("java.version")};
  }
}

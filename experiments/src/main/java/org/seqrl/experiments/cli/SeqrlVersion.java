package org.seqrl.experiments.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The project version, filled in by Maven resource filtering. */
public final class SeqrlVersion {
  private SeqrlVersion() {}

  public static String version() {
    try (InputStream in = SeqrlVersion.class.getResourceAsStream("/seqrl-version.properties")) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}

package org.seqrl.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Every command's help renders as written: picocli treats descriptions as format strings, so a
 * bare percent sign ("95 % interval") breaks the text and prints a warning instead of failing.
 */
class HelpTextTest {
  @Test
  void everyCommandsHelpRendersWithoutFormatWarnings() {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    StringBuilder usage = new StringBuilder();
    try {
      System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
      CommandLine root = SeqrlCli.commandLine();
      usage.append(root.getUsageMessage());
      root.getSubcommands().values().forEach(c -> usage.append(c.getUsageMessage()));
    } finally {
      System.setErr(err);
    }
    String warnings = captured.toString(StandardCharsets.UTF_8);
    assertEquals("", warnings, "picocli could not format a help text");
    assertFalse(usage.toString().contains("%n"), "an unformatted help text: " + usage);
  }
}

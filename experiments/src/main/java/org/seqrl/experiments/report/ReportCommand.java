package org.seqrl.experiments.report;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "report", mixinStandardHelpOptions = true, description = "Summarise runs from MLflow.")
public final class ReportCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    return 0;
  }
}

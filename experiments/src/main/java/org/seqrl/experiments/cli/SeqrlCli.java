package org.seqrl.experiments.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code seqrl} command: every subcommand registers here. */
@Command(
    name = "seqrl",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Train sequence-to-sequence models with policy-gradient reinforcement learning.",
    subcommands = {
        CommandLine.HelpCommand.class,
        org.seqrl.experiments.train.TrainCommand.class,
        org.seqrl.experiments.train.EvalCommand.class,
        org.seqrl.experiments.train.ExportCommand.class,
        org.seqrl.experiments.train.SweepCommand.class,
        org.seqrl.experiments.tracking.MlflowCommand.class,
        org.seqrl.experiments.tracking.SyncCommand.class,
        org.seqrl.experiments.report.ReportCommand.class,
        ScoreCommand.class,
        org.seqrl.experiments.config.ConfigCommand.class,
        CompletionCommand.class,
    })
public final class SeqrlCli implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  /** Exit code for bad input (unknown option, missing file, invalid config). */
  public static final int EXIT_USAGE = 2;

  public static CommandLine commandLine() {
    CommandLine cli = new CommandLine(new SeqrlCli());
    // A one-line error for bad arguments, not a stack trace.
    cli.setParameterExceptionHandler((ex, args) -> {
      ex.getCommandLine().getErr().println("seqrl: " + ex.getMessage());
      ex.getCommandLine().getErr().println("Try '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
      return EXIT_USAGE;
    });
    cli.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
      if (ex instanceof UserInputException) {
        commandLine.getErr().println("seqrl: " + ex.getMessage());
        return EXIT_USAGE;
      }
      throw ex;
    });
    return cli;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}

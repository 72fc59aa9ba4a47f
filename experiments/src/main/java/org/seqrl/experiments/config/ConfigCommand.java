package org.seqrl.experiments.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code seqrl config CONFIG [--set k=v ...]}: validates a config and prints it with every default filled in. */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = "Validate an experiment config and print it resolved, with every default filled in.")
public final class ConfigCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "CONFIG", description = "An experiment YAML file.")
  Path config;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Override a setting, e.g. --set rl.baseline=rloo --set rl.samples=4 (repeatable).")
  List<String> overrides = new ArrayList<>();

  @Override
  public Integer call() {
    SeqrlConfig resolved = ConfigLoader.load(config, overrides);
    spec.commandLine().getOut().print(ConfigLoader.toYaml(resolved));
    spec.commandLine().getOut().flush();
    return 0;
  }
}

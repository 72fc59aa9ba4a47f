package org.seqrl.experiments.cli;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code seqrl completion}: prints picocli's generated bash/zsh completion script for every
 * subcommand and option, so that it never drifts from the commands themselves.
 */
@Command(name = "completion", mixinStandardHelpOptions = true,
    description = {"Print the bash/zsh completion script for seqrl.",
        "Save it where bash-completion finds it: seqrl completion > ~/.local/share/bash-completion/completions/seqrl",
        "(or source the file from ~/.bashrc; zsh needs `autoload -U +X bashcompinit && bashcompinit` first)."})
public final class CompletionCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    CommandLine root = spec.root().commandLine();
    spec.commandLine().getOut().print(AutoComplete.bash(root.getCommandName(), root));
    spec.commandLine().getOut().flush();
  }
}

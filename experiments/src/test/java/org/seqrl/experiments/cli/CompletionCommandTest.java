package org.seqrl.experiments.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.train.CliRuns;

/** {@code seqrl completion}: the script it prints, loaded into a real bash, completes commands and options. */
class CompletionCommandTest {
  @TempDir Path tmp;

  @Test
  void bashCompletesSubcommandsAndTheirOptions() throws Exception {
    Path script = tmp.resolve("seqrl-completion.bash");
    Files.writeString(script, CliRuns.succeeds("completion").out());

    assertEquals(List.of("score", "sweep", "sync"), complete(script, "seqrl", "s"));
    assertEquals(List.of("--resume"), complete(script, "seqrl", "train", "--res"));
    assertEquals(List.of("--checkpoint"), complete(script, "seqrl", "eval", "--check"));
  }

  /** What bash offers for the last word, the way it calls the function on TAB. */
  static List<String> complete(Path script, String... words) throws Exception {
    // compopt works only while bash itself runs a completion; called from a script it just complains.
    String call = "compopt() { :; }; source '" + script + "'; COMP_WORDS=(" + String.join(" ", words) + "); COMP_CWORD=" + (words.length - 1)
        + "; COMP_LINE='" + String.join(" ", words) + "'; COMP_POINT=${#COMP_LINE}; _complete_seqrl seqrl '"
        + words[words.length - 1] + "' '" + words[words.length - 2] + "'; printf '%s\\n' \"${COMPREPLY[@]}\" | sort";
    Process p = new ProcessBuilder("bash", "-c", call).redirectErrorStream(true).start();
    String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(1, TimeUnit.MINUTES));
    assertEquals(0, p.exitValue(), text);
    return text.lines().filter(l -> !l.isBlank()).toList();
  }
}

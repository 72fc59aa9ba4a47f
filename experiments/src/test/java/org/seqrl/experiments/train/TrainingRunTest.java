package org.seqrl.experiments.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.experiments.config.ConfigLoader;
import org.seqrl.rl.RunListener;
import org.seqrl.rl.StepEvent;

class TrainingRunTest {
  @TempDir Path tmp;

  @Test
  void mleThenRlImprovesTheDevMetric() throws IOException {
    // A deliberately short pre-training leaves room for RL to help.
    Path cfg = TinyRuns.config(tmp, "learn", 40, 200, "");
    Path dir = tmp.resolve("learn-run");
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, List.of()), tmp, dir)) {
      assertEquals(TrainingRun.Outcome.FINISHED, run.run());
    }
    JsonNode s = TrainingRun.JSON.readTree(dir.resolve("summary.json").toFile());
    double before = s.get("before_rl").get("levenshtein").asDouble();
    double after = s.get("final").get("levenshtein").asDouble();
    System.out.printf("dev levenshtein before RL %.3f, after %.3f%n", before, after);
    assertTrue(after < before, "RL should lower the dev edit distance: before " + before + ", after " + after);
    for (String key : new String[] {"bleu", "levenshtein", "exact_match", "chrf", "levenshtein_rate"}) {
      assertTrue(s.get("final").has(key), "summary.final lacks " + key);
      assertTrue(s.get("before_rl").has(key), "summary.before_rl lacks " + key);
    }
    assertEquals(240, s.get("steps").get("total").asLong());
    assertTrue(s.get("versions").has("java"));
    assertTrue(Files.isRegularFile(dir.resolve("checkpoints/best/COMPLETE")));
    assertTrue(Files.isRegularFile(dir.resolve("checkpoints/latest/COMPLETE")));
  }

  @Test
  void stoppingAndResumingGivesTheSameNumbersAsAnUninterruptedRun() throws IOException {
    Path cfg = TinyRuns.config(tmp, "resume", 50, 40, "");
    Path straight = tmp.resolve("straight");
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, List.of()), tmp, straight)) {
      assertEquals(TrainingRun.Outcome.FINISHED, run.run());
    }

    Path stopped = tmp.resolve("stopped");
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, List.of()), tmp, stopped)) {
      run.addListener(stopAt(run, 13)); // during pre-training, between evaluations
      assertEquals(TrainingRun.Outcome.INTERRUPTED, run.run());
      assertEquals(13, run.globalStep());
    }
    try (TrainingRun run = TrainingRun.resume(stopped)) {
      assertEquals(13, run.globalStep());
      run.addListener(stopAt(run, 71)); // during RL
      assertEquals(TrainingRun.Outcome.INTERRUPTED, run.run());
    }
    try (TrainingRun run = TrainingRun.resume(stopped)) {
      assertEquals(TrainingRun.Outcome.FINISHED, run.run());
    }

    JsonNode a = TrainingRun.JSON.readTree(straight.resolve("summary.json").toFile());
    JsonNode b = TrainingRun.JSON.readTree(stopped.resolve("summary.json").toFile());
    assertEquals(a.get("before_rl"), b.get("before_rl"));
    assertEquals(a.get("final"), b.get("final"));
    assertEquals(a.get("best_step"), b.get("best_step"));
    assertSameFiles(straight.resolve("checkpoints/latest/policy"), stopped.resolve("checkpoints/latest/policy"));
  }

  @Test
  void resumingAFinishedRunDoesNothingMore() throws IOException {
    Path cfg = TinyRuns.config(tmp, "done", 10, 5, "");
    Path dir = tmp.resolve("done-run");
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, List.of()), tmp, dir)) {
      run.run();
    }
    try (TrainingRun run = TrainingRun.resume(dir)) {
      assertTrue(run.finished());
      assertEquals(15, run.globalStep());
    }
  }

  @Test
  void startRefusesADirectoryThatHoldsARun() throws IOException {
    Path cfg = TinyRuns.config(tmp, "twice", 5, 0, "");
    Path dir = tmp.resolve("twice-run");
    try (TrainingRun run = TrainingRun.start(ConfigLoader.load(cfg, List.of()), tmp, dir)) {
      run.run();
    }
    UserInputException e = assertThrows(UserInputException.class,
        () -> TrainingRun.start(ConfigLoader.load(cfg, List.of()), tmp, dir));
    assertTrue(e.getMessage().contains("--resume"), e.getMessage());
  }

  @Test
  void resumeWithoutARunSaysHowToStartOne() {
    UserInputException e = assertThrows(UserInputException.class, () -> TrainingRun.resume(tmp.resolve("nothing")));
    assertTrue(e.getMessage().contains("seqrl train CONFIG"), e.getMessage());
  }

  private static RunListener stopAt(TrainingRun run, long step) {
    return new RunListener() {
      @Override
      public void onStep(StepEvent event) {
        if (event.step() == step) {
          run.requestStop();
        }
      }
    };
  }

  private static List<String> withoutComments(Path p) throws IOException {
    return Files.readAllLines(p).stream().filter(l -> !l.startsWith("#")).sorted().toList();
  }

  static void assertSameFiles(Path a, Path b) throws IOException {
    List<Path> fa;
    try (Stream<Path> s = Files.walk(a)) {
      fa = s.filter(Files::isRegularFile).map(a::relativize).sorted().toList();
    }
    List<Path> fb;
    try (Stream<Path> s = Files.walk(b)) {
      fb = s.filter(Files::isRegularFile).map(b::relativize).sorted().toList();
    }
    assertEquals(fa, fb);
    assertFalse(fa.isEmpty());
    for (Path rel : fa) {
      if (rel.toString().endsWith(".properties")) {
        // java.util.Properties writes the save time as a comment; compare the entries.
        assertEquals(withoutComments(a.resolve(rel)), withoutComments(b.resolve(rel)), "differs: " + rel);
      } else {
        assertArrayEquals(Files.readAllBytes(a.resolve(rel)), Files.readAllBytes(b.resolve(rel)), "differs: " + rel);
      }
    }
  }
}

package org.seqrl.experiments.train;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Named checkpoints of a run ({@code latest}, {@code best}) under {@code <run>/checkpoints/}.
 *
 * <p>A checkpoint is written into a fresh temporary folder and swapped in by renames, so a kill
 * while saving leaves the previous checkpoint (or, between the two renames, its {@code .old}
 * copy, which {@link #find} also accepts) intact.
 */
final class CheckpointStore {

  /** Writes the contents of one checkpoint folder. */
  @FunctionalInterface
  interface Writer {
    void write(Path directory) throws IOException;
  }

  private final Path root;

  CheckpointStore(Path runDir) {
    this.root = runDir.resolve("checkpoints");
  }

  Path root() {
    return root;
  }

  /** Atomically replaces checkpoint {@code name} with what {@code writer} writes. */
  Path save(String name, Writer writer) {
    try {
      Files.createDirectories(root);
      Path tmp = root.resolve("." + name + ".tmp");
      Path old = root.resolve("." + name + ".old");
      Path target = root.resolve(name);
      deleteRecursively(tmp);
      Files.createDirectories(tmp);
      writer.write(tmp);
      Files.writeString(tmp.resolve("COMPLETE"), "ok\n");
      deleteRecursively(old);
      if (Files.exists(target)) {
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      deleteRecursively(old);
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write checkpoint '" + name + "' under " + root + ": " + e.getMessage(), e);
    }
  }

  /** The complete checkpoint {@code name}, or its previous copy if a save was cut between renames. */
  Optional<Path> find(String name) {
    for (Path p : new Path[] {root.resolve(name), root.resolve("." + name + ".old")}) {
      if (Files.isRegularFile(p.resolve("COMPLETE"))) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }

  /** Copies the tokenizer files of a checkpoint (none unless its run was bpe) into {@code dir}. */
  static void copyTokenizers(Path checkpoint, Path dir) {
    if (checkpoint == null || !Files.isDirectory(checkpoint)) {
      return; // restoring the policy reports a missing checkpoint
    }
    try (var files = Files.list(checkpoint)) {
      for (Path f : files.filter(f -> f.getFileName().toString().endsWith("-tokenizer.json")).toList()) {
        Files.createDirectories(dir);
        Files.copy(f, dir.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot copy the tokenizers of " + checkpoint + ": " + e.getMessage(), e);
    }
  }
}

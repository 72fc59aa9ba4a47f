package org.seqrl.agents;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.seqrl.agents.Params.Param;

/**
 * Writes and reads a policy checkpoint: {@code params.bin} (weights and Adam moments, float32
 * values stored as doubles, which round-trip exactly), {@code state.properties} (step, RNG state)
 * and {@code model.properties} (the config). A checkpoint is written into a temporary sibling
 * directory, fsynced, then renamed into place, so a kill while saving leaves either the old or
 * the new checkpoint, never a broken one.
 */
final class Checkpoints {
  private static final int MAGIC = 0x53515231; // "SQR1"

  private Checkpoints() {}

  record State(long step, long rngState, long dropoutRngState) {}

  static void save(Path directory, Seq2SeqConfig cfg, Params params, long step, long rngState,
      long dropoutRngState) throws IOException {
    writeAtomically(directory, tmp -> {
      Path bin = tmp.resolve("params.bin");
      try (OutputStream os = Files.newOutputStream(bin);
          DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
        out.writeInt(MAGIC);
        out.writeInt(params.all().size());
        for (Param p : params.all()) {
          out.writeUTF(p.name);
          for (float[] a : List.of(p.value, p.m, p.v)) {
            out.writeInt(2);
            out.writeLong(p.rows);
            out.writeLong(p.cols);
            for (float x : a) {
              out.writeDouble(x);
            }
          }
        }
      }
      // the average goes on only beside the weights it averages: saved while swapped in, the checkpoint is
      // the averaged model alone (a best checkpoint chosen by evaluating the average)
      if (params.hasAverage() && !params.averageInValues()) {
        writeAverage(tmp.resolve(AVERAGE_FILE), params);
      }
      Properties st = new Properties();
      st.setProperty("step", Long.toString(step));
      st.setProperty("rngState", Long.toString(rngState));
      st.setProperty("dropoutRngState", Long.toString(dropoutRngState));
      st.setProperty("format", "seqrl-seq2seq-1");
      writeProperties(tmp.resolve("state.properties"), st, "policy state");
      writeProperties(tmp.resolve("model.properties"), cfg.toProperties(), "Seq2SeqConfig");
    });
  }

  /** Fills a directory's files into a temporary sibling. */
  interface DirectoryWriter {
    void writeInto(Path tmp) throws IOException;
  }

  /**
   * Writes a checkpoint directory with {@code writer} into a temporary sibling, fsyncs every file,
   * then renames it into place (the previous one under {@code .old} until the rename is done).
   */
  static void writeAtomically(Path directory, DirectoryWriter writer) throws IOException {
    Path dir = directory.toAbsolutePath();
    Path parent = dir.getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempDirectory(parent, dir.getFileName() + ".tmp-");
    try {
      writer.writeInto(tmp);
      try (Stream<Path> files = Files.list(tmp)) {
        for (Path f : files.toList()) {
          fsync(f);
        }
      }
      fsync(tmp);
      Path old = parent.resolve(dir.getFileName() + ".old");
      deleteTree(old);
      if (Files.exists(dir)) {
        Files.move(dir, old, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
      fsync(parent);
      deleteTree(old);
    } finally {
      deleteTree(tmp);
    }
  }

  /** The directory a checkpoint is read from: {@code directory}, or its {@code .old} copy after a kill between the two renames. */
  static Path readable(Path directory) throws IOException {
    Path dir = directory.toAbsolutePath();
    if (Files.exists(dir.resolve("state.properties"))) {
      return dir;
    }
    Path old = dir.getParent().resolve(dir.getFileName() + ".old");
    if (Files.exists(old.resolve("state.properties"))) {
      return old;
    }
    throw new IOException("no checkpoint in " + directory + " (state.properties missing)");
  }

  static State restore(Path directory, Seq2SeqConfig cfg, Params params) throws IOException {
    Path dir = readable(directory);
    Properties model = readProperties(dir.resolve("model.properties"));
    Seq2SeqConfig saved = Seq2SeqConfig.fromProperties(model);
    if (!sameShape(saved, cfg)) {
      throw new IOException("checkpoint " + dir + " holds a model of config " + saved + ", not " + cfg);
    }
    try (InputStream is = Files.newInputStream(dir.resolve("params.bin"));
        DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 16))) {
      if (in.readInt() != MAGIC) {
        throw new IOException(dir.resolve("params.bin") + " is not a SeqRL parameter file");
      }
      int n = in.readInt();
      List<float[][]> staged = new java.util.ArrayList<>();
      if (n != params.all().size()) {
        throw new IOException(dir.resolve("params.bin") + " holds " + n + " arrays, expected " + params.all().size());
      }
      for (int i = 0; i < n; i++) {
        String name = in.readUTF();
        if (!params.has(name)) {
          throw new IOException(dir.resolve("params.bin") + ": unknown parameter '" + name + "'");
        }
        Param p = params.get(name);
        long[] expected = {p.rows, p.cols};
        for (float[] target : List.of(p.value, p.m, p.v)) {
          float[] read = new float[target.length];
          staged.add(new float[][] {target, read});
          int rank = in.readInt();
          long[] shape = new long[rank];
          for (int k = 0; k < rank; k++) {
            shape[k] = in.readLong();
          }
          if (!java.util.Arrays.equals(shape, expected)) {
            throw new IOException(dir.resolve("params.bin") + ": parameter '" + name + "' has shape "
                + java.util.Arrays.toString(shape) + ", expected " + java.util.Arrays.toString(expected));
          }
          for (int k = 0; k < read.length; k++) {
            read[k] = (float) in.readDouble();
          }
        }
      }
      float[][] average = Files.exists(dir.resolve(AVERAGE_FILE)) ? readAverage(dir.resolve(AVERAGE_FILE), params) : null;
      // only files read to the end replace the policy's state: a bad one leaves it untouched
      for (float[][] pair : staged) {
        System.arraycopy(pair[1], 0, pair[0], 0, pair[0].length);
      }
      params.dropAverage();
      if (average != null) {
        int i = 0;
        for (Param p : params.all()) {
          p.average = average[i++];
        }
      }
    }
    Properties st = readProperties(dir.resolve("state.properties"));
    return new State(Long.parseLong(st.getProperty("step")), Long.parseLong(st.getProperty("rngState")),
        Long.parseLong(st.getProperty("dropoutRngState")));
  }

  /** The exponential moving average of the weights (pretrain.ema_decay), beside {@code params.bin}. */
  static final String AVERAGE_FILE = "average.bin";
  private static final int AVERAGE_MAGIC = 0x53514131; // "SQA1"

  private static void writeAverage(Path file, Params params) throws IOException {
    try (OutputStream os = Files.newOutputStream(file);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
      out.writeInt(AVERAGE_MAGIC);
      out.writeInt(params.all().size());
      for (Param p : params.all()) {
        out.writeUTF(p.name);
        out.writeInt(p.average.length);
        for (float x : p.average) {
          out.writeFloat(x);
        }
      }
    }
  }

  /** The averages in parameter order, checked against {@code params}' names and sizes. */
  private static float[][] readAverage(Path file, Params params) throws IOException {
    try (InputStream is = Files.newInputStream(file);
        DataInputStream in = new DataInputStream(new BufferedInputStream(is, 1 << 16))) {
      if (in.readInt() != AVERAGE_MAGIC) {
        throw new IOException(file + " is not a SeqRL weight-average file");
      }
      int n = in.readInt();
      if (n != params.all().size()) {
        throw new IOException(file + " holds " + n + " arrays, expected " + params.all().size());
      }
      float[][] out = new float[n][];
      int i = 0;
      for (Param p : params.all()) {
        String name = in.readUTF();
        int size = in.readInt();
        if (!name.equals(p.name) || size != p.size()) {
          throw new IOException(file + ": array " + i + " is '" + name + "' of " + size + " values, expected '"
              + p.name + "' of " + p.size());
        }
        out[i] = new float[size];
        for (int k = 0; k < size; k++) {
          out[i][k] = in.readFloat();
        }
        i++;
      }
      return out;
    }
  }

  /**
   * Everything but the seed and the init (they only chose the initial values the checkpoint replaces) and the
   * label smoothing (a loss setting: RL from a smoothed MLE model need not repeat it) must match.
   */
  private static boolean sameShape(Seq2SeqConfig a, Seq2SeqConfig b) {
    return a.toBuilder().seed(0).init(Seq2SeqConfig.Init.DEFAULT).labelSmoothing(0).build()
        .equals(b.toBuilder().seed(0).init(Seq2SeqConfig.Init.DEFAULT).labelSmoothing(0).build());
  }

  static void writeProperties(Path file, Properties p, String comment) throws IOException {
    try (OutputStream os = Files.newOutputStream(file)) {
      p.store(os, comment);
    }
  }

  static Properties readProperties(Path file) throws IOException {
    Properties p = new Properties();
    try (InputStream is = Files.newInputStream(file)) {
      p.load(is);
    }
    return p;
  }

  private static void fsync(Path p) throws IOException {
    try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
      ch.force(true);
    } catch (IOException e) {
      if (!Files.isDirectory(p)) {
        throw e; // some file systems refuse to sync a directory; files must sync
      }
    }
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }
}

package org.seqrl.experiments.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.seqrl.experiments.cli.UserInputException;
import org.seqrl.rl.Tokens;

/**
 * Token strings to ids. Ids 0-3 are reserved exactly as in {@link Tokens} (pad, start, end, unknown);
 * real tokens start at 4 in sorted order, so the same data always gives the same ids.
 */
public final class Vocabulary {
  public static final String PAD = "<pad>";
  public static final String START = "<s>";
  public static final String END = "</s>";
  public static final String UNKNOWN = "<unk>";
  private static final List<String> RESERVED = List.of(PAD, START, END, UNKNOWN);

  private final List<String> tokens;
  private final Map<String, Integer> ids = new HashMap<>();

  private Vocabulary(List<String> tokens) {
    this.tokens = List.copyOf(tokens);
    for (int i = 0; i < this.tokens.size(); i++) {
      if (ids.putIfAbsent(this.tokens.get(i), i) != null) {
        throw new IllegalArgumentException("duplicate token '" + this.tokens.get(i) + "'");
      }
    }
  }

  /** Every distinct token of the sequences, sorted, after the reserved ones. */
  public static Vocabulary build(Collection<List<String>> sequences) {
    TreeSet<String> distinct = new TreeSet<>();
    for (List<String> sequence : sequences) {
      distinct.addAll(sequence);
    }
    distinct.removeAll(RESERVED);
    List<String> all = new ArrayList<>(RESERVED);
    all.addAll(distinct);
    return new Vocabulary(all);
  }

  /** A vocabulary with the tokens in the given order (for synthetic alphabets whose order is meaningful). */
  static Vocabulary ofOrdered(List<String> regularTokens) {
    List<String> all = new ArrayList<>(RESERVED);
    all.addAll(regularTokens);
    return new Vocabulary(all);
  }

  /** The id of {@code token}, or {@link Tokens#UNKNOWN} when it is not in the vocabulary. */
  public int id(String token) {
    return ids.getOrDefault(token, Tokens.UNKNOWN);
  }

  public String token(int id) {
    if (id < 0 || id >= tokens.size()) {
      throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + tokens.size());
    }
    return tokens.get(id);
  }

  public boolean contains(String token) {
    return ids.containsKey(token) && ids.get(token) >= Tokens.FIRST_REGULAR;
  }

  /** Ids of the tokens, without start or end markers (the model adds those). */
  public int[] encode(List<String> sequence) {
    int[] out = new int[sequence.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = id(sequence.get(i));
    }
    return out;
  }

  /** Tokens of the ids up to the first end token; pad and start are dropped, unknown shows as {@value #UNKNOWN}. */
  public List<String> decode(int[] ids) {
    List<String> out = new ArrayList<>();
    for (int id : ids) {
      if (id == Tokens.END) {
        break;
      }
      if (id == Tokens.PAD || id == Tokens.START) {
        continue;
      }
      out.add(token(id));
    }
    return out;
  }

  /** Number of ids, reserved ones included. */
  public int size() {
    return tokens.size();
  }

  /** The regular tokens (ids 4 and up), in id order. */
  public List<String> regularTokens() {
    return Collections.unmodifiableList(tokens.subList(Tokens.FIRST_REGULAR, tokens.size()));
  }

  /** One token a line, line number = id + 1, reserved tokens first. */
  public void save(Path file) throws IOException {
    Files.writeString(file, String.join("\n", tokens) + "\n", StandardCharsets.UTF_8);
  }

  public static Vocabulary load(Path file) {
    List<String> lines;
    try {
      String text = Files.readString(file, StandardCharsets.UTF_8);
      // Split on \n only: a token may be a space or other whitespace character.
      lines = new ArrayList<>(List.of(text.split("\n", -1)));
    } catch (IOException e) {
      throw new UserInputException(file + ": cannot read vocabulary: " + e.getMessage());
    }
    if (!lines.isEmpty() && lines.get(lines.size() - 1).isEmpty()) {
      lines.remove(lines.size() - 1);
    }
    if (lines.size() < RESERVED.size() || !lines.subList(0, RESERVED.size()).equals(RESERVED)) {
      throw new UserInputException(file + ":1: not a vocabulary file; expected the reserved tokens "
          + String.join(", ", RESERVED) + " on lines 1-4, then one token a line");
    }
    try {
      return new Vocabulary(lines);
    } catch (IllegalArgumentException e) {
      throw new UserInputException(file + ": " + e.getMessage() + "; expected each token once");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Vocabulary v && v.tokens.equals(tokens);
  }

  @Override
  public int hashCode() {
    return tokens.hashCode();
  }

  @Override
  public String toString() {
    return "Vocabulary(" + size() + " ids)";
  }
}

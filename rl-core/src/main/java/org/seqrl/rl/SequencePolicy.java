package org.seqrl.rl;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Set;

/**
 * A decoder seen as a policy: it samples output sequences for source sequences and
 * learns from per-token advantages. Implementations own their parameters, optimizer
 * state and random generator, and whatever native memory they hold ({@link #close}).
 *
 * <p>Token ids follow {@link Tokens}: sources and targets hold regular ids only (no start,
 * end or padding); sequences a policy produces end with {@link Tokens#END} unless they
 * reached {@code maxLength}.
 */
public interface SequencePolicy extends AutoCloseable {

  /**
   * Draws {@code samplesPerInput} sequences for each source, at the given temperature, with
   * log-probabilities, entropies and critic outputs of every step.
   */
  Rollout sample(int[][] sources, int samplesPerInput, double temperature, int maxLength);

  /**
   * {@link #sample} from a generator of its own seeded with {@code seed} alone: the policy's own
   * generator, and whatever it keeps for the next {@link #update}, stay as they were, so that a
   * diagnostic can sample without shifting what training samples ({@link GradientDiagnostics}).
   */
  default Rollout sample(int[][] sources, int samplesPerInput, double temperature, int maxLength, long seed) {
    throw new UnsupportedOperationException(getClass().getSimpleName()
        + " cannot sample from a separate seed, which gradient diagnostics need (diag.every); set diag.every: 0");
  }

  /** The most likely token at every step, one row per source; deterministic. */
  Rollout greedy(int[][] sources, int maxLength);

  /**
   * Beam search of the given width; returns the most likely hypothesis it found for every source
   * (tokens before the end token; a hypothesis that reached {@code maxLength} without ending
   * competes too). Width 1 equals greedy decoding. Implementations say how they score and prune
   * (agents' {@code Seq2SeqPolicy} also lets the greedy hypothesis compete).
   */
  int[][] beamSearch(int[][] sources, int beamWidth, int maxLength);

  /**
   * {@link #beamSearch} ranking finished hypotheses by log-probability plus GNMT's coverage penalty of
   * weight {@code coveragePenalty} (Wu et al. 2016: {@code beta * sum_j log(min(attention received by
   * source position j, 1))}), which makes hypotheses that skipped part of the source pay; 0 is
   * {@link #beamSearch}. Policies with attention override it; the others refuse a weight above 0.
   */
  default int[][] beamSearch(int[][] sources, int beamWidth, int maxLength, double coveragePenalty) {
    if (coveragePenalty == 0) {
      return beamSearch(sources, beamWidth, maxLength);
    }
    throw new UnsupportedOperationException(getClass().getSimpleName()
        + " has no coverage penalty (eval.coverage_penalty); set it to 0 or use model.engine fast with attention");
  }

  /**
   * {@link #beamSearch(int[][], int, int, double)}'s {@code n} best hypotheses of every source, best first
   * ({@code 1 <= n <= beamWidth}; fewer where the search found fewer, never none): the first is the
   * hypothesis beam search returns. What rescoring proposes. Policies that keep only the best one
   * support n = 1 alone.
   */
  default int[][][] beamSearchNBest(int[][] sources, int beamWidth, int maxLength, double coveragePenalty, int n) {
    if (n != 1) {
      throw new UnsupportedOperationException(getClass().getSimpleName() + " keeps only its best beam hypothesis;"
          + " n-best lists (--nbest) need model.engine fast");
    }
    int[][] best = beamSearch(sources, beamWidth, maxLength, coveragePenalty);
    int[][][] out = new int[best.length][][];
    for (int i = 0; i < best.length; i++) {
      out[i] = new int[][] {best[i]};
    }
    return out;
  }

  /**
   * One optimizer step on the policy-gradient loss of {@link PolicyGradientBatch}; with
   * {@link PolicyGradientBatch#ppo} the clipped surrogate, whose log-probabilities before the step
   * the policy writes into {@link PpoClip#currentLogProbs}.
   */
  UpdateStats update(PolicyGradientBatch batch, OptimizerSettings optimizer);

  /**
   * The gradient of {@code batch}'s loss (as {@link #update} minimises it, without PPO) with respect
   * to every trainable parameter, flattened in a fixed order, WITHOUT applying it: no optimizer step,
   * and whatever the pass draws (dropout masks) is restored, so that training goes on as if it had
   * not been asked. Gradient diagnostics ({@link GradientVariance}) compare several of these.
   */
  default double[] policyGradient(PolicyGradientBatch batch) {
    throw new UnsupportedOperationException(getClass().getSimpleName()
        + " cannot compute a gradient without applying it, which gradient diagnostics need (diag.every); set diag.every: 0");
  }

  /**
   * One teacher-forced maximum-likelihood step: the loss is the mean over sequences of the
   * summed negative log-likelihood of {@code targets[i]} followed by the end token.
   */
  UpdateStats mleStep(int[][] sources, int[][] targets, OptimizerSettings optimizer);

  /**
   * One optimizer step on {@code mleWeight * L_mle + (1 - mleWeight) * L_pg} (MIXER-style mixing on
   * one batch): {@code L_pg} the loss of {@code batch} (entropy and critic terms included), {@code L_mle}
   * the loss of {@link #mleStep} on the batch's sources with {@code targets[b]} for input b.
   * {@code mleWeight} is in [0, 1]; the stats report the mixed loss, and the policy part is {@code L_pg}'s.
   */
  UpdateStats mixedUpdate(PolicyGradientBatch batch, int[][] targets, double mleWeight, OptimizerSettings optimizer);

  /**
   * Writes {@code log pi(y_rt | y_r<t, x_r)} of the rollout's tokens, at temperature 1, under the
   * given parameters into {@code out} {@code [rows][>= maxLength]}; masked steps are set to 0.
   * {@link PolicyParameters#REFERENCE} needs {@link #freezeReference} first.
   */
  void logProbs(Rollout rollout, PolicyParameters parameters, double[][] out);

  /**
   * Freezes a copy of the current parameters as the reference policy (what a KL penalty keeps RL
   * close to), replacing any earlier one. The reference is part of {@link #save} and {@link #restore}.
   */
  void freezeReference();

  /** Whether a reference has been frozen (or restored). */
  boolean hasReference();

  /**
   * One step of an exponential moving average of the trainable parameters (Polyak averaging):
   * {@code average = decay * average + (1 - decay) * parameters}, the first call starting it at the
   * parameters. The average is part of {@link #save} and {@link #restore} (unless swapped in).
   */
  default void updateAverage(double decay) {
    throw new UnsupportedOperationException(getClass().getSimpleName()
        + " keeps no average of its weights (pretrain.ema_decay); set it to 0 or use model.engine fast");
  }

  /** Whether {@link #updateAverage} has started an average (or {@link #restore} brought one back). */
  default boolean hasAverage() {
    return false;
  }

  /**
   * Exchanges the parameters and their average, so that the policy decodes with the average; a second
   * call restores both. {@link #save} while swapped writes the averaged model alone, without an average.
   */
  default void swapAverage() {
    throw new IllegalStateException(getClass().getSimpleName() + " has no average of its weights to swap in");
  }

  /** Makes the average the parameters for good and stops averaging. */
  default void adoptAverage() {
    throw new IllegalStateException(getClass().getSimpleName() + " has no average of its weights to adopt");
  }

  /** The critic heads this policy carries. */
  Set<CriticHead> criticHeads();

  /** Writes parameters, optimizer state, RNG state and the reference, so that {@link #restore} continues exactly. */
  void save(Path directory) throws IOException;

  /** Replaces this policy's state with one written by {@link #save} from a policy of the same shape. */
  void restore(Path directory) throws IOException;

  @Override
  void close();
}

"""`seqrl score` as a whole process (start, read, score, format, print) against the same job done
by nltk and sacrebleu in a Python process, and optionally against another build of SeqRL.

Every side runs once per round, the sides interleaved (A B C ... A B C ...), so that a slow stretch
of a shared machine hits all of them. A warm-up round of the SeqRL processes alone (page cache,
the JVM's class data) comes first and is excluded; the Python processes have nothing to warm
beyond the page cache, which the warm-up fills for them too. Each process writes its scores to a file; the SeqRL outputs are
compared with nltk's / sacrebleu's as text, line by line (exact agreement, not a tolerance).

Prints, per side and for two clocks, wall time and CPU time (user + system, all threads, from
wait4): median sentences/s, [min-max] over the timed rounds, and the ratio of medians to nltk /
sacrebleu with the spread of the per-round ratios (peer time / SeqRL time of the same round). On a
machine shared with other jobs the wall clock measures mostly the others; CPU time is what the
process itself cost (it counts the JVM's compiler and GC threads, which may run beside the main
thread, so on an idle machine the wall time can be below it).

Usage: python score_process.py --pairs-tsv CORPUS.tsv --java JAVA --cp NEW_CP [--old-cp OLD_CP]
           [--alt-java JAVA2] [--rounds 3] [--metrics bleu,sacrebleu] [--python PY] [--work DIR]
           [--threads N] [--no-peers]

--alt-java adds a side: the NEW_CP build on another JVM (e.g. a Java 19+ one, whose Double.toString gives the
shortest digits that seqrl score then prints without its own digit search).
A JVM of Java 22 or newer (--java or --alt-java) also gets --enable-native-access=ALL-UNNAMED, as
scripts/java-env.sh gives it to ./seqrl: without it such a JVM warns when JNA loads native code.
--threads passes `--threads N` to seqrl score (default: its own default). --no-peers leaves the Python
processes out (an A/B of two builds alone); the builds' outputs are then compared with each other.
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def java_feature(java):
    """The major version of the JVM `java` (17, 25, ...) from `java -version`."""
    try:
        p = subprocess.run([java, "-version"], capture_output=True, text=True)
    except OSError as e:
        raise SystemExit(f"score_process.py: cannot run {java} -version ({e}); expected a Java 17+ binary")
    m = re.search(r'version "(?:1\.)?(\d+)', p.stderr)
    if p.returncode != 0 or not m:
        raise SystemExit(f"score_process.py: cannot tell the version of {java} from `{java} -version`: {p.stderr.strip()!r}")
    return int(m.group(1))


def version_flags(java):
    """--enable-native-access=ALL-UNNAMED for a JVM that warns without it (Java 22+; older ones need
    nothing), as scripts/java-env.sh gives it to ./seqrl."""
    return ["--enable-native-access=ALL-UNNAMED"] if java_feature(java) >= 22 else []


def run(cmd, out_path):
    """Runs cmd with stdout to out_path; returns (wall seconds, CPU seconds: user + system of the
    process and all its threads)."""
    with open(out_path, "w") as out:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=out)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t
        p.returncode = os.waitstatus_to_exitcode(status)
        if p.returncode != 0:
            raise SystemExit(f"score_process.py: {' '.join(cmd)} exited with {p.returncode}")
        return wall, usage.ru_utime + usage.ru_stime


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs-tsv", required=True)
    ap.add_argument("--java", default="java")
    ap.add_argument("--java-flags", default="-Xmx4g", help="as ./seqrl gives them (SEQRL_JAVA_OPTS)")
    ap.add_argument("--cp", required=True)
    ap.add_argument("--old-cp", default=None)
    ap.add_argument("--alt-java", default=None, help="also run NEW_CP on this JVM")
    ap.add_argument("--rounds", type=int, default=3, help="timed rounds")
    ap.add_argument("--metrics", default="bleu,sacrebleu")
    ap.add_argument("--python", default=sys.executable)
    ap.add_argument("--work", default=None)
    ap.add_argument("--threads", type=int, default=None, help="passed to seqrl score as --threads N")
    ap.add_argument("--no-peers", action="store_true", help="run the SeqRL sides only")
    args = ap.parse_args()
    work = args.work or os.path.dirname(os.path.abspath(args.pairs_tsv))
    hyps, refs = os.path.join(work, "score-hyps.txt"), os.path.join(work, "score-refs.txt")
    with open(args.pairs_tsv, encoding="utf-8") as f, open(hyps, "w", encoding="utf-8") as h, open(refs, "w", encoding="utf-8") as r:
        n = 0
        for line in f:
            hyp, ref = line.rstrip("\n").split("\t", 1)
            h.write(hyp + "\n")
            r.write(ref + "\n")
            n += 1
    flags = {jvm: version_flags(jvm) for jvm in [args.java] + ([args.alt_java] if args.alt_java else [])}
    java = lambda cp, metric_args, jvm=args.java: [jvm, *flags[jvm], *args.java_flags.split(), "-cp", cp,
                                                   "org.seqrl.experiments.cli.SeqrlCli",
                                                   "score", *metric_args, "--hyps", hyps, "--refs", refs,
                                                   *([] if args.threads is None else ["--threads", str(args.threads)])]
    sides = {}  # name -> (metric, command)
    for metric in args.metrics.split(","):
        if metric == "bleu":
            margs, peer = ["--metric", "bleu", "--smoothing", "method1"], "nltk"
        elif metric == "sacrebleu":
            margs, peer = ["--metric", "sacrebleu"], "sacrebleu"
        else:
            raise SystemExit(f"score_process.py: unknown metric {metric!r}; expected bleu or sacrebleu")
        sides[f"{metric}: seqrl score"] = (metric, java(args.cp, margs))
        if args.alt_java:
            sides[f"{metric}: seqrl score (alt JVM)"] = (metric, java(args.cp, margs, args.alt_java))
        if args.old_cp:
            sides[f"{metric}: seqrl score (old build)"] = (metric, java(args.old_cp, margs))
        if not args.no_peers:
            sides[f"{metric}: {peer}"] = (metric, [args.python, os.path.join(HERE, "score_python.py"), peer, hyps, refs])
    times = {name: {"wall": [], "cpu": []} for name in sides}
    print(f"{n} pairs, a warm-up round of the seqrl processes, then {args.rounds} timed rounds, sides interleaved "
          f"in this order: {', '.join(sides)}", file=sys.stderr)
    outs = {name: os.path.join(work, "out-" + name.replace(":", "").replace(" ", "-").replace("(", "").replace(")", "") + ".txt") for name in sides}
    for rnd in range(args.rounds + 1):
        for name, (metric, cmd) in sides.items():
            if rnd == 0 and "seqrl" not in name:
                continue
            wall, cpu = run(cmd, outs[name])
            print(f"round {rnd} {name}: wall {wall:.2f} s, cpu {cpu:.2f} s", file=sys.stderr, flush=True)
            if rnd > 0:
                times[name]["wall"].append(wall)
                times[name]["cpu"].append(cpu)
    print("| metric | process | clock | sentences/s median [min-max] | vs nltk: median [per-round min-max] "
          "| vs sacrebleu: median [per-round min-max] | lines equal to the Python peer's |")
    print("|---|---|---|---|---|---|---|")
    for name, (metric, _) in sides.items():
        peer_name = f"{metric}: {'nltk' if metric == 'bleu' else 'sacrebleu'}"
        if args.no_peers:
            # the builds against each other: the first SeqRL side of the metric stands in for the peer
            peer_name = next(k for k, (m, _) in sides.items() if m == metric)
        if name == peer_name:
            equal = ""
        else:
            # exact agreement: SeqRL's lines against the Python peer's lines, as text
            with open(outs[name]) as a, open(outs[peer_name]) as b:
                la, lb = a.read().splitlines(), b.read().splitlines()
            same = sum(x == y for x, y in zip(la, lb))
            equal = f"{same:,} of {len(lb):,}" + ("" if len(la) == len(lb) else f" (seqrl printed {len(la):,} lines)")
        for clock in ["wall", "cpu"]:
            ts = times[name][clock]
            cells = []
            for peer in ["nltk", "sacrebleu"]:
                pname = f"{metric}: {peer}"
                if pname not in times or pname == name:
                    cells.append("")
                    continue
                pts = times[pname][clock]
                per_round = sorted(p / o for o, p in zip(ts, pts))
                cells.append(f"{statistics.median(pts) / statistics.median(ts):.1f}x [{per_round[0]:.1f}-{per_round[-1]:.1f}x]")
            print(f"| {metric} | {name.split(': ', 1)[1]} | {clock} | {n / statistics.median(ts):,.0f} "
                  f"[{n / max(ts):,.0f}-{n / min(ts):,.0f}] | {cells[0]} | {cells[1]} | {equal if clock == 'wall' else ''} |")


if __name__ == "__main__":
    main()

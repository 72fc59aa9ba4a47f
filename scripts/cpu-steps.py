#!/usr/bin/env python3
"""Runs a training command and measures its CPU time per training step (Linux /proc).

Usage: scripts/cpu-steps.py RUN_DIR LOG.tsv -- ./seqrl train ... --output RUN_DIR
       scripts/cpu-steps.py LOG.tsv            (the summary of a log written before)

Every second it reads the process's own CPU time (user + system, every thread; the `seqrl` script
execs the JVM, so the pid is the JVM's) and the last line of RUN_DIR/metrics.jsonl. The summary
divides the steps from the end of the first third of the run (JIT warm-up, data loading and start-up
before it) to the last step by the CPU time between them, leaving out every evaluation (from the
step it follows to the sample its line appears in). On a shared core wall time says little, CPU
time is what a step costs. LOG.tsv keeps every sample (wall s, cpu s, last step, evaluation line).
"""
import json
import os
import subprocess
import sys
import time


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[11], fields[12]: utime, stime (the 14th and 15th fields of stat), in clock ticks
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def last_step(metrics, offset, state):
    """Reads the lines appended since offset; returns the new offset. state: [step, evaluation seen]."""
    try:
        with open(metrics) as f:
            f.seek(offset)
            chunk = f.read()
    except FileNotFoundError:
        return offset
    end = chunk.rfind("\n")
    if end < 0:
        return offset
    for line in chunk[: end + 1].splitlines():
        if not line.strip():
            continue
        n = json.loads(line)
        if any(k.startswith("eval/") for k in n.get("metrics", {})):
            state[1] = True
        state[0] = max(state[0], int(n.get("step", 0)))
    return offset + len(chunk[: end + 1].encode())


def main():
    if len(sys.argv) == 2:
        print(summary(read_log(sys.argv[1])))
        return
    if len(sys.argv) < 5 or sys.argv[3] != "--":
        sys.exit(__doc__)
    run_dir, log_path, command = sys.argv[1], sys.argv[2], sys.argv[4:]
    metrics = os.path.join(run_dir, "metrics.jsonl")
    start = time.time()
    proc = subprocess.Popen(command)
    offset, state = 0, [0, False]
    samples = []
    cpu = 0.0
    while proc.poll() is None:
        try:
            cpu = cpu_seconds(proc.pid)
        except (FileNotFoundError, ProcessLookupError):
            break
        state[1] = False
        offset = last_step(metrics, offset, state)
        samples.append((time.time() - start, cpu, state[0], state[1]))
        time.sleep(1.0)
    code = proc.wait()
    with open(log_path, "w") as f:
        f.write("wall_s\tcpu_s\tstep\tevaluation\n")
        for w, c, st, ev in samples:
            f.write(f"{w:.1f}\t{c:.2f}\t{st}\t{int(ev)}\n")
    print(f"exit {code}; wall {time.time() - start:.0f} s; cpu {cpu:.0f} s (last sample); " + summary(samples))
    sys.exit(code)


def summary(samples):
    """Training steps per CPU second, evaluations and the first third of the run left out."""
    last = max(st for _, _, st, _ in samples)
    warm = max(1, last // 3)
    # sample index at which each evaluation line appeared, by the step it follows
    evaluated = {}
    for i, (_, _, st, ev) in enumerate(samples):
        if ev:
            evaluated.setdefault(st, i)
    train_cpu, train_steps = 0.0, 0
    for i in range(1, len(samples)):
        _, c0, s0, _ = samples[i - 1]
        _, c1, s1, ev = samples[i]
        in_evaluation = s0 in evaluated and evaluated[s0] >= i and s1 == s0
        if s0 >= warm and s0 < last and not in_evaluation and not ev:
            train_cpu += c1 - c0
            train_steps += s1 - s0
    return (f"steps {warm}-{last}: {train_steps} steps in {train_cpu:.2f} cpu s = "
            f"{train_steps / max(train_cpu, 1e-9):.2f} steps per cpu s, {1000 * train_cpu / max(train_steps, 1):.0f} ms per step")


def read_log(path):
    rows = []
    for line in open(path).read().splitlines()[1:]:
        w, c, st, ev = line.split("\t")
        rows.append((float(w), float(c), int(st), ev == "1"))
    return rows

if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Runs a training command and measures its CPU time per training step (Linux /proc).

Usage: scripts/cpu-steps.py RUN_DIR LOG.tsv -- ./seqrl train ... --output RUN_DIR

Every second it reads the process's own CPU time (user + system, every thread; the `seqrl` script
execs the JVM, so the pid is the JVM's) and the last line of RUN_DIR/metrics.jsonl. A second in which
the step count rose and no evaluation line was written counts as training; the others (start-up, data
loading, evaluations, the end) do not. On a shared core wall time says little, CPU time is what a
step costs. Prints the totals; LOG.tsv keeps every sample (wall s, cpu s, last step, evaluation seen).
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
    train_cpu, train_steps = 0.0, 0
    for (_, c0, s0, _), (_, c1, s1, ev) in zip(samples, samples[1:]):
        if s1 > s0 and not ev:
            train_cpu += c1 - c0
            train_steps += s1 - s0
    with open(log_path, "w") as f:
        f.write("wall_s\tcpu_s\tstep\tevaluation\n")
        for w, c, s, ev in samples:
            f.write(f"{w:.1f}\t{c:.2f}\t{s}\t{int(ev)}\n")
    wall = time.time() - start
    print(f"exit {code}; wall {wall:.0f} s; cpu {cpu:.0f} s (last sample); training seconds: {train_steps} steps in "
          f"{train_cpu:.0f} cpu s = {train_steps / max(train_cpu, 1e-9):.2f} steps per cpu s")
    sys.exit(code)


if __name__ == "__main__":
    main()

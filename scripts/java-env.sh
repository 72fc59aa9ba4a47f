# The JVM that ./seqrl, the build, the tests and the benchmarks use; source it, don't run it.
#
# Sets SEQRL_JAVA (the java binary: $JAVA_HOME/bin/java when JAVA_HOME is set, as ./mvnw does, else
# java on PATH), SEQRL_JAVA_FEATURE (its major version) and SEQRL_JAVA_FLAGS (the flags that JVM
# needs). Returns 2 with a one-line message when there is no Java 17 or newer.
#
# Java 22+ warns on every run when a library on the class path calls System.load (JavaCPP loading
# OpenBLAS does) unless native access is granted, and Java 24+ when one uses sun.misc.Unsafe's memory
# access (the protobuf inside the MLflow client does) unless it is allowed. Java 17-21 need neither flag
# (and 17 rejects the second), so none is passed there.
seqrl_java_env() {
  SEQRL_JAVA_FLAGS=()
  if [[ -n "${JAVA_HOME:-}" ]]; then
    SEQRL_JAVA="$JAVA_HOME/bin/java"
    if [[ ! -x "$SEQRL_JAVA" ]]; then
      echo "seqrl: JAVA_HOME=$JAVA_HOME has no bin/java; point JAVA_HOME at a JDK 17 or newer, or unset it to use java on PATH" >&2
      return 2
    fi
  elif ! SEQRL_JAVA="$(command -v java)"; then
    echo "seqrl: no java on PATH and JAVA_HOME is not set; install a JDK 17 or newer (Debian/Ubuntu: apt-get install openjdk-17-jdk-headless) or set JAVA_HOME" >&2
    return 2
  fi
  # The major version from the runtime's release file (no JVM start); `java -version` when there is none.
  local home version=""
  home="$(dirname "$(dirname "$(readlink -f "$SEQRL_JAVA")")")"
  if [[ -f "$home/release" ]]; then
    version="$(sed -n 's/^JAVA_VERSION="\(.*\)"$/\1/p' "$home/release")"
  fi
  if [[ -z "$version" ]]; then
    version="$("$SEQRL_JAVA" -version 2>&1 | sed -n 's/.* version "\([^"]*\)".*/\1/p' | head -n1)"
  fi
  version="${version#1.}" # 1.8.0_402 -> 8.0_402
  SEQRL_JAVA_FEATURE="${version%%[!0-9]*}"
  if [[ -z "$SEQRL_JAVA_FEATURE" ]]; then
    echo "seqrl: cannot tell the version of $SEQRL_JAVA; SeqRL needs Java 17 or newer" >&2
    return 2
  fi
  if (( SEQRL_JAVA_FEATURE < 17 )); then
    echo "seqrl: $SEQRL_JAVA is Java $SEQRL_JAVA_FEATURE; SeqRL needs Java 17 or newer: install a JDK 17+ and put it first on PATH or set JAVA_HOME" >&2
    return 2
  fi
  if (( SEQRL_JAVA_FEATURE >= 22 )); then
    SEQRL_JAVA_FLAGS+=(--enable-native-access=ALL-UNNAMED)
  fi
  if (( SEQRL_JAVA_FEATURE >= 24 )); then
    SEQRL_JAVA_FLAGS+=(--sun-misc-unsafe-memory-access=allow)
  fi
}
seqrl_java_env

# Native BLAS settings shared by ./seqrl, the tests and the benchmarks; source it, don't run it.
#
# The policies' matrix products run in OpenBLAS 0.3.19 (the one nd4j-native 1.0.0-M2.1 ships).
# That release does not recognise recent AMD CPUs as AVX-512 capable and falls back to its AVX2
# (Haswell) kernels; where the CPU has AVX-512 F/BW/DQ/VL, its SKYLAKEX kernels ran float32
# products about 1.7x faster here (BENCHMARKS.md). SEQRL_OPENBLAS_CORETYPE overrides the choice:
# a core name (e.g. Haswell), or "keep" to leave OPENBLAS_CORETYPE as the environment has it.
seqrl_native_env() {
  local want="${SEQRL_OPENBLAS_CORETYPE:-auto}"
  if [[ "$want" == auto ]]; then
    want=keep
    if [[ -r /proc/cpuinfo ]]; then
      local flags
      flags="$(grep -m1 '^flags' /proc/cpuinfo || true)"
      if [[ " $flags " == *" avx512f "* && " $flags " == *" avx512bw "* && " $flags " == *" avx512dq "* \
            && " $flags " == *" avx512vl "* ]]; then
        want=SKYLAKEX
      fi
    fi
  fi
  if [[ "$want" != keep ]]; then
    export OPENBLAS_CORETYPE="$want"
  fi
  # BLAS threads: every core by default (two threads ran the reference model's steps 1.3-1.5x faster than
  # one on 2 cores, BENCHMARKS.md); `seqrl sweep` divides the cores among the cells it runs side by side.
  local cores
  cores="$(nproc 2>/dev/null || echo 1)"
  export OPENBLAS_NUM_THREADS="${OPENBLAS_NUM_THREADS:-${OMP_NUM_THREADS:-$cores}}"
  export OMP_NUM_THREADS="${OMP_NUM_THREADS:-$OPENBLAS_NUM_THREADS}"
}
seqrl_native_env

#!/usr/bin/env bash
# Run the compiled kernels (src/realpolitik/_native/*.c) under AddressSanitizer + UBSan.
#
# Usage (from the repository root, with the venv set up):
#   bash scripts/asan_kernels.sh [fuzz-count]      # (default 100) build, run the kernel tests + the fuzz drivers
#                                                  # (count problems per kernel, 1000 x count decimal operations per kind), rebuild
#   KEEP_ASAN=1 bash scripts/asan_kernels.sh        # ... and leave the instrumented library in place
#   SKIP_TESTS=1 bash scripts/asan_kernels.sh 2000  # only the fuzz driver (2000 problems per kernel)
#
# It compiles every kernel source with the flags of realpolitik/_native/build.py plus
# -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all and the same
# source hash, so the loader accepts the library; runs Python with libasan preloaded (CPython itself is
# not instrumented, so leak detection is off); any memory error or undefined behaviour aborts the
# process with a report on stderr and this script fails. At the end the normal library is rebuilt
# (python -m realpolitik._native.build) unless KEEP_ASAN=1.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
COUNT=${1:-100}
NATIVE=src/realpolitik/_native

rebuild_normal() {
  if [ -z "${KEEP_ASAN:-}" ]; then
    "$PY" -m realpolitik._native.build >/dev/null && echo "asan_kernels: normal library rebuilt"
  fi
}
trap rebuild_normal EXIT

HASH=$("$PY" -c 'from realpolitik._native.build import source_hash; print(source_hash())')
FLAGS=$("$PY" -c 'from realpolitik._native.build import FLAGS; print(" ".join(FLAGS))')
CC=${CC:-gcc}
TMP=$(mktemp "$NATIVE/_rpkernels.asan.XXXXXX")
# shellcheck disable=SC2086  # FLAGS is a list of words
"$CC" $FLAGS -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all \
  "-DRP_SOURCE_HASH=\"$HASH\"" -I "$NATIVE" "$NATIVE"/*.c -o "$TMP" -lm
mv "$TMP" "$NATIVE/_rpkernels.so"
echo "asan_kernels: instrumented library built (source hash $HASH)"

LIBASAN=$("$CC" -print-file-name=libasan.so)
export LD_PRELOAD="$LIBASAN"
export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:halt_on_error=1:allocator_may_return_null=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
export REALPOLITIK_NATIVE=1  # fail loudly if the instrumented library is not the one in use
"$PY" -c 'from realpolitik._native import status; print("asan_kernels:", status())'

if [ -z "${SKIP_TESTS:-}" ]; then
  "$PY" -m pytest -q -p no:cacheprovider tests/models/test_smp_native.py tests/models/test_exchange_native.py \
    tests/models/test_exchange_exact_native.py tests/test_dec_native.py \
    tests/models/test_smp.py tests/models/test_exchange.py tests/models/test_exchange_checked.py
fi
"$PY" benchmarks/kernels_fuzz.py --count "$COUNT"
"$PY" benchmarks/dec_fuzz.py --count $((COUNT * 1000))
echo "asan_kernels: no memory error found"

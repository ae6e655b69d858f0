#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in build-fuzz/ (the normal build stays on g++) and runs
# each for the given number of seconds (default 600) on a copy of its seed corpus under
# fuzz/corpus/<target>; crashes are written to build-fuzz/crashes/.
#
#   scripts/fuzz.sh [seconds] [target...]     targets: envelope_fuzz soql_fuzz
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
seconds="${1:-600}"
shift || true
targets=("$@")
((${#targets[@]})) || targets=(envelope_fuzz soql_fuzz)

if ! command -v clang++ >/dev/null 2>&1 ||
   ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
  sudo=()
  [[ "$(id -u)" -ne 0 ]] && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends clang libclang-rt-dev
fi

flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -g"
cmake -S . -B build-fuzz -DOMNI_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_CXX_FLAGS="$flags" \
  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
cmake --build build-fuzz -j2 --target "${targets[@]}"

mkdir -p build-fuzz/crashes
status=0
for t in "${targets[@]}"; do
  corpus="build-fuzz/corpus/${t%_fuzz}"
  mkdir -p "$corpus"
  cp -n fuzz/corpus/"${t%_fuzz}"/* "$corpus"/ 2>/dev/null || true
  echo "fuzz: $t for ${seconds}s"
  if ! ASAN_OPTIONS=detect_leaks=0 "build-fuzz/fuzz/$t" -max_total_time="$seconds" \
       -max_len=65536 -rss_limit_mb=4096 -timeout=10 -artifact_prefix=build-fuzz/crashes/ \
       "$corpus"; then
    echo "fuzz: $t found a crash (see build-fuzz/crashes/)" >&2
    status=1
  fi
done
exit "$status"

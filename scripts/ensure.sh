#!/usr/bin/env bash
# Installs whatever is missing, and nothing else: system packages (libtorch-dev, OpenBLAS for it, a C++ toolchain,
# redis-server for the queue tests;
# python3-torch with --bench or on CI), npm dependencies, and the native addon. Fast when nothing is missing.
#   --bench          also the benchmark peers (Debian python3-torch; CI=true installs it too: the ONNX tests
#                    export their fixtures from PyTorch)
#   --force-native   rebuild the addon even if it is up to date
set -euo pipefail
cd "$(dirname "$0")/.."
bench=0
force=0
for a in "$@"; do
  case "$a" in
    --bench) bench=1 ;;
    --force-native) force=1 ;;
    *) echo "ensure.sh: unknown flag $a" >&2; exit 2 ;;
  esac
done

say() { [ -n "${CWRF_QUIET_SETUP:-}" ] || echo "cwrf setup: $*" >&2; }

# 1. system packages
pkgs=()
torch_json="$(node scripts/find-libtorch.mjs --json 2>/dev/null || echo null)"
[ "$torch_json" != null ] || pkgs+=(libtorch-dev)
command -v g++ >/dev/null 2>&1 || pkgs+=(g++)
command -v make >/dev/null 2>&1 || pkgs+=(make)
command -v python3 >/dev/null 2>&1 || pkgs+=(python3)
command -v redis-server >/dev/null 2>&1 || pkgs+=(redis-server)
# Debian's libtorch calls libblas.so.3, which is the reference BLAS (about 6 GFLOP/s) unless an optimised one is
# installed: OpenBLAS (pthread build; cwrf runs it on one thread, see BLAS in the README).
if command -v dpkg >/dev/null 2>&1 && { [ "$torch_json" = null ] || echo "$torch_json" | grep -q '"source":"system'; } \
  && ! dpkg -s libopenblas0-pthread >/dev/null 2>&1; then pkgs+=(libopenblas0-pthread); fi
if { [ "$bench" = 1 ] || [ -n "${CI:-}" ]; } && ! /usr/bin/python3 -c 'import torch' >/dev/null 2>&1; then pkgs+=(python3-torch); fi
if [ "${#pkgs[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo="sudo"
  else
    echo "cwrf setup: missing ${pkgs[*]}; install them (e.g. apt-get install ${pkgs[*]}) or set LIBTORCH to a libtorch directory" >&2
    exit 1
  fi
  say "installing ${pkgs[*]} with apt-get"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${pkgs[@]}" >/dev/null
  torch_json="$(node scripts/find-libtorch.mjs --json)"
fi

# 2. npm dependencies (when node_modules is missing or older than the lockfile)
# (a linked node_modules, e.g. a git worktree sharing another checkout's, is left alone: npm ci would empty its target)
if [ ! -L node_modules ] && { [ ! -d node_modules ] || [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; }; then
  say "installing npm dependencies"
  # onnxruntime-node (dev): its CPU binary ships in the package; its install script would download CUDA files
  ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error >&2
fi

# 3. native addon (rebuilt when its sources, the libtorch found or Node's ABI change)
stamp="native/build/cwrf.stamp"
want="$(cat native/src/*.cc native/binding.gyp scripts/find-libtorch.mjs | sha256sum | cut -c1-16)-$(echo "$torch_json" | sha256sum | cut -c1-16)-$(node -p process.versions.modules)"
if [ "$force" = 1 ] || [ ! -f native/build/Release/cwrf_native.node ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "building the native addon against $(node scripts/find-libtorch.mjs --describe)"
  # Node's headers from this machine (no download); none: scripts/node-headers.mjs says what is missing, in one line
  nodedir="$(node scripts/node-headers.mjs)" || nodedir=""
  npx --no-install node-gyp rebuild --directory native -j "$(nproc)" ${nodedir:+"$nodedir"} >native/build.log 2>&1 || { tail -40 native/build.log >&2; echo "cwrf setup: native build failed (full log: native/build.log)" >&2; exit 1; }
  echo "$want" >"$stamp"
fi

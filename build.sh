#!/usr/bin/env bash
# Bootstrap for the C# build in build/_build.csproj (NUKE-style).
#
#   ./build.sh [targets] [--options]     arguments go to the build unchanged
#
# Fast path: when none of the build's inputs changed since the last successful
# compile (fingerprint of paths, sizes and mtimes in .nuke/temp/build.fingerprint)
# and build/bin/_build.dll exists, the compiled build is started at once:
# no MSBuild, no `dotnet --version`.
# Slow path: find or install the .NET SDK, compile the build quietly, record the
# fingerprint, then start the compiled build.
set -euo pipefail

SCRIPT_PATH="${BASH_SOURCE[0]}"
if [[ $SCRIPT_PATH == */* ]]; then SCRIPT_DIR="${SCRIPT_PATH%/*}"; else SCRIPT_DIR=.; fi
ROOT="$(cd -- "${SCRIPT_DIR:-/}" && pwd)"
TEMP_DIR="$ROOT/.nuke/temp"
FINGERPRINT_FILE="$TEMP_DIR/build.fingerprint"
BUILD_PROJECT="$ROOT/build/_build.csproj"
BUILD_DLL="$ROOT/build/bin/_build.dll"
LOCAL_DOTNET_DIR="$TEMP_DIR/dotnet"
INSTALL_SCRIPT_URL="https://dot.net/v1/dotnet-install.sh"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DOTNET_CLI_UI_LANGUAGE=en

# Prints one line per build input: "path size mtime", in a stable order.
# Inputs: *.cs *.csproj *.props *.targets *.json under build/ and src/MeshHook.*/
# (bin/ and obj/ excluded), plus the root files MSBuild/the SDK read.
list_build_inputs() {
  local roots=() f d
  for f in Directory.Build.props Directory.Build.targets Directory.Packages.props global.json NuGet.config nuget.config; do
    if [[ -f $f ]]; then roots+=("$f"); fi
  done
  for d in build src/MeshHook.*/; do
    if [[ -d $d ]]; then roots+=("${d%/}"); fi
  done
  ((${#roots[@]})) || return 0
  local print=(-printf '%p %s %T@\n')
  # BSD find (macOS) has no -printf; its stat prints the same three fields.
  if [[ $OSTYPE == darwin* || $OSTYPE == freebsd* ]]; then print=(-exec stat -f '%N %z %Fm' {} +); fi
  find "${roots[@]}" \
    -type d \( -name bin -o -name obj \) -prune -o \
    -type f \( -name '*.cs' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' \
      -o -name '*.json' -o -iname 'nuget.config' \) \
    "${print[@]}" | LC_ALL=C sort
}

compute_fingerprint() {
  (cd -- "$ROOT" && list_build_inputs | cksum)
}

# The fingerprint file holds two lines: the fingerprint, and the dotnet that
# compiled the build ("dotnet" = the one on PATH, else an absolute path).
# Starts the compiled build (never returns) when it is up to date; else returns.
run_if_up_to_date() {
  local saved_fingerprint="" saved_dotnet=""
  [[ -f $BUILD_DLL && -f $FINGERPRINT_FILE ]] || return 0
  { IFS= read -r saved_fingerprint && IFS= read -r saved_dotnet; } < "$FINGERPRINT_FILE" || return 0
  [[ -n $saved_dotnet && $saved_fingerprint == "$FINGERPRINT" ]] || return 0
  if [[ $saved_dotnet == dotnet ]] && command -v dotnet > /dev/null 2>&1; then
    exec dotnet "$BUILD_DLL" "$@" 9>&-
  elif [[ $saved_dotnet == /* && -x $saved_dotnet ]]; then
    export DOTNET_ROOT="${saved_dotnet%/*}"
    export PATH="$DOTNET_ROOT:$PATH"
    exec "$saved_dotnet" "$BUILD_DLL" "$@" 9>&-
  fi
}

FINGERPRINT="$(compute_fingerprint)"
run_if_up_to_date "$@"

# --- slow path ---------------------------------------------------------------------
mkdir -p "$TEMP_DIR"
# Bootstraps started at the same time (parallel test runs, CI matrix on one
# machine) take turns: the second one finds the build compiled and takes the
# fast path. Descriptor 9 is closed for everything started below.
if command -v flock > /dev/null 2>&1; then
  exec 9> "$TEMP_DIR/build.lock"
  flock -w 900 9 || true
  run_if_up_to_date "$@"
fi

fail() {
  echo "error: $*" >&2
  exit 1
}

sdk_missing() {
  fail "the .NET SDK was not found and could not be downloaded ($1). Install the .NET SDK named in global.json (https://dotnet.microsoft.com/download) and run again."
}

# --- choose dotnet -------------------------------------------------------------
# `dotnet --version` runs in the root so that it honours global.json.
if command -v dotnet > /dev/null 2>&1 && (cd -- "$ROOT" && dotnet --version > /dev/null 2>&1) 9>&-; then
  DOTNET=dotnet
elif [[ -x $LOCAL_DOTNET_DIR/dotnet ]]; then
  DOTNET="$LOCAL_DOTNET_DIR/dotnet"
else
  INSTALL_SCRIPT="$TEMP_DIR/dotnet-install.sh"
  echo "The .NET SDK was not found; installing it into $LOCAL_DOTNET_DIR ..." >&2
  # Short timeouts: offline, this fails at once instead of hanging.
  if command -v curl > /dev/null 2>&1; then
    if ! DOWNLOAD_ERROR="$(curl -fsSL --connect-timeout 5 --max-time 60 --retry 0 -o "$INSTALL_SCRIPT" "$INSTALL_SCRIPT_URL" 2>&1 9>&-)"; then
      rm -f "$INSTALL_SCRIPT"
      sdk_missing "downloading $INSTALL_SCRIPT_URL failed: ${DOWNLOAD_ERROR:-curl failed}"
    fi
  elif command -v wget > /dev/null 2>&1; then
    if ! DOWNLOAD_ERROR="$(wget -q --timeout=5 --tries=1 -O "$INSTALL_SCRIPT" "$INSTALL_SCRIPT_URL" 2>&1 9>&-)"; then
      rm -f "$INSTALL_SCRIPT"
      sdk_missing "downloading $INSTALL_SCRIPT_URL failed: ${DOWNLOAD_ERROR:-wget failed}"
    fi
  else
    sdk_missing "neither curl nor wget is available"
  fi
  if [[ -f $ROOT/global.json ]]; then
    INSTALL_ARGS=(--jsonfile "$ROOT/global.json")
  else
    INSTALL_ARGS=(--channel STS)
  fi
  bash "$INSTALL_SCRIPT" --install-dir "$LOCAL_DOTNET_DIR" --no-path "${INSTALL_ARGS[@]}" >&2 9>&- ||
    sdk_missing "dotnet-install.sh failed"
  [[ -x $LOCAL_DOTNET_DIR/dotnet ]] || sdk_missing "dotnet-install.sh did not produce $LOCAL_DOTNET_DIR/dotnet"
  DOTNET="$LOCAL_DOTNET_DIR/dotnet"
fi
if [[ $DOTNET != dotnet ]]; then
  export DOTNET_ROOT="$LOCAL_DOTNET_DIR"
  export PATH="$DOTNET_ROOT:$PATH"
fi

# --- compile the build -----------------------------------------------------------
# No node reuse / compiler server: nothing is left running after the bootstrap
# (and nothing keeps the lock on descriptor 9 after this script ends).
if ! BUILD_OUTPUT="$(cd -- "$ROOT" && "$DOTNET" build "$BUILD_PROJECT" -nologo -clp:NoSummary --verbosity quiet \
  /nodeReuse:false /p:UseSharedCompilation=false 2>&1 9>&-)"; then
  printf '%s\n' "$BUILD_OUTPUT" >&2
  fail "compiling $BUILD_PROJECT failed"
fi

# The fingerprint was taken before compiling, so edits made meanwhile are seen next time.
printf '%s\n%s\n' "$FINGERPRINT" "$DOTNET" > "$FINGERPRINT_FILE.$$"
mv -f "$FINGERPRINT_FILE.$$" "$FINGERPRINT_FILE"

exec "$DOTNET" "$BUILD_DLL" "$@" 9>&-

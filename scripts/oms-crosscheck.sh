#!/usr/bin/env bash
# Cross-checks `aisoc sign/verify` against sigstore/model-transparency's own CLI, both ways,
# for ECDSA P-256/P-384/P-521 keys. Not part of CI (the Python tool is not installed there):
#   MODEL_SIGNING="python -m model_signing" scripts/oms-crosscheck.sh
# The committed fixtures in test/fixtures/model-transparency/cross/ were made this way.
set -euo pipefail
: "${MODEL_SIGNING:?set MODEL_SIGNING to the model_signing command}"
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
aisoc() { npx --prefix "$here" tsx "$here/src/cli/main.ts" "$@"; }
mkdir -p "$work/model/a" "$work/model/sub"
echo '{"a":1}' > "$work/model/config.json"
echo x > "$work/model/a.txt"
echo y > "$work/model/a/b.txt"
head -c 65536 /dev/urandom > "$work/model/sub/weights.bin"
cd "$work"
for curve in prime256v1 secp384r1 secp521r1; do
  openssl ecparam -name "$curve" -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$curve.pem"
  openssl ec -in "$curve.pem" -pubout -out "$curve.pub" 2>/dev/null
  aisoc sign model --private-key "$curve.pem" --output "ours-$curve.sig"
  $MODEL_SIGNING verify key --signature "ours-$curve.sig" --public-key "$curve.pub" model
  $MODEL_SIGNING sign key --private-key "$curve.pem" --signature "theirs-$curve.sig" model
  aisoc verify model --signature "theirs-$curve.sig" --public-key "$curve.pub"
  echo tampered >> model/a.txt
  if $MODEL_SIGNING verify key --signature "ours-$curve.sig" --public-key "$curve.pub" model | grep -q succeeded; then
    echo "model_signing accepted a tampered model" >&2; exit 1
  fi
  if aisoc verify model --signature "theirs-$curve.sig" --public-key "$curve.pub"; then
    echo "aisoc accepted a tampered model" >&2; exit 1
  fi
  echo x > model/a.txt
done
echo "cross-check passed"

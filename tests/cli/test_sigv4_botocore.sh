#!/usr/bin/env bash
# Behaviour: lib/aws's Signature Version 4 agrees with botocore's on a few hundred varied
# requests -- Kinesis, DynamoDB and S3 calls of real botocore clients (which sign through
# python3-awscrt, AWS's C implementation, when it is installed) and random requests signed by
# botocore.auth's and the CRT's signer classes, in headers and presigned: paths with spaces,
# unicode, '~' and dot segments, queries with repeated names and empty values, headers with
# runs of spaces and tabs or given twice, binary bodies, session tokens. The verifier accepts
# each request as sent and refuses it once one byte of its signature, date, a signed header
# or a signed body changes; sign() and presign() give botocore's Authorization headers and
# query strings. The expected values all come from botocore (tests/tools/sigv4_botocore.py).
source "$(dirname "$0")/common.sh"

PYTHON=/usr/bin/python3  # Debian's, where python3-botocore installs
[[ -x $PYTHON ]] || fail "$PYTHON is not installed"
"$PYTHON" -c 'import botocore' 2>/dev/null || fail "python3-botocore is not installed (see packages.txt)"
[[ -x $MILLRACE_BIN/sigv4_check ]] || fail "$MILLRACE_BIN/sigv4_check not found (set MILLRACE_BIN)"

SEED=${SIGV4_SEED:-20261123}
note "seed $SEED (set SIGV4_SEED to replay another)"
"$PYTHON" "$MILLRACE_SRC/tests/tools/sigv4_botocore.py" --checker "$MILLRACE_BIN/sigv4_check" \
  --workdir "$TMP" --seed "$SEED" --count 300 >"$TMP/report" 2>"$TMP/disagreements" ||
  fail "lib/aws and botocore disagree: $(head -c 3000 "$TMP/disagreements")"
while IFS= read -r line; do note "$line"; done <"$TMP/report"
grep -q 'accepted as sent: 300/300' "$TMP/report" || fail "not every request was checked: $(cat "$TMP/report")"
note "ok"

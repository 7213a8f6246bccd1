#!/usr/bin/env bash
# Behaviour: the requests ks-put and ks-consume send to an endpoint are signed as botocore signs
# them. A proxy in front of gw-serve records every request as it arrives (PutRecords,
# CreateStream, DescribeStreamSummary, ListShards, GetShardIterator, GetRecords), and botocore's
# SigV4Auth signs the same method, URL, signed headers and body at the same X-Amz-Date: the
# Authorization headers must be equal. Three sources of credentials, as the aws CLI reads them:
# the environment with a session token (X-Amz-Security-Token sent and signed), a profile named
# by AWS_PROFILE in AWS_SHARED_CREDENTIALS_FILE, and the region from AWS_CONFIG_FILE's profile.
# gw-serve with --credentials verifies the same signatures, and refuses a wrong key (exit 69).
source "$(dirname "$0")/common.sh"
PYTHON=/usr/bin/python3
"$PYTHON" -c 'import botocore' 2>/dev/null || fail "python3-botocore is not installed (see packages.txt)"
cd "$TMP"

cat >credentials <<'INI'
[default]
aws_access_key_id = AKIDDEFAULTWRONG
aws_secret_access_key = not-this-one
[ci]
aws_access_key_id = AKIDMILLRACEPROFILE
aws_secret_access_key = profile/secret+key
INI
cat >config <<'INI'
[default]
region = us-east-1
[profile ci]
region = eu-west-3
INI
cat >verifier <<'INI'
[a]
aws_access_key_id = AKIDMILLRACETEST
aws_secret_access_key = millrace-test-secret
aws_session_token = session/token+of+the=test
[b]
aws_access_key_id = AKIDMILLRACEPROFILE
aws_secret_access_key = profile/secret+key
INI
start_gateway --credentials verifier
start_fault_proxy "$GW_URL" --capture capture.jsonl
printf '{"k":"a","n":1}\n{"k":"b","n":2}\n' >input.jsonl

# 1. The environment's keys and session token.
export AWS_SESSION_TOKEN='session/token+of+the=test'
expect_status 0 "ks-put, keys from the environment" "$MILLRACE_BIN/ks-put" -S "$PROXY_URL" -s signed --create -k k input.jsonl
expect_status 0 "ks-consume, keys from the environment" "$MILLRACE_BIN/ks-consume" -S "$PROXY_URL" -s signed
same_sorted input.jsonl "$TMP/out" "records through a verifying gw-serve (two keys: each its own order)"
mv capture.jsonl env.jsonl

# 2. A profile of the credentials file, and its region from the config file.
expect_status 0 "ks-put, keys of a profile" env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN \
  -u AWS_REGION -u AWS_DEFAULT_REGION AWS_SHARED_CREDENTIALS_FILE=credentials AWS_CONFIG_FILE=config AWS_PROFILE=ci \
  "$MILLRACE_BIN/ks-put" -S "$PROXY_URL" -s signed -k k input.jsonl
mv capture.jsonl profile.jsonl

# 3. A key gw-serve does not know is refused: exit 69, AWS's words.
expect_status 69 "an unknown key" env -u AWS_SESSION_TOKEN AWS_ACCESS_KEY_ID=AKIDUNKNOWN AWS_SECRET_ACCESS_KEY=x \
  "$MILLRACE_BIN/ks-put" -S "$GW_URL" -s signed -k k input.jsonl
expect_stderr_match "^ks-put: $GW_URL: ListShards: UnrecognizedClientException" "the refusal names the operation"

# 4. A wrong secret: InvalidSignatureException, whose message (the canonical request gw-serve
# computed, as AWS tells it) would show the session token's header; neither it nor a secret is
# printed.
expect_status 69 "a wrong secret" env AWS_SECRET_ACCESS_KEY=wrong-secret-never-shown \
  "$MILLRACE_BIN/ks-put" -S "$GW_URL" -s signed -k k -v input.jsonl
expect_stderr_match "^ks-put: $GW_URL: ListShards: InvalidSignatureException: The request signature we calculated" \
  "a wrong secret is refused as AWS refuses it"
expect_stderr_match "x-amz-security-token:\(session token\)" "the canonical request is told without the token"
if grep -Fq -e "$AWS_SESSION_TOKEN" -e wrong-secret-never-shown -e millrace-test-secret "$TMP/err"; then
  fail "a secret in the diagnostics: $(cat "$TMP/err")"
fi

cat >compare.py <<'PY'
import base64, datetime, json, sys, types
from unittest import mock

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

path, key, secret, token, region = sys.argv[1:6]
token = token or None
checked, operations = 0, set()
for line in open(path):
    captured = json.loads(line)
    headers = {name.lower(): value for name, value in captured["headers"]}
    ours = headers["authorization"]
    signed = ours.split("SignedHeaders=")[1].split(",")[0].split(";")
    moment = datetime.datetime.strptime(headers["x-amz-date"], "%Y%m%dT%H%M%SZ")

    class Fixed(datetime.datetime):
        @classmethod
        def utcnow(cls):
            return moment

    request = AWSRequest(method=captured["method"], url="http://" + headers["host"] + captured["path"],
                         data=base64.b64decode(captured["body"]),
                         headers={n: headers[n] for n in signed if n not in ("x-amz-date", "x-amz-security-token")})
    with mock.patch.object(botocore.auth, "datetime", types.SimpleNamespace(datetime=Fixed, timezone=datetime.timezone)):
        botocore.auth.SigV4Auth(Credentials(key, secret, token), "kinesis", region).add_auth(request)
    theirs = request.headers["Authorization"]
    if theirs != ours:
        sys.exit(f"{headers.get('x-amz-target')}: ours {ours}\n  botocore's {theirs}")
    if token and headers.get("x-amz-security-token") != token:
        sys.exit("the session token was not sent")
    checked += 1
    operations.add(headers["x-amz-target"].split(".")[1])
print(checked, " ".join(sorted(operations)))
PY
read -r n ops < <("$PYTHON" compare.py env.jsonl AKIDMILLRACETEST millrace-test-secret 'session/token+of+the=test' us-east-1) ||
  fail "signatures differ from botocore's (environment's keys)"
for op in CreateStream DescribeStreamSummary PutRecords ListShards GetShardIterator GetRecords; do
  [[ " $ops " == *" $op "* ]] || fail "no $op was checked: $ops"
done
note "$n requests signed as botocore signs them: $ops"
read -r n ops < <("$PYTHON" compare.py profile.jsonl AKIDMILLRACEPROFILE 'profile/secret+key' '' eu-west-3) ||
  fail "signatures differ from botocore's (a profile's keys, the config's region)"
grep -q 'Credential=AKIDMILLRACEPROFILE/[0-9]*/eu-west-3/kinesis/aws4_request' profile.jsonl ||
  fail "the profile's key and region were not used"
note "$n requests with a profile's keys and region"
note ok

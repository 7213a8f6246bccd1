#!/usr/bin/env bash
# Behaviour: the stream-processing reference architecture runs on millrace with its functions
# unchanged. scripts/reference-architecture's handlers (Node.js with the SDK's document client,
# Python with Debian's boto3), fed by `ks-consume --handler` over 4 shards with 4 runtimes and
# batches of 100, PutItem every record through gw-serve into a table keyed Name + StatusTime;
# the table, read back with kv-get, holds the input's items, a key written more than once
# holding its last record (a stream keyed by Name keeps each key's records in order). Each
# group's checkpoint ends at the end of every shard, and a rerun of the group invokes nothing.
# Then scripts/reference-architecture.sh itself runs on a small stream.
# shellcheck disable=SC2016 # jq programs, in single quotes on purpose
source "$(dirname "$0")/common.sh"
need_tool node
[[ -x $MILLRACE_BIN/gw-serve && -x $MILLRACE_BIN/kv-put && -x $MILLRACE_BIN/kv-get && -x $MILLRACE_BIN/wildrydes ]] ||
  fail "gw-serve, kv-put, kv-get or wildrydes not built in $MILLRACE_BIN"
node_modules=$MILLRACE_SRC/tests/clients/node_modules
[[ -d $node_modules/@aws-sdk/lib-dynamodb ]] || fail "the JavaScript SDK is not installed: npm ci --prefix tests/clients"
/usr/bin/python3 -c 'import boto3' 2>/dev/null || fail "python3-boto3 is not installed"
functions=$MILLRACE_SRC/scripts/reference-architecture
cd "$TMP"

# The functions run with Debian's Python (boto3 1.26): a python3 of its own first on the PATH.
mkdir debian-python
ln -s /usr/bin/python3 debian-python/python3

# 1800 Wild Rydes reports, then rewrites of 215 of them, interleaved 50 lines later: after
# every 9th line a rewrite of the line 50 before it, and after every 90th a second one.
"$MILLRACE_BIN/wildrydes" --records 1800 --rate max --seed 7 >rides.jsonl
jq -c -n '[inputs] as $l | range(0; $l | length) as $i | $l[$i],
  (if $i % 9 == 8 and $i >= 50 then $l[$i - 50] | .HealthPoints = -$i | .Revision = 2 else empty end),
  (if $i % 90 == 89 then $l[$i - 50] | .HealthPoints = -$i - 1 | .Revision = 3 else empty end)' \
  rides.jsonl >input.jsonl
lines=$(count_lines input.jsonl)
assert_eq 2015 "$lines" "the input's lines"
# The table's items: one per key, the last line of it (jq's numbers on both sides, keys sorted).
jq -c -n 'reduce inputs as $r ({}; .[[$r.Name, $r.StatusTime] | tojson] = $r) | .[]' input.jsonl |
  jq -S -c . | sort >want.jsonl
assert_eq 1800 "$(count_lines want.jsonl)" "the distinct keys of the input"
assert_eq 20 "$(grep -c '"Revision":3' want.jsonl)" "the keys written three times"

start_gateway --sync none
shard create rides --shards 4
put -s rides -k Name input.jsonl

# run_function RUNTIME GROUP TABLE: the reference function of RUNTIME on the stream, for GROUP,
# into TABLE (made empty beforehand if new); its stderr in RUNTIME.GROUP.err.
run_function() {
  local runtime=$1 group=$2 table=$3 handler code extra=() path=$PATH
  case $runtime in
    nodejs) handler=index.handler code=$functions/fn-node extra=(--env "NODE_PATH=$node_modules") ;;
    python) handler=app.handler code=$functions/fn-python path=$TMP/debian-python:$PATH ;;
  esac
  kvput -t "$table" -k Name --sort-key StatusTime --create --key-type string --sort-key-type string </dev/null ||
    fail "the table $table could not be made"
  PATH=$path consume -s rides -g "$group" --handler "$handler" --runtime "$runtime" --code "$code" \
    --env "TABLE_NAME=$table" "${extra[@]}" --endpoint "$GW_URL" --batch-size 100 --parallel 4 -v \
    >"$runtime.$group.out" 2>"$runtime.$group.err" ||
    fail "$runtime: ks-consume --handler failed: $(head -c 1500 "$runtime.$group.err")"
}

# checkpoints GROUP: one "ShardId<TAB>Checkpoint" line per shard.
checkpoints() {
  describe_json rides | jq -r --arg g "$1" '.Groups[] | select(.GroupName == $g) | .Shards[] | [.ShardId, .Checkpoint] | @tsv'
}

# The shards' last sequence numbers: where a group that handled everything stands.
describe_json rides | jq -r '.Shards[] | [.ShardId, .LastSequenceNumber] | @tsv' >ends.tsv
assert_eq "$lines" "$(describe_json rides | jq '[.Shards[].Records] | add')" "the records in the stream"

for runtime in nodejs python; do
  table=Unicorns-$runtime
  run_function "$runtime" "$runtime" "$table"
  [[ ! -s $runtime.$runtime.out ]] || fail "$runtime: output from a function that returns nothing: $(head -c 300 "$runtime.$runtime.out")"
  kvget -t "$table" --scan | jq -S -c . | sort >"$runtime.got"
  same_file want.jsonl "$runtime.got" "$runtime: the table's items"

  checkpoints "$runtime" >"$runtime.checkpoints"
  same_file ends.tsv "$runtime.checkpoints" "$runtime: the group's checkpoints"

  # A rerun finds nothing to do: the function, now writing to an empty table, is never invoked.
  run_function "$runtime" "$runtime" "$table-rerun"
  assert_eq "" "$(kvget -t "$table-rerun" --scan)" "$runtime: items written by a rerun"
  grep -q "rides: 0 records" "$runtime.$runtime.err" ||
    fail "$runtime: the rerun handled records: $(head -c 300 "$runtime.$runtime.err")"
  checkpoints "$runtime" >"$runtime.checkpoints"
  same_file ends.tsv "$runtime.checkpoints" "$runtime: the group's checkpoints after a rerun"
done

# The script, as a user runs it: the Node.js function on 200 reports, on a store of its own.
RECORDS=200 RUNTIMES=nodejs REFARCH_STORE=$TMP/script-store MILLRACE_BIN=$MILLRACE_BIN \
  "$MILLRACE_SRC/scripts/reference-architecture.sh" >script.out 2>script.err ||
  fail "scripts/reference-architecture.sh failed: $(tail -c 1500 script.err)"
"$MILLRACE_BIN/wildrydes" --records 200 --rate max --seed 1 |
  jq -c -n 'reduce inputs as $r ({}; .[[$r.Name, $r.StatusTime] | tojson] = $r) | .[]' | jq -S -c . | sort >script.want
"$MILLRACE_BIN/kv-get" -S "$TMP/script-store" -t UnicornSensorData --scan | jq -S -c . | sort >script.got
same_file script.want script.got "the script's table"

# Without keys of the user's (none in the environment, no credentials file, no profile; HOME is
# an empty directory of the test's), the
# functions that `ks-consume --endpoint` points at gw-serve get placeholder keys, as Lambda gives
# its functions their role's: both SDKs sign with them and write (an SDK without keys refuses
# to send a request at all).
shard create few --shards 1
head -n 30 input.jsonl | put -s few -k Name
jq -c -n 'reduce inputs as $r ({}; .[[$r.Name, $r.StatusTime] | tojson] = $r) | .[]' <(head -n 30 input.jsonl) |
  jq -S -c . | sort >few.want
for runtime in nodejs python; do
  case $runtime in
    nodejs) handler=index.handler code=$functions/fn-node extra=(--env "NODE_PATH=$node_modules") path=$PATH ;;
    python) handler=app.handler code=$functions/fn-python extra=() path=$TMP/debian-python:$PATH ;;
  esac
  table=Keyless-$runtime
  kvput -t "$table" -k Name --sort-key StatusTime --create --key-type string --sort-key-type string </dev/null ||
    fail "the table $table could not be made"
  (unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_PROFILE
    AWS_SHARED_CREDENTIALS_FILE=$TMP/none AWS_CONFIG_FILE=$TMP/none PATH=$path \
      consume -s few -g "keyless-$runtime" --handler "$handler" --runtime "$runtime" --code "$code" \
      --env "TABLE_NAME=$table" "${extra[@]}" --endpoint "$GW_URL" --retries 0 \
      >"keyless.$runtime.out" 2>"keyless.$runtime.err") ||
    fail "$runtime: ks-consume --handler without keys failed: $(head -c 1500 "keyless.$runtime.err")"
  kvget -t "$table" --scan | jq -S -c . | sort >"keyless.$runtime.got"
  same_file few.want "keyless.$runtime.got" "$runtime: the table written by a function given no keys"
done

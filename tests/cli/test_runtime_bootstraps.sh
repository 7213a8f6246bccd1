#!/usr/bin/env bash
# Behaviour: share/runtime's bootstraps run Lambda handlers over the Lambda Runtime API as AWS's
# Node.js and Python runtimes do. Each runs against tests/tools/runtime_api_stub.py, a strict
# server independent of millrace's, which checks every request they make (any violation fails
# the test) and reports what they answered. Handlers (tests/cli/handlers, copied, and broken ones
# made here) answer with a transformation of their event, worked out here with jq: CommonJS,
# ES modules, async, callback, thrown and rejected errors, results that cannot be sent, the
# context and the trace id, modules that cannot load (/init/error, then a non-zero exit).
# shellcheck disable=SC2016 # jq programs and JavaScript, in single quotes on purpose
source "$(dirname "$0")/common.sh"
need_tool node

PY=/usr/bin/python3
STUB=$MILLRACE_SRC/tests/tools/runtime_api_stub.py
BOOT_NODE=$MILLRACE_SRC/share/runtime/nodejs/bootstrap.mjs
export BOOT_PY=$MILLRACE_SRC/share/runtime/python/bootstrap.py
CODE=$TMP/code
# The runtimes run with the environment millrace gives them: no Python made unbuffered from outside.
unset PYTHONUNBUFFERED
cp -r "$MILLRACE_SRC/tests/cli/handlers" "$CODE"

# events NAME JSON...: the script of run NAME, one event spec a line.
events() {
  local name=$1
  shift
  printf '%s\n' "$@" >"$TMP/$name.events"
}

# run NAME RUNTIME HANDLER [STUB-OPTION...]: the bootstrap of RUNTIME (nodejs, python), _HANDLER
# HANDLER, code dir $CODE/RUNTIME, on the events of NAME under the stub: the report in
# $TMP/NAME.json, the runtime's stdout in $TMP/NAME.out, its stderr (and the stub's) in
# $TMP/NAME.err. Fails when the runtime broke the API.
run() {
  local name=$1 runtime=$2 handler=$3 boot
  shift 3
  if [[ $runtime == nodejs ]]; then boot=(node "$BOOT_NODE"); else boot=("$PY" "$BOOT_PY"); fi
  [[ -f $TMP/$name.events ]] || : >"$TMP/$name.events"
  "$PY" "$STUB" --report "$TMP/$name.json" --events "$TMP/$name.events" --handler "$handler" \
    --code "$CODE/$runtime" --function-name "fn-$name" --memory 256 --max-seconds 60 "$@" -- "${boot[@]}" \
    >"$TMP/$name.out" 2>"$TMP/$name.err" ||
    fail "$name: $runtime $handler: $(grep -m 5 violation "$TMP/$name.err" || tail -n 5 "$TMP/$name.err")"
}

# check NAME JQ DESCRIPTION: JQ, on the report of NAME, is true.
check() {
  jq -e "$2" "$TMP/$1.json" >/dev/null ||
    fail "$1: $3; report: $(jq -c 'del(.invocations[].event)' "$TMP/$1.json" | head -c 1500); stderr: $(head -c 600 "$TMP/$1.err")"
}

# answered NAME: every event was answered and the runtime then waited for another.
answered() {
  check "$1" '.drained and .exit_status == null and ([.invocations[] | .outcome != null] | all)' \
    "every event answered, then the runtime still waiting"
}

# expect_responses NAME JQ: each event answered, in order, with JQ applied to the event.
expect_responses() {
  answered "$1"
  jq -c ".event | $2" "$TMP/$1.events" >"$TMP/$1.want"
  jq -c '.invocations[] | if .outcome == "response" then .body else {outcome, body} end' "$TMP/$1.json" >"$TMP/$1.got"
  same_file "$TMP/$1.want" "$TMP/$1.got" "$1: the responses"
}

# expect_errors NAME JQ: each event answered by an error, in order: JQ applied to the event gives
# its [errorType, errorMessage].
expect_errors() {
  answered "$1"
  jq -c ".event | $2" "$TMP/$1.events" >"$TMP/$1.want"
  jq -c '.invocations[] | if .outcome == "error" then [.body.errorType, .body.errorMessage] else {outcome, body} end' \
    "$TMP/$1.json" >"$TMP/$1.got"
  same_file "$TMP/$1.want" "$TMP/$1.got" "$1: the errors"
}

# expect_init_error NAME TYPE JQ-ON-MESSAGE: the runtime posted /init/error of TYPE, whose message
# passes the test, asked for no event and exited with a non-zero status.
expect_init_error() {
  check "$1" ".init_error.body.errorType == \"$2\" and .init_error.error_type == \"$2\"" "an /init/error of type $2"
  check "$1" ".init_error.body.errorMessage | $3" "the init error's message ($3)"
  check "$1" '.invocations == [] and .drained == false' "no event asked for after a failed init"
  check "$1" '.exit_status != null and .exit_status != 0' "a non-zero exit after a failed init"
}

# ---- Node.js --------------------------------------------------------------------------------

# CommonJS, async; `next` held 1.5 s (no client timeout); one connection for the whole run.
events cjs '{"event":{"n":3,"word":"abc"}}' '{"event":{"n":-7,"word":"Kinesis"},"hold_ms":1500}' \
  '{"event":{"n":1.5,"word":""}}'
run cjs nodejs async_cjs.handler
expect_responses cjs '{kind: "async-cjs", doubled: (.n * 2), word: (.word | ascii_upcase)}'
check cjs '.connections == 1' "one kept-alive connection for every request"

events esm '{"event":{"values":[1,2,3]}}' '{"event":{"values":[]}}' '{"event":{"values":[-4,10.25]}}'
run esm nodejs esm.handler
expect_responses esm '{kind: "esm", sum: (.values | add // 0)}'

# Callbacks; a word with characters outside the BMP (bodies counted in bytes, not characters).
events callback '{"event":{"word":"café ☕ 𝄞"}}' '{"event":{"word":"abc","fail":"error"}}' \
  '{"event":{"word":"xyz","fail":"string"}}' '{"event":{"word":"ok"}}'
run callback nodejs callback.handler
check callback '[.invocations[] | .outcome] == ["response", "error", "error", "response"]' "the outcomes of callback(err, result)"
check callback '.invocations[0].body == {kind: "callback", reversed: (.invocations[0].event.word | explode | reverse | implode)}' \
  "callback(null, result) with non-ASCII characters"
check callback '.invocations[1].body | .errorType == "RangeError" and .errorMessage == "no abc" and (.stackTrace | length > 1)' \
  "callback(new RangeError(...))"
check callback '.invocations[2].body == {errorType: "string", errorMessage: "plain xyz", stackTrace: []}' \
  "callback('a string'), typed by typeof as Lambda does"

# callbackWaitsForEmptyEventLoop: the result goes out once the handler's timer has run, unless not.
events waits '{"event":{"n":1,"wait":true}}' '{"event":{"n":2,"wait":false}}' '{"event":{"n":3,"wait":true}}'
run waits nodejs callback.waits
expect_responses waits '{n, late: .wait}'

events legacy '{"event":{"how":"succeed","n":1}}' '{"event":{"how":"done","n":2}}' '{"event":{"how":"fail","n":3}}'
run legacy nodejs callback.legacy
check legacy '[.invocations[] | .body | if .errorType then [.errorType, .errorMessage] else . end] ==
  [{how: "succeed", n: 1}, {how: "done", n: 2}, ["Error", "failed 3"]]' "context.succeed, context.done, context.fail"

# Thrown and rejected errors; the runtime goes on with the next event.
events throws '{"event":{"n":5}}' '{"event":{"n":6}}'
run throws nodejs throws.handler
expect_errors throws '["TypeError", "bad n \(.n)"]'
check throws '[.invocations[].body.stackTrace | any(test("/throws\\.js:"))] | all' "the stack traces lead to the handler's file"
cp "$TMP/throws.events" "$TMP/throws_sync.events"
run throws_sync nodejs throws.sync
expect_errors throws_sync '["RangeError", "out of range \(.n)"]'

events rejects '{"event":{"n":4}}' '{"event":{"n":8}}'
run rejects nodejs rejects.handler
expect_errors rejects '["Error", "rejected \(.n)"]'

# A rejection nobody handles fails its invocation and ends the runtime (status 128, as Lambda's).
events unhandled '{"event":{"n":1}}' '{"event":{"n":2}}'
run unhandled nodejs rejects.unhandled
check unhandled '.invocations | length == 1 and .[0].outcome == "error" and .[0].body.errorType == "Runtime.UnhandledPromiseRejection"
  and .[0].body.errorMessage == "Error: lost 1"' "an unhandled rejection fails the invocation"
check unhandled '.exit_status == 128' "the runtime exits with 128 after an unhandled rejection"

# Nothing answered: null, from an async handler and from a plain one that never calls back.
events undef '{"event":{"n":1}}' '{"event":{"n":2}}'
run undef nodejs undefined.handler
expect_responses undef 'null'
cp "$TMP/undef.events" "$TMP/undef_sync.events"
run undef_sync nodejs undefined.sync
expect_responses undef_sync 'null'

# The context, per invocation: the deadline's remaining time, the ids, the trace id (none sent:
# none in the environment).
events context '{"event":{},"timeout_ms":5000}' '{"event":{},"timeout_ms":900000,"trace":false}' '{"event":{}}'
run context nodejs context.handler
answered context
check context '[.invocations[] | .body.remaining as $r | ($r <= .deadline_ms - .sent_ms + 1) and ($r >= .deadline_ms - .answered_ms)] | all' \
  "getRemainingTimeInMillis() counts down to Lambda-Runtime-Deadline-Ms"
check context '[.invocations[] | .body.awsRequestId == .id and .body.invokedFunctionArn == .arn and .body.trace == .trace_id] | all' \
  "awsRequestId, invokedFunctionArn and _X_AMZN_TRACE_ID are the invocation's"
check context '.invocations[1].body.trace == null and .invocations[2].body.trace != null' "_X_AMZN_TRACE_ID follows each invocation"
check context '[.invocations[].body | .functionName == "fn-context" and .functionVersion == "$LATEST" and .memoryLimitInMB == "256"
  and .logGroupName == "/aws/lambda/fn-context" and (.logStreamName | length > 0)] | all' "the function's configuration in the context"

# Results that cannot be sent are errors, and the runtime goes on; handler logs reach the pipes.
events results '{"event":{"n":1,"mode":"bigint"}}' '{"event":{"n":2,"mode":"circular"}}' \
  '{"event":{"n":3,"mode":"huge","size":7000000}}' '{"event":{"n":4}}'
run results nodejs results.handler
answered results
check results '[.invocations[0,1].body | .errorType == "Error" and (.errorMessage | startswith("Unable to stringify response body: "))] | all' \
  "a BigInt or a cycle in the result is an error"
check results '.invocations[2] | .refused == [{status: 413, size: 7000002}] and .outcome == "too_large"' \
  "a response above 6 MB is sent once (413 ends the invocation)"
check results '.invocations[3].body == {ok: 4}' "the invocation after the failed ones"
for n in 1 2 3 4; do
  grep -qx "stdout $n" "$TMP/results.out" || fail "results: the handler's console.log line $n is not on stdout"
  grep -qx "stderr $n" "$TMP/results.err" || fail "results: the handler's console.error line $n is not on stderr"
done
events crash '{"event":{"n":1}}' '{"event":{"n":2,"mode":"crash"}}' '{"event":{"n":3}}'
run crash nodejs results.handler
check crash '.exit_status == -9 and [.invocations[] | .outcome] == ["response", null]' "a runtime killed during its second event"
grep -qx "before crash 2" "$TMP/crash.out" || fail "crash: a line logged just before the runtime was killed is lost"

# Lambda's file lookup: a handler path under a subdirectory and an object path below the export,
# requiring a package of the code's node_modules; FILE.js as an ES module under "type": "module";
# FILE.cjs; NODE_PATH for CommonJS.
mkdir -p "$CODE/nodejs/node_modules/shout" "$CODE/nodejs/esm_pkg" "$TMP/nodepath/greet"
echo 'module.exports = (s) => `${s.toUpperCase()}!`;' >"$CODE/nodejs/node_modules/shout/index.js"
echo '{"type": "module"}' >"$CODE/nodejs/esm_pkg/package.json"
echo 'export const handler = async (event) => ({ kind: "esm-js", n: event.n, require: typeof require });' \
  >"$CODE/nodejs/esm_pkg/index.js"
echo 'exports.handler = async (event) => ({ kind: "cjs", n: event.n, require: typeof require });' \
  >"$CODE/nodejs/esm_pkg/legacy.cjs"
echo 'module.exports = (name) => `hello ${name}`;' >"$TMP/nodepath/greet/index.js"
echo 'const greet = require("greet"); exports.handler = async (event) => greet(event.name);' >"$CODE/nodejs/greeter.js"

events nested '{"event":{"word":"hey"}}' '{"event":{"word":"kinesis"}}'
run nested nodejs src/app.api.get
expect_responses nested '{kind: "nested", shouted: "\(.word | ascii_upcase)!"}'
events esmjs '{"event":{"n":1}}'
run esmjs nodejs esm_pkg/index.handler
expect_responses esmjs '{kind: "esm-js", n, require: "undefined"}'
cp "$TMP/esmjs.events" "$TMP/cjs_ext.events"
run cjs_ext nodejs esm_pkg/legacy.handler
expect_responses cjs_ext '{kind: "cjs", n, require: "function"}'
events node_path '{"event":{"name":"stream"}}'
NODE_PATH=$TMP/nodepath run node_path nodejs greeter.handler
expect_responses node_path '"hello \(.name)"'

# Modules that cannot load: /init/error, then a non-zero exit.
printf 'exports.handler = async (event) => {\n  return event;\n' >"$CODE/nodejs/broken.js"
printf 'export const handler = async (event) => event)\n' >"$CODE/nodejs/broken_esm.mjs"
echo 'exports.handler = 42;' >"$CODE/nodejs/notfn.js"
echo 'throw new Error("no config");' >"$CODE/nodejs/init_throws.js"
run n_syntax nodejs broken.handler
expect_init_error n_syntax Runtime.UserCodeSyntaxError 'startswith("SyntaxError: ")'
run n_syntax_esm nodejs broken_esm.handler
expect_init_error n_syntax_esm Runtime.UserCodeSyntaxError 'startswith("SyntaxError: ")'
run n_missing nodejs nothere.handler
expect_init_error n_missing Runtime.ImportModuleError 'startswith("Error: Cannot find module '\''nothere'\''")'
run n_nofunction nodejs async_cjs.nope
expect_init_error n_nofunction Runtime.HandlerNotFound '. == "async_cjs.nope is undefined or not exported"'
run n_notfunction nodejs notfn.handler
expect_init_error n_notfunction Runtime.HandlerNotFound '. == "notfn.handler is not a function"'
run n_no_node_path nodejs greeter.handler
expect_init_error n_no_node_path Runtime.ImportModuleError 'startswith("Error: Cannot find module '\''greet'\''")'
run n_throws nodejs init_throws.handler
expect_init_error n_throws Error '. == "no config"'
run n_malformed nodejs nodot
expect_init_error n_malformed Runtime.MalformedHandlerName '. == "Bad handler '\''nodot'\''"'

# ---- Python --------------------------------------------------------------------------------

events py '{"event":{"n":3,"word":"abc"}}' '{"event":{"n":-7,"word":"Kinesis"},"hold_ms":1500}' \
  '{"event":{"n":21,"word":"x y"}}'
run py python app.handler
expect_responses py '{kind: "python", doubled: (.n * 2), word: (.word | ascii_upcase)}'
check py '.connections == 1' "one persistent connection for every request"

events py_pkg '{"event":{"values":[1,2,3]}}' '{"event":{"values":[]}}'
run py_pkg python pkg/mod.handler
expect_responses py_pkg '{kind: "pkg", sum: (.values | add // 0)}'

# The code directory comes first on sys.path, before the runtime's own directory.
events py_shadow '{"event":{"n":9}}'
run py_shadow python bootstrap.handler
expect_responses py_shadow '{kind: "user-bootstrap", n}'

events py_throws '{"event":{"n":5}}' '{"event":{"n":6}}'
run py_throws python throws.handler
expect_errors py_throws '["ValueError", "bad n \(.n)"]'
check py_throws '[.invocations[].body.stackTrace | (.[0] | test("throws\\.py\", line [0-9]+, in handler")) and
  (map(contains(env.BOOT_PY)) | any | not)] | all' "the stack trace starts in the handler, not in the runtime"
cp "$TMP/py_throws.events" "$TMP/py_quota.events"
run py_quota python throws.quota
expect_errors py_quota '["QuotaExceeded", "quota \(.n)"]'
check py_quota '[.invocations[].body.stackTrace | length == 2 and (.[1] | test("in check\n"))] | all' "the user's frames, in order"

events py_none '{"event":{"n":1}}'
run py_none python none.handler
expect_responses py_none 'null'

events py_context '{"event":{},"timeout_ms":5000}' '{"event":{},"timeout_ms":900000,"trace":false}' '{"event":{}}'
run py_context python context.handler
answered py_context
check py_context '[.invocations[] | .body.remaining as $r | ($r <= .deadline_ms - .sent_ms + 1) and ($r >= .deadline_ms - .answered_ms)] | all' \
  "get_remaining_time_in_millis() counts down to Lambda-Runtime-Deadline-Ms"
check py_context '[.invocations[] | .body.aws_request_id == .id and .body.invoked_function_arn == .arn and .body.trace == .trace_id] | all' \
  "aws_request_id, invoked_function_arn and _X_AMZN_TRACE_ID are the invocation's"
check py_context '.invocations[1].body.trace == null and .invocations[2].body.trace != null' "_X_AMZN_TRACE_ID follows each invocation"
check py_context '[.invocations[].body | .function_name == "fn-py_context" and .function_version == "$LATEST"
  and .memory_limit_in_mb == "256" and .log_group_name == "/aws/lambda/fn-py_context" and (.log_stream_name | length > 0)] | all' \
  "the function's configuration in the context"

events py_results '{"event":{"n":1,"mode":"set"}}' '{"event":{"n":7,"mode":"decimal"}}' \
  '{"event":{"n":8,"mode":"decimal"}}' '{"event":{"n":3,"mode":"huge","size":7000000}}' '{"event":{"n":4}}'
run py_results python results.handler
answered py_results
check py_results '.invocations[0].body | .errorType == "Runtime.MarshalError" and
  .errorMessage == "Unable to marshal response: Object of type set is not JSON serializable"' "a set in the result is Runtime.MarshalError"
check py_results '[.invocations[1,2] | .body == {whole: .event.n, half: (.event.n / 2)}] | all' "Decimals go out as JSON numbers"
check py_results '.invocations[3] | .refused == [{status: 413, size: 7000002}] and .outcome == "too_large"' \
  "a response above 6 MB is sent once (413 ends the invocation)"
check py_results '.invocations[4].body == {ok: 4}' "the invocation after the failed ones"
# The runtime is killed at the end (SIGKILL): what its handler printed is in the pipe already.
for n in 1 7 8 3 4; do
  grep -q "stdout $n\$" "$TMP/py_results.out" || fail "py_results: the handler's print $n is not on stdout"
  grep -qx "stderr $n" "$TMP/py_results.err" || fail "py_results: the handler's print to stderr $n is not on stderr"
  grep -q "partial $n" "$TMP/py_results.out" || fail "py_results: the handler's unfinished line $n is not on stdout"
done
events py_crash '{"event":{"n":1}}' '{"event":{"n":2,"mode":"crash"}}' '{"event":{"n":3}}'
run py_crash python results.handler
check py_crash '.exit_status == -9 and [.invocations[] | .outcome] == ["response", null]' "a runtime killed during its second event"
grep -q "before crash 2$" "$TMP/py_crash.out" || fail "py_crash: a line printed just before the runtime was killed is lost"

printf 'def handler(event, context)\n    return event\n' >"$CODE/python/broken.py"
echo 'raise RuntimeError("no config")' >"$CODE/python/init_raises.py"
echo 'import missing_package_of_the_test' >"$CODE/python/needs.py"
run p_syntax python broken.handler
expect_init_error p_syntax Runtime.UserCodeSyntaxError 'startswith("Syntax error in module '\''broken'\'': ")'
check p_syntax '.init_error.body.stackTrace[0] | test("broken\\.py\" Line 1")' "the syntax error's place"
run p_missing python nothere.handler
expect_init_error p_missing Runtime.ImportModuleError '. == "Unable to import module '\''nothere'\'': No module named '\''nothere'\''"'
run p_needs python needs.handler
expect_init_error p_needs Runtime.ImportModuleError \
  '. == "Unable to import module '\''needs'\'': No module named '\''missing_package_of_the_test'\''"'
run p_nofunction python app.nope
expect_init_error p_nofunction Runtime.HandlerNotFound '. == "Handler '\''nope'\'' missing on module '\''app'\''"'
run p_raises python init_raises.handler
expect_init_error p_raises RuntimeError '. == "no config"'
run p_malformed python nodot
expect_init_error p_malformed Runtime.MalformedHandlerName 'startswith("Bad handler '\''nodot'\'': ")'

note "ok"

// millrace's Node.js runtime: the Lambda Runtime API (2018-06-01) client loop of AWS's Node.js
// runtimes (aws-lambda-nodejs-runtime-interface-client), in one file with no dependencies.
// Started as `node bootstrap.mjs` in LAMBDA_TASK_ROOT with AWS_LAMBDA_RUNTIME_API and _HANDLER
// (FILE.FUNCTION, FILE possibly "src/app"); loads the handler, then answers one event at a time.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { types } from 'node:util';

const env = process.env;
const api = env.AWS_LAMBDA_RUNTIME_API;
const [host, port] = [api?.slice(0, api.lastIndexOf(':')), api?.slice(api.lastIndexOf(':') + 1)];
const base = '/2018-06-01/runtime';
// node:http, not fetch: fetch gives up on a `next` that waits longer than 300 s, and http sets
// no timeout of its own. One kept-alive socket: the loop's requests never overlap. No Nagle:
// each request goes out whole in one write, at once.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1, noDelay: true });

function request(method, url, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ agent, host, port, method, path: base + url, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
    });
    // A kept-alive socket that the server closed while a handler ran shows only when reused:
    // retry once on a fresh one (nothing of the request reached the server).
    req.on('error', (e) => (req.reusedSocket && e.code === 'ECONNRESET'
      ? request(method, url, body, headers).then(resolve, reject) : reject(e)));
    req.end(body);
  });
}

// (http counts the Content-Length of a body given whole to end().)
const post = (url, body, headers = { 'Content-Type': 'application/json' }) => request('POST', url, body, headers);

// An error as Lambda reports it; a thrown non-Error (`callback('bad')`) is typed by typeof.
function errorBody(err) {
  try {
    if (types.isNativeError(err) || err instanceof Error) {
      const stackTrace = String(err.stack).split('\n');
      return { errorType: String(err.name), errorMessage: String(err.message), stackTrace };
    }
    return { errorType: typeof err, errorMessage: String(err), stackTrace: [] };
  } catch { // an error whose name, message or stack throws
    return { errorType: 'handled', errorMessage: 'the error could not be read', stackTrace: [] };
  }
}

async function postError(url, err) {
  const body = errorBody(err);
  console.error(`ERROR\t${url === '/init/error' ? 'Init' : 'Invoke'} Error\t${JSON.stringify(body)}`);
  // A header value takes printable ASCII only, and an error's name is the user's.
  const type = body.errorType.replace(/[^\x20-\x7e]/g, '?');
  const res = await post(url, JSON.stringify(body),
    { 'Content-Type': 'application/json', 'Lambda-Runtime-Function-Error-Type': type });
  if (res.status !== 202) console.error(`bootstrap: POST ${url} refused: ${res.status} ${res.body}`);
  return res;
}

const runtimeError = (name, message, cause) =>
  Object.assign(new Error(message), { name, stack: cause?.stack ?? `${name}: ${message}` });

// Whether FILE.js is an ES module: the nearest package.json says, as for Node itself.
function inModuleScope(dir) {
  for (;;) {
    const pj = path.join(dir, 'package.json');
    if (fs.existsSync(pj)) {
      try { return JSON.parse(fs.readFileSync(pj, 'utf8')).type === 'module'; } catch { return false; }
    }
    if (dir.endsWith('/node_modules') || dir === path.dirname(dir)) return false;
    dir = path.dirname(dir);
  }
}

// The handler as Lambda finds it: FILE (a directory: its index), FILE.js, FILE.mjs, FILE.cjs under
// LAMBDA_TASK_ROOT, else a package of that name; CommonJS through require (NODE_PATH and the
// handler's own node_modules hold as in Lambda), ES modules through import().
async function loadHandler() {
  const handler = env._HANDLER ?? '';
  const root = env.LAMBDA_TASK_ROOT ?? process.cwd();
  const name = path.basename(handler);
  const moduleRoot = handler.slice(0, handler.length - name.length);
  const match = /^([^.]*)\.(.*)$/.exec(name);
  if (!match || handler.includes('..')) {
    throw runtimeError('Runtime.MalformedHandlerName', `Bad handler '${handler}'`);
  }
  const [, module, functionPath] = match;
  const file = path.resolve(root, moduleRoot, module);
  const require = createRequire(import.meta.url); // given absolute paths only, or explicit ones
  let app;
  try {
    const esm = inModuleScope(path.dirname(file));
    const found = [['', false], ['.js', esm], ['.mjs', true], ['.cjs', false]]
      .find(([extension]) => fs.existsSync(file + extension));
    if (!found) app = require(require.resolve(module, { paths: [root, path.resolve(root, moduleRoot)] }));
    else if (found[1]) app = await import(pathToFileURL(file + found[0]).href);
    else app = require(file + found[0]);
  } catch (e) {
    if (e instanceof SyntaxError) throw runtimeError('Runtime.UserCodeSyntaxError', String(e), e);
    if (e?.code === 'MODULE_NOT_FOUND' || e?.code === 'ERR_MODULE_NOT_FOUND') {
      throw runtimeError('Runtime.ImportModuleError', String(e), e);
    }
    throw e;
  }
  const fn = functionPath.split('.').reduce((object, key) => object?.[key], app);
  if (fn === undefined || fn === null) {
    throw runtimeError('Runtime.HandlerNotFound', `${handler} is undefined or not exported`);
  }
  if (typeof fn !== 'function') throw runtimeError('Runtime.HandlerNotFound', `${handler} is not a function`);
  return fn;
}

// The function's configuration, as Lambda's context gives it (memory as a string, as there).
const functionName = env.AWS_LAMBDA_FUNCTION_NAME;
const functionVersion = env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST';
const memoryLimitInMB = env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE;
const logGroupName = env.AWS_LAMBDA_LOG_GROUP_NAME ?? `/aws/lambda/${functionName}`;
const logStreamName = env.AWS_LAMBDA_LOG_STREAM_NAME
  ?? `${new Date().toISOString().slice(0, 10).replaceAll('-', '/')}/[$LATEST]${randomBytes(16).toString('hex')}`;

let handlerFn = null;
let current = null; // the invocation in progress: { answer(err, result) }
// What Lambda does when the event loop empties during an invocation (the kept-alive socket does
// not hold it): deliver a callback's result (callbackWaitsForEmptyEventLoop), or end a handler
// that never answered.
let onEmptyLoop = null;
process.on('beforeExit', () => { const f = onEmptyLoop; onEmptyLoop = null; f?.(); });

// A crash fails the invocation it happened in (or the init), then ends the runtime with Lambda's
// statuses (129, 128): the process may be in any state, and millrace starts a fresh one.
async function crash(err, status) {
  try {
    if (current) await current.answer(err);
    else if (!handlerFn) await postError('/init/error', err);
    else console.error(`ERROR\tUncaught Exception\t${JSON.stringify(errorBody(err))}`);
  } finally {
    process.exit(status);
  }
}
process.on('uncaughtException', (err) => crash(err, 129));
process.on('unhandledRejection', (reason) =>
  crash(runtimeError('Runtime.UnhandledPromiseRejection', String(reason), reason), 128));

// Posts an invocation's answer: its result as JSON, or its error.
async function send(id, err, result) {
  const url = `/invocation/${id}`;
  if (err !== undefined && err !== null) return postError(`${url}/error`, err);
  let body;
  try {
    body = JSON.stringify(result) ?? 'null'; // undefined (and a function) answer null
  } catch (e) {
    return postError(`${url}/error`, new Error(`Unable to stringify response body: ${e.message}`));
  }
  // (A refusal ends the invocation too: above 6 MB, 413 fails it as Function.ResponseSizeTooLarge.)
  const res = await post(`${url}/response`, body);
  if (res.status !== 202) console.error(`bootstrap: POST ${url}/response refused: ${res.status} ${res.body}`);
  return res;
}

async function invoke(handler, next) {
  const h = next.headers;
  const id = h['lambda-runtime-aws-request-id'];
  const deadline = Number(h['lambda-runtime-deadline-ms']);
  if (h['lambda-runtime-trace-id']) env._X_AMZN_TRACE_ID = h['lambda-runtime-trace-id'];
  else delete env._X_AMZN_TRACE_ID;
  let posted = null; // the first answer (a result, an error, a crash) is posted; later ones wait on it
  const answer = (err, result) => (posted ??= (onEmptyLoop = null, send(id, err, result)));
  current = { answer };
  let settle; // with the first of callback, done, succeed, fail, a returned promise, a throw
  const settled = new Promise((resolve) => (settle = resolve));
  let called = false;
  const done = (err, result) => { if (!called) { called = true; settle(answer(err, result)); } };
  // A literal, not a spread of the configuration: V8 spreads into a new object 30 times slower.
  const context = {
    functionName,
    functionVersion,
    memoryLimitInMB,
    logGroupName,
    logStreamName,
    awsRequestId: id,
    invokedFunctionArn: h['lambda-runtime-invoked-function-arn'],
    getRemainingTimeInMillis: () => deadline - Date.now(),
    callbackWaitsForEmptyEventLoop: true,
    done,
    succeed: (result) => done(null, result),
    fail: (err) => done(err ?? 'handled'),
  };
  const callback = (err, result) => {
    const failed = err !== undefined && err !== null;
    if (called || failed || !context.callbackWaitsForEmptyEventLoop) return done(err, result);
    called = true;
    onEmptyLoop = () => settle(answer(null, result));
  };
  // A handler that never answers, once nothing is left to run: an async one has failed, a
  // callback one answers null.
  const neverAnswered = handler.constructor.name === 'AsyncFunction'
    ? () => done(runtimeError('Runtime.NodeJsExit', 'Runtime exited without providing a reason'))
    : () => done(null, null);
  onEmptyLoop = neverAnswered;
  try {
    const result = handler(JSON.parse(next.body), context, callback);
    if (typeof result?.then === 'function') result.then((r) => done(null, r), context.fail);
  } catch (e) {
    context.fail(e);
  }
  await settled;
  current = null;
}

try {
  try {
    handlerFn = await loadHandler();
  } catch (e) {
    await postError('/init/error', e);
    process.exit(1);
  }
  for (;;) {
    const next = await request('GET', '/invocation/next');
    if (next.status !== 200) throw new Error(`GET /invocation/next: ${next.status} ${next.body}`);
    await invoke(handlerFn, next);
  }
} catch (e) {
  console.error(`bootstrap: the Runtime API at ${api}: ${e.message}`);
  process.exit(1);
}

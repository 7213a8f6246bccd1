// What a Node.js runtime costs by itself, whatever serves it the Lambda Runtime API: the floor
// under ks-consume --handler's figure (tests/bench/lambda.sh).
//
//   node lambda_runtime_floor.mjs serve EVENT BATCHES DIR COMMAND...
//     Serves the Runtime API as canned bytes on a loopback port: `next` is answered with the
//     file EVENT (a Lambda event) and Lambda's headers, anything else with 202. Starts COMMAND in
//     DIR as the runtime (AWS_LAMBDA_RUNTIME_API, _HANDLER=index.handler, LAMBDA_TASK_ROOT=DIR),
//     lets it warm up for 200 events, then times BATCHES more; prints one JSON line:
//     {"batches_per_s", "ms_per_batch", "cpu_ms_per_batch"}, the last the runtime's own CPU
//     (all its threads, /proc) for each event.
//   node lambda_runtime_floor.mjs runtime parse|noparse
//     The least runtime a node:http client can be: GET next, JSON.parse of the event (unless
//     noparse), POST null as the response, over one kept-alive socket, as bootstrap.mjs does,
//     with no handler and no context.
//
// The server does as little as a server can (no HTTP parser, no JSON, one write a response):
// what is left is the runtime's own work, on its core, and the loopback between the two.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';

const WARM_UP = 200;

function cpuTicks(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (1/100 s)
}

function serve(eventFile, batches, dir, command) {
  const event = fs.readFileSync(eventFile);
  const next = Buffer.concat([Buffer.from([
    'HTTP/1.1 200 OK',
    'Content-Type: application/json',
    'Lambda-Runtime-Aws-Request-Id: 8476a536-e9f4-11e8-9739-2dfe598c3fcd',
    `Lambda-Runtime-Deadline-Ms: ${Date.now() + 900000}`,
    'Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:000000000000:function:floor',
    'Lambda-Runtime-Trace-Id: Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0',
    `Content-Length: ${event.length}`, '', ''].join('\r\n')), event]);
  const accepted = Buffer.from('HTTP/1.1 202 Accepted\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{"status":"OK"}');
  let served = 0;
  let started;
  let runtime;
  const server = net.createServer({ noDelay: true }, (socket) => {
    let pending = '';
    socket.on('data', (data) => {
      pending += data.toString('latin1');
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.slice(0, end);
        const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? 0);
        if (pending.length < end + 4 + length) return;
        pending = pending.slice(end + 4 + length);
        if (!head.startsWith('GET ')) {
          socket.write(accepted);
          continue;
        }
        if (served === WARM_UP) started = { at: process.hrtime.bigint(), cpu: cpuTicks(runtime.pid) };
        if (served++ === WARM_UP + batches) {
          const seconds = Number(process.hrtime.bigint() - started.at) / 1e9;
          const cpuMs = (cpuTicks(runtime.pid) - started.cpu) * 10;
          console.log(JSON.stringify({
            batches_per_s: batches / seconds,
            ms_per_batch: (seconds * 1000) / batches,
            cpu_ms_per_batch: cpuMs / batches,
          }));
          runtime.kill('SIGKILL');
          process.exit(0);
        }
        socket.write(next);
      }
    });
  });
  server.listen(0, '127.0.0.1', () => {
    runtime = spawn(command[0], command.slice(1), {
      cwd: dir,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${server.address().port}`, _HANDLER: 'index.handler', LAMBDA_TASK_ROOT: dir },
    });
    runtime.on('exit', (code, signal) => {
      console.error(`lambda_runtime_floor: the runtime ended (${code ?? signal}) after ${served} events`);
      process.exit(1);
    });
  });
}

async function leastRuntime(parse) {
  const api = process.env.AWS_LAMBDA_RUNTIME_API;
  const host = api.slice(0, api.lastIndexOf(':'));
  const port = api.slice(api.lastIndexOf(':') + 1);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1, noDelay: true });
  const request = (method, path, body) => new Promise((resolve, reject) => {
    const req = http.request({ agent, host, port, method, path: `/2018-06-01/runtime${path}` }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk) => (text += chunk));
      res.on('end', () => resolve({ headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
  for (;;) {
    const next = await request('GET', '/invocation/next');
    if (parse) JSON.parse(next.body);
    await request('POST', `/invocation/${next.headers['lambda-runtime-aws-request-id']}/response`, 'null');
  }
}

const [role, ...args] = process.argv.slice(2);
if (role === 'serve' && args.length >= 4) serve(args[0], Number(args[1]), args[2], args.slice(3));
else if (role === 'runtime' && (args[0] === 'parse' || args[0] === 'noparse')) await leastRuntime(args[0] === 'parse');
else {
  console.error('usage: lambda_runtime_floor.mjs serve EVENT BATCHES DIR COMMAND... | runtime parse|noparse');
  process.exit(64);
}

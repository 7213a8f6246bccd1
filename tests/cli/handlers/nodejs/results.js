// Results that cannot go out as they are, and one that can; and logs written along the way.
exports.handler = async (event) => {
  console.log(`stdout ${event.n}`);
  console.error(`stderr ${event.n}`);
  if (event.mode === 'crash') { // what was logged before must be in the pipe, not in a buffer
    console.log(`before crash ${event.n}`);
    process.kill(process.pid, 'SIGKILL');
  }
  if (event.mode === 'bigint') return { n: BigInt(event.n) };
  if (event.mode === 'circular') { const o = { n: event.n }; o.self = o; return o; }
  if (event.mode === 'huge') return 'x'.repeat(event.size);
  return { ok: event.n };
};

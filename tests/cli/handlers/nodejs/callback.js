// Callback handlers (module.exports = {...}), as Lambda's Node.js runtimes have always run them.
module.exports = {
  // callback(err, result) from a timer: the word reversed, or an error the event asks for.
  handler(event, context, callback) {
    setTimeout(() => {
      if (event.fail === 'error') callback(new RangeError(`no ${event.word}`));
      else if (event.fail === 'string') callback(`plain ${event.word}`);
      else callback(null, { kind: 'callback', reversed: [...event.word].reverse().join('') });
    }, 2);
  },
  // The result goes out when the event loop is empty (callbackWaitsForEmptyEventLoop), so a timer
  // that runs after the callback still changes it; unless the handler says not to wait.
  waits(event, context, callback) {
    context.callbackWaitsForEmptyEventLoop = event.wait;
    const result = { n: event.n, late: false };
    setTimeout(() => { result.late = true; }, 20);
    callback(null, result);
  },
  // The context's older ways to answer.
  legacy(event, context) {
    if (event.how === 'succeed') context.succeed({ how: 'succeed', n: event.n });
    else if (event.how === 'done') context.done(null, { how: 'done', n: event.n });
    else context.fail(new Error(`failed ${event.n}`));
  },
};

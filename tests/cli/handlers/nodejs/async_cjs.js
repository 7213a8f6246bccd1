// CommonJS, async (exports.handler): the event's number doubled and its word upper-cased.
exports.handler = async (event) => ({ kind: 'async-cjs', doubled: event.n * 2, word: event.word.toUpperCase() });

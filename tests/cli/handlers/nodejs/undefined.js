// Handlers that answer nothing: an async one returning undefined, a plain one that neither returns
// nor calls back (it answers once nothing is left to run).
exports.handler = async () => {};
exports.sync = () => {};

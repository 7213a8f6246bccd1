// Errors thrown by an async handler and by a plain one.
exports.handler = async (event) => { throw new TypeError(`bad n ${event.n}`); };
exports.sync = (event) => { throw new RangeError(`out of range ${event.n}`); };

// A handler in a subdirectory (_HANDLER src/app.api.get) that requires a package of the code's
// node_modules (made by the test) and an object path below the export.
const shout = require('shout');
exports.api = { get: async (event) => ({ kind: 'nested', shouted: shout(event.word) }) };

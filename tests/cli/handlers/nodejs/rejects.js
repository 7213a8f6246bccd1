// A returned promise that rejects; a rejection nobody handles while the handler waits.
exports.handler = (event) => Promise.reject(new Error(`rejected ${event.n}`));
exports.unhandled = async (event) => {
  Promise.reject(new Error(`lost ${event.n}`));
  await new Promise((resolve) => setTimeout(resolve, 2000));
  return 'too late';
};

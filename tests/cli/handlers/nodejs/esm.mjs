// An ES module (export const handler): the sum of the event's values, awaited across a timer.
export const handler = async (event) => {
  await new Promise((resolve) => setTimeout(resolve, 1));
  return { kind: 'esm', sum: event.values.reduce((a, b) => a + b, 0) };
};

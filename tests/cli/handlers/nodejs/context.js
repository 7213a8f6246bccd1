// What the context and the environment tell the handler.
exports.handler = async (event, context) => ({
  remaining: context.getRemainingTimeInMillis(),
  functionName: context.functionName,
  functionVersion: context.functionVersion,
  memoryLimitInMB: context.memoryLimitInMB,
  awsRequestId: context.awsRequestId,
  invokedFunctionArn: context.invokedFunctionArn,
  logGroupName: context.logGroupName,
  logStreamName: context.logStreamName,
  trace: process.env._X_AMZN_TRACE_ID ?? null,
});

// The AWS SDK for JavaScript v3's Kinesis client, with its default request handler (HTTP/2,
// which it speaks to a cleartext endpoint with prior knowledge), against gw-serve: a producer
// and a consumer as the SDK's examples write them. Prints what it read, one record a line:
// SHARD<TAB>PARTITIONKEY<TAB>DATA.
// Usage: node kinesis_sdk.mjs ENDPOINT STREAM FILE
import { readFileSync } from "node:fs";
import {
  KinesisClient, CreateStreamCommand, PutRecordCommand, PutRecordsCommand, ListShardsCommand,
  GetShardIteratorCommand, GetRecordsCommand, DescribeStreamSummaryCommand,
} from "@aws-sdk/client-kinesis";

const [endpoint, stream, file] = process.argv.slice(2);
const client = new KinesisClient({
  endpoint, region: "us-east-1",
  credentials: { accessKeyId: "AKIDMILLRACETEST", secretAccessKey: "millrace-test-secret" },
});
const lines = readFileSync(file, "utf8").split("\n").filter((l) => l.length > 0);
const encoder = new TextEncoder();

await client.send(new CreateStreamCommand({ StreamName: stream, ShardCount: 2 }));
const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: stream }));
if (summary.StreamDescriptionSummary.OpenShardCount !== 2) throw new Error("OpenShardCount is not 2");
// Half one at a time, concurrently (HTTP/2 streams on one connection), half in one PutRecords.
const half = Math.floor(lines.length / 2);
await Promise.all(lines.slice(0, half).map((line) => client.send(new PutRecordCommand({
  StreamName: stream, Data: encoder.encode(line), PartitionKey: JSON.parse(line).Name,
}))));
const put = await client.send(new PutRecordsCommand({
  StreamName: stream,
  Records: lines.slice(half).map((line) => ({ Data: encoder.encode(line), PartitionKey: JSON.parse(line).Name })),
}));
if (put.FailedRecordCount !== 0) throw new Error("PutRecords failed some records");

const decoder = new TextDecoder();
const { Shards } = await client.send(new ListShardsCommand({ StreamName: stream }));
for (const shard of Shards) {
  let { ShardIterator: iterator } = await client.send(new GetShardIteratorCommand({
    StreamName: stream, ShardId: shard.ShardId, ShardIteratorType: "TRIM_HORIZON",
  }));
  while (iterator) {
    const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 100 }));
    for (const r of page.Records) console.log([shard.ShardId, r.PartitionKey, decoder.decode(r.Data)].join("\t"));
    if (page.Records.length === 0 && page.MillisBehindLatest === 0) break;
    iterator = page.NextShardIterator;
  }
}
client.destroy();

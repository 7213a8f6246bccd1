// tests/bench/window_duckdb.mjs — the Wild Rydes summary in DuckDB, the peer of ks-window
// in tests/bench/window.sh.
//
// usage: node window_duckdb.mjs INPUT.jsonl OUTPUT.jsonl [THREADS]
//
// Runs, with SET threads=THREADS (default 2), the per-unicorn per-minute summary of the
// newline-delimited JSON file INPUT (event time: StatusTime) and writes its rows to OUTPUT
// as JSON lines (COPY ... TO, so every row is made and written, as ks-window writes its).
// Prints one JSON line on stdout: {"query_s": seconds of the query alone, measured with
// performance.now() around it (not node's start, the module load or the instance), "rows":
// the rows written, "duckdb": the library version}.
//
// @duckdb/node-api is not a dependency of the project: window.sh installs it with npm into
// a cache directory (tests/bench/package.json pins the version) and runs a copy of this
// file from there, so that the import below resolves.
import { DuckDBInstance } from '@duckdb/node-api';

const [input, output, threads = '2'] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: node window_duckdb.mjs INPUT.jsonl OUTPUT.jsonl [THREADS]');
  process.exit(64);
}
const quote = (s) => `'${s.replaceAll("'", "''")}'`;

const instance = await DuckDBInstance.create(':memory:');
const connection = await instance.connect();
await connection.run(`SET threads=${Number(threads)}`);

const query = `
  SELECT Name, time_bucket(INTERVAL 1 minute, StatusTime::TIMESTAMP) AS StatusTime,
         sum(Distance) AS Distance,
         min(MagicPoints) AS MinMagicPoints, max(MagicPoints) AS MaxMagicPoints,
         min(HealthPoints) AS MinHealthPoints, max(HealthPoints) AS MaxHealthPoints
  FROM read_json(${quote(input)}, format = 'newline_delimited')
  GROUP BY ALL`;

const t0 = performance.now();
const result = await connection.runAndReadAll(
  `COPY (${query}) TO ${quote(output)} (FORMAT json)`);
const t1 = performance.now();

const rows = Number(result.getRows()[0]?.[0] ?? -1);  // COPY returns the rows it wrote
const version = (await connection.runAndReadAll('SELECT version()')).getRows()[0][0];
connection.closeSync?.();
console.log(JSON.stringify({ query_s: (t1 - t0) / 1000, rows, duckdb: version }));

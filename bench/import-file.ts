// Makes the import benchmark's files: N sessions as NDJSON and as one JSON array, from a real NDJSON export
// (`ocpi-sessions export --format ndjson`) of fewer sessions. Session i is line i % (lines in the export) with the
// last 6 characters of its id (a UUID, so still 36 characters and unique) replaced by i / (lines) in hex.
// Usage: node dist/bench/import-file.js <export.ndjson> <N> <out.ndjson> <out.json>   (docs/performance.md)
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';

const [source, count, ndjsonOut, arrayOut] = process.argv.slice(2);
if (!source || !count || !ndjsonOut || !arrayOut) {
  console.error('usage: import-file.js <export.ndjson> <N> <out.ndjson> <out.json>');
  process.exit(2);
}
const lines = readFileSync(source, 'utf8').trim().split('\n');
const write = (s: WriteStream, text: string) =>
  new Promise<void>((resolve) => (s.write(text) ? resolve() : s.once('drain', () => resolve())));
const ndjson = createWriteStream(ndjsonOut);
const array = createWriteStream(arrayOut);
await write(array, '[');
for (let i = 0; i < Number(count); i++) {
  const copy = Math.floor(i / lines.length)
    .toString(16)
    .padStart(6, '0');
  const line = lines[i % lines.length]!.replace(
    /"id":"([^"]*)"/,
    (_m, id: string) => `"id":"${id.slice(0, 30)}${copy}"`,
  );
  await write(ndjson, `${line}\n`);
  await write(array, `${i > 0 ? ',' : ''}${line}`);
}
await write(array, ']');
ndjson.end();
array.end();

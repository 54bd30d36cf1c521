// Runs one SPARQL query with Comunica over a Triple Pattern Fragments interface and prints the
// answer as JSON: {"variables": [...], "rows": [{name: {"type", "value", "language", "datatype"}}],
// "requests": N}. Used by tests/routes/test_fragments_comunica.py.
// Usage: node comunica-query.mjs START_URL < query.rq
import { QueryEngine } from '@comunica/query-sparql';

const [start] = process.argv.slice(2);
const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const query = Buffer.concat(chunks).toString('utf8');

let requests = 0;
const counting = (input, init) => { requests += 1; return fetch(input, init); };

const engine = new QueryEngine();
const stream = await engine.queryBindings(query, {
  sources: [{ type: 'qpf', value: start }],
  fetch: counting,
  lenient: false,
  // Comunica opens as many connections as it has requests in flight; past the server's cap per
  // address (32) it gets 503 with Retry-After, and retries as a harvester should (docs/deployment.md).
  httpRetryCount: 5,
});
const rows = [];
for (const bindings of await stream.toArray()) {
  const row = {};
  for (const [variable, term] of bindings) {
    row[variable.value] = {
      type: term.termType,
      value: term.value,
      language: term.language || null,
      datatype: term.datatype ? term.datatype.value : null,
    };
  }
  rows.push(row);
}
process.stdout.write(JSON.stringify({ rows, requests }) + '\n');

// Replicates the LDES feed with the TREEcg client (npm `ldes-client`) and prints its members.
// Usage: node ldes-replicate.mjs STREAM_URL            replicate once, print {"members": [...]}
//        node ldes-replicate.mjs STREAM_URL --follow   keep polling the mutable fragment and print
//                                                      each member as one JSON line as it arrives
// A member is printed as {"id", "isVersionOf", "timestamp", "statements": [[predicate, object]]}.
// Used by tests/routes/test_ldes_client.py and tests/writes/test_crash_safety.py.
import { replicateLDES } from 'ldes-client';

const [url, mode] = process.argv.slice(2);
const follow = mode === '--follow';

function shown(member) {
  return {
    id: member.id.value,
    isVersionOf: member.isVersionOf ?? null,
    timestamp: member.timestamp instanceof Date ? member.timestamp.toISOString() : member.timestamp ?? null,
    statements: member.quads
      .filter((quad) => quad.subject.equals(member.id))
      .map((quad) => [quad.predicate.value, quad.object.value]),
  };
}

const client = replicateLDES({ url, polling: follow, pollInterval: 300 }, 'none');
const reader = client.stream({ highWaterMark: 64 }).getReader();
const members = [];
for (;;) {
  const { value, done } = await reader.read();
  if (done) break;
  if (follow) process.stdout.write(JSON.stringify(shown(value)) + '\n');
  else members.push(shown(value));
}
if (!follow) process.stdout.write(JSON.stringify({ members }) + '\n');

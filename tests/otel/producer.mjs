// Records one session through the OTLP exporter, configured by the environment only
// (AGENTOPS_EXPORTER=otlp, OTEL_EXPORTER_OTLP_ENDPOINT, ...): the same events as
// producer.py. Prints `SESSION <id>` first and `DONE` once the session has ended.
import { createRequire } from 'node:module';

const agentops = createRequire(import.meta.url)('../..');
const steps = Number(process.env.PRODUCER_STEPS ?? 0);
const interval = Number(process.env.PRODUCER_INTERVAL_MS ?? 0);

const session = agentops.init({ defaultTags: ['producer', 'node'] });
if (session === null) throw new Error('agentops.init failed');
console.log(`SESSION ${session.id}`);

agentops.record(new agentops.LLMEvent({ model: 'demo-model', prompt: 'Summarise', completion: 'A summary.', promptTokens: 42, completionTokens: 5 }));
agentops.record(new agentops.ToolEvent({ name: 'web_search', params: { query: 'otlp' }, returns: ['r0'] }));
// Named like the Python producer's exception, so every language records the same spans.
class ValueError extends Error {
  name = 'ValueError';
}
const riskyStep = agentops.recordAction('risky_step', () => {
  throw new ValueError('the tool returned garbage');
});
try {
  riskyStep();
} catch {
  // recorded as an action and a linked error
}
const step = agentops.recordAction('step', (i) => i);
for (let i = 0; i < steps; i++) {
  step(i);
  if (interval) await new Promise((resolve) => setTimeout(resolve, interval));
}
await agentops.endSession('Success');
console.log('DONE');

// agentops quickstart for Node: record an agent session offline (no API key, no network).
//
//     npm install && node examples/node/quickstart.mjs
//
// The session is written as JSON Lines by the file exporter (one line per session start,
// event, agent and end). With an API key the same code sends it to AgentOps instead:
// `agentops.init({ apiKey })` or `AGENTOPS_API_KEY=...`.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as agentops from 'agentops';

const exportDir = process.env.AGENTOPS_EXPORT_DIR || fs.mkdtempSync(path.join(os.tmpdir(), 'agentops-quickstart-'));
const session = agentops.init({ exporter: 'file', exportDir, defaultTags: ['quickstart'] });
if (session === null) {
  console.error('agentops.init() failed; see the log above');
  process.exit(1);
}

const search = agentops.recordTool('web_search', async (query, limit = 3) =>
  Array.from({ length: limit }, (_, i) => `result ${i} for ${JSON.stringify(query)}`),
);

class Researcher {
  async summarise(topic) {
    const hits = await search(topic);
    // An LLM call you made yourself, recorded explicitly.
    agentops.record(new agentops.LLMEvent({ prompt: `Summarise: ${hits}`, completion: 'A short summary.', model: 'demo-model', promptTokens: 42, completionTokens: 5 }));
    return ['A short summary.', hits.length];
  }

  riskyStep() {
    throw new RangeError('the tool returned garbage');
  }
}
// What `@trackAgent('Researcher')` and `@recordAction('...')` do in TypeScript.
Researcher.prototype.summarise = agentops.recordAction('summarise', Researcher.prototype.summarise);
Researcher.prototype.riskyStep = agentops.recordAction('risky_step', Researcher.prototype.riskyStep);
const TrackedResearcher = agentops.trackAgent('Researcher')(Researcher);

const agent = new TrackedResearcher();
const [summary, n] = await agent.summarise('agent observability');
try {
  agent.riskyStep();
} catch {
  // recorded as an action plus a linked ErrorEvent, then re-thrown
}
agentops.record(new agentops.ActionEvent({ actionType: 'done', params: { summary, hits: n } }));

await agentops.endSession('Success');

const lines = fs.readFileSync(session.exportPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
const kinds = {};
for (const line of lines) {
  const key = line.type === 'event' ? line.event.event_type : line.type;
  kinds[key] = (kinds[key] ?? 0) + 1;
}
console.log(`Session ${session.id} recorded to ${session.exportPath}`);
console.log(`  ${Object.entries(kinds).map(([k, v]) => `${k}: ${v}`).join(', ')}`);
console.log(`  end state: ${lines.at(-1).session.end_state}`);

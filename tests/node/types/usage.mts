// Type-checked (never run) by `tsc -p tests/node/types`: code written against the issue's
// API must compile against bindings-node/lib/index.d.mts.
import * as agentops from 'agentops';
import { ActionEvent, ErrorEvent, LLMEvent, ToolEvent, recordAction, recordTool, trackAgent } from 'agentops';

const session: agentops.Session | null = agentops.init({ exporter: 'file', exportDir: '/tmp/x', maxWaitTime: 100, defaultTags: ['a'] });
const id: string | undefined = session?.id;
agentops.record(new ActionEvent({ actionType: 'search', params: { q: 1 }, returns: 'ok', initTimestamp: new Date() }));
const llm = new LLMEvent({ prompt: [{ role: 'user', content: 'hi' }], completion: 'hello', model: 'gpt-4o', promptTokens: 1, completionTokens: 2 });
agentops.record(new ErrorEvent({ triggerEvent: llm, exception: new Error('x'), code: 'E1' }));
agentops.record(new agentops.Event('custom', { model: 'm', prompt: 'p' }));
const tool = new ToolEvent({ name: 't', params: {}, logs: ['l'] });
session?.record(tool);

const add = recordAction('add', (a: number, b: number) => a + b);
const sum: number = add(1, 2);
const fetchIt = recordTool('fetch', async (url: string) => url.length);
const later: Promise<number> = fetchIt('x');

@trackAgent('researcher')
class Researcher {
  constructor(readonly topic: string) {}

  @recordAction('think')
  think(depth: number): string {
    return `${this.topic}:${depth}`;
  }

  @recordTool()
  async search(q: string): Promise<string[]> {
    return [q];
  }
}
const r = new Researcher('rust');
const thought: string = r.think(2);

async function main(): Promise<void> {
  const cost: number | null = await agentops.endSession('Success', 'done');
  const flushed: boolean = await agentops.flush(1000);
  const report: agentops.ShutdownReport = await agentops.shutdown(2000);
  const delivered: number = agentops.stats().delivered + report.left;
  const ended: number = await agentops.endAllSessions();
  const s2 = agentops.startSession({ tags: ['b'], inheritedSessionId: id });
  const agent: string = agentops.createAgent('a');
  const cost2: Promise<number | null> | undefined = s2?.endSession('Fail');
  const instrumented: boolean = agentops.instrumentOpenAI({});
  agentops.stopInstrumenting();
  void [cost, flushed, delivered, ended, agent, cost2, sum, later, thought, r.search('q'), instrumented];
}
void main;

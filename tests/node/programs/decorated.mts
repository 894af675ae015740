// A TypeScript program using the decorators, compiled by tsc and run by decorators.test.mjs.
import * as agentops from 'agentops';
import { recordAction, recordTool, trackAgent } from 'agentops';

@trackAgent('researcher')
class Researcher {
  constructor(readonly topic: string) {}

  @recordAction('think')
  think(depth: number): string {
    return `${this.topic}/${depth}`;
  }

  @recordTool()
  async search(q: string): Promise<string[]> {
    await new Promise((r) => setTimeout(r, 5));
    return [q, this.topic];
  }

  @recordAction()
  fail(): never {
    throw new RangeError('no');
  }
}

const session = agentops.init({ maxWaitTime: 50 });
const r = new Researcher('rust');
const thought = r.think(2);
const found = await r.search('q');
let caught: unknown;
try {
  r.fail();
} catch (err) {
  caught = err;
}
console.log(JSON.stringify({ session: session?.id, agent: (r as unknown as { agentopsAgentId: string }).agentopsAgentId, thought, found, caught: String(caught) }));

// The CommonJS side of the declarations (`require('agentops')`).
import agentops = require('agentops');

const s: agentops.Session | null = agentops.init({ apiKey: '00000000-0000-4000-8000-000000000000' });
agentops.record(new agentops.ActionEvent({ actionType: 'x' }));
const wrapped = agentops.recordAction('x', (n: number) => n * 2);
const n: number = wrapped(2);
void [s, n];

// ESM declarations: the same API as the CommonJS ones (one module at run time).
import * as agentops from './index.js';
export * from './index.js';
export default agentops;

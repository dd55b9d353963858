/**
 * Serves the explorer's test scenario (tests/explorer/_scenario.ts) until interrupted, to
 * look at the explorer by hand:
 *
 *     node --import tsx tests/explorer/_serve-scenario.ts      # prints the URL to open
 */
import { startScenario } from './_scenario.ts';

const s = await startScenario();
console.log(`explorer: ${s.reg.url}/  (log of ${s.size} entries, checkpoints ${s.checkpointSizes.join(', ')}; auditor key of auditor-1 below)`);
console.log(s.auditor.signerKey);
const stop = () => void s.reg.close().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);

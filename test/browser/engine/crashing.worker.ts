/** Test worker: the test double behind the protocol, which dies (uncaught error) when asked to "crash". */
import { createTestDoubleEngine } from '../../../src/lib/engine/test-double';
import { hostEngine } from '../../../src/lib/engine/worker-protocol';
import { serve } from '../../../src/lib/rpc/serve';

serve(
  hostEngine(() =>
    createTestDoubleEngine({
      tokensPerSecond: 200,
      respond: (req) => {
        const last = req.messages[req.messages.length - 1];
        if (last.content === 'crash') {
          setTimeout(() => {
            throw new Error('simulated crash');
          });
        }
        return 'a fairly long answer that takes a while to stream';
      },
    }),
  ),
);

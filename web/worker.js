// The page's Web Worker (docs/WEB.md): owns the WebAssembly engine (createOrgsimEngine, prepended
// to this source by web/assemble.py) and runs scenarios off the main thread, so the page never
// freezes. Message in: {id, text, file, options}; out: {id, result, floats, ms} or {id, error}.
/* global createOrgsimEngine */
'use strict';
const enginePromise = createOrgsimEngine();
let runFn = null;
self.onmessage = async (e) => {
  const { id, text, file, options } = e.data;
  try {
    const M = await enginePromise;
    if (!runFn) runFn = M.cwrap('orgsim_run', 'string', ['string', 'string', 'string']);
    const t0 = performance.now();
    const reply = JSON.parse(runFn(text, file, JSON.stringify(options || {})));
    const ms = performance.now() - t0;
    if (!reply.ok) {
      self.postMessage({ id, error: reply.error });
      return;
    }
    const ptr = M._orgsim_floats();
    const n = M._orgsim_floats_size();
    const floats = new Float32Array(M.HEAPF32.buffer, ptr, n).slice();
    self.postMessage({ id, result: reply.result, floats, ms }, [floats.buffer]);
  } catch (err) {
    self.postMessage({ id, error: 'orgsim: failed: ' + (err && err.message ? err.message : err) });
  }
};

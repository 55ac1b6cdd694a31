// Measures the trainer's page in Debian's headless Chromium (bench/README.md "The trainer's
// page"): for each 300-person, 156-week trainer scenario, every arm at its default replicate
// count (the charts' run) and one replicate per arm with a snapshot every week (the animated
// run), timed around window.orgsim.run with `raw` (the page's own path: worker round trip and
// decoding included) and inside the worker (engine only); the first call of the page (the
// WebAssembly code not yet optimised by the browser) is reported apart; then drawing: every arm's network (300 people, their ties), timeline and chart
// cursors redrawn per frame, synchronously (frames/s the drawing code can sustain) and under
// requestAnimationFrame while playing.
// Usage: node bench/web_bench.js [build-web/orgsim.html] [repeats]
'use strict';
const path = require('path');
const root = path.resolve(__dirname, '..');
const { chromium } = require(path.join(root, 'web', 'node_modules', 'playwright-core'));
const html = path.resolve(process.argv[2] || path.join(root, 'build-web', 'orgsim.html'));
const repeats = Number(process.argv[3] || 5);
const median = (a) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(s.length / 2)]; };

(async () => {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
  await page.goto('file://' + html);
  await page.waitForFunction(() => window.orgsim && window.orgsim.state.full !== null, null, { timeout: 120000 });
  const first = await page.evaluate(() => ({ ...window.orgsim.state.timings }));
  console.log(`first load of the page (default scenario, code not yet optimised): one replicate per arm ${first.quick_ms.toFixed(0)} ms, all runs ${first.full_ms.toFixed(0)} ms\n`);
  const names = await page.evaluate(() => Object.entries(window.orgsim.scenarios)
    .filter(([, s]) => (s.population || {}).size === 300 && s.steps === 156).map(([n]) => n));
  console.log(`| scenario | arms x replicates | all runs: round trip / engine (ms) | one replicate per arm + weekly snapshots: round trip / engine (ms) |`);
  console.log('|---|---|---|---|');
  for (const name of names) {
    const r = await page.evaluate(async ([n, k]) => {
      const sc = window.orgsim.scenarios[n];
      const full = [], fullEngine = [], one = [], oneEngine = [];
      let shape = '';
      for (let i = 0; i < k; ++i) {
        let t = performance.now();
        const a = await window.orgsim.run(sc, { snapshots: 0, raw: true });
        full.push(performance.now() - t); fullEngine.push(a.engine_ms);
        shape = `${a.arms.length} x ${a.arms[0].replicates.length}`;
        t = performance.now();
        const b = await window.orgsim.run(sc, { replicates: 1, snapshots: 1, raw: true });
        one.push(performance.now() - t); oneEngine.push(b.engine_ms);
      }
      return { full, fullEngine, one, oneEngine, shape };
    }, [name, repeats]);
    console.log(`| ${name} | ${r.shape} | ${median(r.full).toFixed(0)} / ${median(r.fullEngine).toFixed(0)} | ${median(r.one).toFixed(0)} / ${median(r.oneEngine).toFixed(0)} |`);
  }
  // Drawing, on the default scenario shown by the page.
  const fps = await page.evaluate(() => window.orgsim.measureDrawing(300));
  const raf = await page.evaluate(() => new Promise((resolve) => {
    const st = window.orgsim.state;
    let frames = 0;
    const t0 = performance.now();
    function f() {
      ++frames;
      window.orgsim.measureDrawing(1);
      if (performance.now() - t0 < 2000) requestAnimationFrame(f);
      else resolve(frames / ((performance.now() - t0) / 1000));
    }
    void st;
    requestAnimationFrame(f);
  }));
  const idle = await page.evaluate(() => new Promise((resolve) => {
    let frames = 0;
    const t0 = performance.now();
    function f() {
      ++frames;
      if (performance.now() - t0 < 2000) requestAnimationFrame(f);
      else resolve(frames / ((performance.now() - t0) / 1000));
    }
    requestAnimationFrame(f);
  }));
  const ties = await page.evaluate(() => window.orgsim.state.quick.arms[0].replicates[0].snapshots.ties);
  console.log(`\ndrawing (default scenario, 2 arms x 300 people, ${ties} ties each): ${fps.toFixed(0)} frames/s drawn back to back; ${raf.toFixed(0)} frames/s under requestAnimationFrame (an empty requestAnimationFrame loop: ${idle.toFixed(0)} frames/s)`);
  await browser.close();
})().catch((e) => { console.error(e); process.exit(1); });

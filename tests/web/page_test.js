// Drives the trainer's page (build-web/orgsim.html) in Debian's headless Chromium with
// playwright-core, from file:// with every network request refused (docs/WEB.md "Tests"):
//   - the default scenario runs; every panel (networks, timelines, charts) has ink in a screenshot;
//   - a scenario opens at its last week, the networks in colour; the networks' legend sits above
//     them (on the screen and printed) with the line saying week 0 is the workplace before the
//     campaign, the same for every strategy (said too at week 0 and in the story); at week 0 both
//     arms' networks are one picture and every chart starts from the same point;
//   - "every recorded quantity" offers every output by its meaning in words, not by its code, and
//     says under the picker what the one shown counts (the dictionary's description, sent by the
//     engine with every output);
//   - nothing overflows the window (1280 px and a phone's 420 px), for every shipped scenario; the
//     extra charts fill their boxes;
//   - the story names the reason the power rule gives for an action falling short, and above the
//     employer's line says a win is likely (a chance, actions.win_width), not "enough to win" (save
//     where the line is sharp);
//   - moving the turnover slider up lowers relationship_first's organized base at the end;
//   - printed as a trainer prints (page.pdf() on the page as shown, no print emulation before it):
//     the handout hides the controls and prints on one page at full size (not shrunk to fit), for
//     every shipped scenario at its last week, its pictures drawn at their printed size, and the
//     arms' networks and charts lined up (same size, same top) on paper as on the screen; it
//     fills its page (printed down to 95% of it) with charts no smaller than 8 mm (the default's
//     12 mm or more);
//   - no chart's labels overlap or stick out, printed and on the screen ("0.50" over "0" did on the
//     8 mm printed charts); a chart labels as many y ticks as its height has room for;
//   - window.orgsim.run gives every per-step output of the dictionary, and dumps the series of
//     the scenarios named on the command line (compared with `orgsim run` by test_page.py);
//   - orgsim.run's series (per step, week0 apart) go to the page's form (by week) and back
//     unchanged through orgsim.byWeek / orgsim.byStep, and the story is the same from either;
//   - invalid scenarios reject with the command line's message (dumped for test_page.py);
//   - an arm's colour follows its strategy, the same in every shipped scenario, and a spare one
//     for a second arm of one strategy (no two arms alike); the arms' colours of every shipped scenario and
//     of the --colours files are dumped (colours.json) for test_page.py to compare with the
//     report's.
//   - a trainer's files, opened through the file input: a file that fails to load is said in
//     words over the title (the picker and the handout stay with the scenario shown); the common
//     mistakes lead in an organizer's words, the exact message kept; a workplace too big is
//     refused at once; a roster scenario sees only the CSVs opened with it and the shipped
//     example its own; a scenario extending a shipped one runs, and of a base and its variant the
//     variant; the story's biggest crowd is the report's; "fired" only where firing can happen.
// Usage: node tests/web/page_test.js --html build-web/orgsim.html --out DIR [--scenario NAME]...
//        [--bad FILE.json]... [--colours FILE.json]...
'use strict';
const fs = require('fs');
const path = require('path');
const root = path.resolve(__dirname, '..', '..');
const { chromium } = require(path.join(root, 'web', 'node_modules', 'playwright-core'));
const { decodePng, inkShare } = require('./png');

const args = { html: path.join(root, 'build-web', 'orgsim.html'), out: null, scenario: [], bad: [], colours: [] };
for (let i = 2; i < process.argv.length; i += 2) {
  const k = process.argv[i].replace(/^--/, ''), v = process.argv[i + 1];
  if (Array.isArray(args[k])) args[k].push(v); else args[k] = v;
}
if (!args.out) throw new Error('--out DIR is required');
fs.mkdirSync(args.out, { recursive: true });
const failures = [];
function check(ok, what) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu'],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, offline: true });
  const requests = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:') || url.startsWith('blob:') || url.startsWith('data:')) return route.continue();
    requests.push(url);
    return route.abort();
  });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  await page.goto('file://' + path.resolve(args.html));
  await page.waitForFunction(() => window.orgsim && window.orgsim.state.full !== null, null, { timeout: 120000 });

  // ---- panels drawn -------------------------------------------------------------------------
  const scenarioName = await page.evaluate(() => window.orgsim.state.quick.name);
  check(scenarioName === 'default', `the page opens on the default scenario (got ${scenarioName})`);
  // The first screen shows the story: the last week, where the networks have colour (at week 0
  // nothing has happened and every person is grey), with the scrubber at its end.
  const firstWeek = await page.evaluate(() => {
    const hex = (h) => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16));
    const violets = ['#c6b9e6', '#8b72cc', '#3f2585'].map(hex);  // the ladder's rungs above "not yet engaged"
    const coloured = [...document.querySelectorAll('.arm canvas.net')].map((c) => {
      const px = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let k = 0;
      for (let i = 0; i < px.length; i += 4)
        if (violets.some((v) => Math.abs(px[i] - v[0]) + Math.abs(px[i + 1] - v[1]) + Math.abs(px[i + 2] - v[2]) < 20)) ++k;
      return k;
    });
    const s = document.querySelector('#scrub');
    return { frame: window.orgsim.state.frame, steps: window.orgsim.state.quick.steps, scrub: s.value, max: s.max,
      week: document.getElementById('week').textContent, coloured };
  });
  check(firstWeek.frame === firstWeek.steps && firstWeek.scrub === firstWeek.max && firstWeek.coloured.some((k) => k > 200),
    `the page opens at the last week, the networks in colour and the scrubber at its end (${JSON.stringify(firstWeek)})`);
  // The legend is read before the networks: above them, on the screen (the handout's is checked
  // with the print view, further down).
  const legendAbove = () => page.evaluate(() => {
    const legend = document.getElementById('legend').getBoundingClientRect();
    const net = document.querySelector('.arm canvas.net').getBoundingClientRect();
    return { legendBottom: Math.round(legend.bottom), legendHeight: Math.round(legend.height), networkTop: Math.round(net.top),
      words: /not yet engaged/.test(document.getElementById('legend').textContent) };
  });
  const legendShown = await legendAbove();
  check(legendShown.legendHeight > 0 && legendShown.words && legendShown.legendBottom <= legendShown.networkTop,
    `the networks' legend sits above the networks on the screen (${JSON.stringify(legendShown)})`);
  // Week 0 is the workplace before the campaign, the same for every strategy: the page says so
  // above the arms (printed too), at week 0 on the scrubber and in the story's first line; at
  // week 0 both arms' networks are the same picture and every chart starts from the same point.
  const weekOne = await page.evaluate(() => ({
    note: document.getElementById('week-one') ? document.getElementById('week-one').textContent : '',
    noteBottom: document.getElementById('week-one') ? document.getElementById('week-one').getBoundingClientRect().bottom : Infinity,
    armsTop: document.getElementById('arms').getBoundingClientRect().top,
    story: document.querySelector('.arm .story').textContent,
  }));
  await page.evaluate(() => { const s = document.querySelector('#scrub'); s.value = '0'; s.dispatchEvent(new Event('input')); });
  weekOne.week = await page.$eval('#week', (el) => el.textContent);
  check(/same workplace/.test(weekOne.note) && /week 0, before any organizing/.test(weekOne.note) &&
        weekOne.noteBottom <= weekOne.armsTop && /^week 0 of \d+, before the campaign$/.test(weekOne.week) && /before the campaign/.test(weekOne.story),
    `the page says week 0 is the workplace before the campaign, above the arms, at week 0 and in the story (${JSON.stringify(weekOne)})`);
  const samePicture = () => page.evaluate(() => {
    const nets = [...document.querySelectorAll('.arm canvas.net')].map((c) => c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
    let differ = 0;
    for (let i = 0; i < nets[0].length; ++i) if (nets[0][i] !== nets[1][i]) ++differ;
    const q = window.orgsim.state.quick, f = window.orgsim.state.full;
    const first = (res, k) => res.arms.map((a) => a.replicates.map((r) => r.series[k][0]).join());
    const keys = ['trust_mean', 'strong_tie_share', 'organized_base', 'fear_mean', 'rung_member'];
    const nobodyActed = q.arms.every((a) => { const sn = a.replicates[0].snapshots; return Array.from(window.orgsim.frameAt(sn, 0).took_part).every((v) => v === 0); });
    return { differ, nobodyActed, sameFirst: keys.every((k) => [q, f].filter(Boolean).every((res) => new Set(first(res, k)).size === 1)),
      flowsStartLater: [q, f].filter(Boolean).every((res) => res.arms.every((a) => a.replicates.every((r) => Number.isNaN(r.series.turnout[0]) && Number.isNaN(r.series.backfires[0])))) };
  });
  const atWeek0 = await samePicture();
  await page.evaluate(() => { const s = document.querySelector('#scrub'); s.value = s.max; s.dispatchEvent(new Event('input')); });
  const atEnd = await samePicture();
  check(atWeek0.differ === 0 && atWeek0.nobodyActed && atWeek0.sameFirst && atWeek0.flowsStartLater && atEnd.differ > 0,
    `week 0: both arms' networks are one picture (pixels that differ: ${atWeek0.differ}; at the last week ${atEnd.differ}), nobody lit up as taking part (${atWeek0.nobodyActed}), ` +
    `every arm's and run's charts start from the same point (${atWeek0.sameFirst}), counts of a week's events start at week 1 (${atWeek0.flowsStartLater})`);
  await page.evaluate(() => { const s = document.querySelector('#scrub'); s.value = s.max; s.dispatchEvent(new Event('input')); });
  const panels = await page.$$('canvas[data-panel]');
  const arms = await page.$$('.arm');
  check(arms.length === 2, `two arms side by side (got ${arms.length})`);
  let blank = [];
  for (const p of panels) {
    const name = await p.getAttribute('data-panel');
    if (name === 'extra') continue;
    await p.scrollIntoViewIfNeeded();
    const share = inkShare(decodePng(await p.screenshot()));
    if (!(share > 0.003)) blank.push(`${name} (${(share * 100).toFixed(2)}% ink)`);
  }
  check(panels.length >= 2 * 8, `every arm has a network, a timeline and six charts (${panels.length} panels)`);
  check(blank.length === 0, 'no blank panel' + (blank.length ? ': ' + blank.join(', ') : ''));
  // ---- the layout: nothing wider than the window, the charts as wide as their boxes ----------
  const layout = () => page.evaluate(() => ({
    overflow: document.documentElement.scrollWidth - window.innerWidth,
    extra: [...document.querySelectorAll('#extra-charts canvas')].map((c) =>
      c.clientWidth / c.parentElement.clientWidth),
    // a canvas drawn at one width and shown at another is stretched: its bitmap is sized once
    stretched: [...document.querySelectorAll('#extra-charts canvas')].filter((c) =>
      Math.abs(c.width - Math.round(c.clientWidth * window.devicePixelRatio)) > 2).length,
  }));
  const wide = await layout();
  check(wide.overflow <= 0, `nothing overflows the window at 1280 px (${wide.overflow} px)`);
  check(wide.extra.length >= 2 && wide.extra.every((r) => r > 0.95) && wide.stretched === 0,
    `the 'every recorded quantity' charts fill their boxes, drawn at their size (${JSON.stringify(wide)})`);
  // "Every recorded quantity" names each quantity in words: its meaning from the output
  // dictionary (every output has one), never its code; the code is said apart, for results files.
  const quantities = await page.evaluate(() => {
    const outs = window.orgsim.state.full.outputs;
    const options = [...document.querySelectorAll('#extra option')];
    const bad = [];
    for (const o of outs) {
      if (!(typeof o.long_name === 'string' && o.long_name.trim().length > 8)) bad.push(`${o.name}: no words in the dictionary`);
      const opt = options.find((x) => x.value === o.name);
      if (!opt) { bad.push(`${o.name}: not offered`); continue; }
      const words = o.long_name.trim();
      if (opt.textContent !== words.charAt(0).toUpperCase() + words.slice(1)) bad.push(`${o.name}: shown as "${opt.textContent}"`);
      if (/_/.test(o.name) && opt.textContent.includes(o.name)) bad.push(`${o.name}: its code shown in "${opt.textContent}"`);
    }
    const sel = document.getElementById('extra').value;
    const titles = [...document.querySelectorAll('#extra-charts .chart-title')].map((t) => t.textContent);
    if (titles.some((t) => t.includes(sel))) bad.push(`the chart titles name the code: ${titles.join(' | ')}`);
    const code = document.getElementById('extra-code') ? document.getElementById('extra-code').textContent : '';
    if (!code.includes(sel)) bad.push(`the code of the quantity shown is not said apart ("${code}")`);
    return { outputs: outs.length, options: options.length, bad };
  });
  check(quantities.outputs > 20 && quantities.options === quantities.outputs && quantities.bad.length === 0,
    `"Every recorded quantity" names every output in the dictionary's words, not its code (${quantities.options} of ${quantities.outputs})` +
    (quantities.bad.length ? ': ' + quantities.bad.join('; ') : ''));
  // ... and says what each counts: the dictionary's description (every output, per step and per
  // run, carries one from the engine), on a line under the picker for the quantity chosen (a room
  // reads the screen, not a tooltip) and as each option's tooltip.
  const about = await page.evaluate(async () => {
    const res = window.orgsim.state.full;
    const raw = await window.orgsim.run(window.orgsim.scenarios.default, { replicates: 1, snapshots: 0, raw: true });
    const bad = [];
    for (const o of res.outputs.concat(raw.run_outputs || [])) {
      if (!(typeof o.description === 'string' && o.description.trim().length > 8))
        bad.push(`${o.name}: no description sent`);
    }
    if (!(raw.run_outputs || []).length) bad.push('no per-run outputs sent');
    const sel = document.getElementById('extra');
    const before = sel.value;
    const shown = [];
    for (const name of ['organized_base', 'power']) {
      sel.value = name;
      sel.dispatchEvent(new Event('change'));
      const o = res.outputs.find((x) => x.name === name);
      const line = document.getElementById('extra-about');
      const text = line ? line.textContent : '';
      shown.push(text);
      if (!o || !o.description || !text.includes(o.description.trim())) bad.push(`${name}: its description is not said under the picker ("${text}")`);
      else if (!(line.getBoundingClientRect().height > 0)) bad.push(`${name}: its description is hidden`);
      const opt = sel.querySelector(`option[value="${name}"]`);
      if (!o || !opt || opt.title !== o.description) bad.push(`${name}: its option's tooltip is "${opt && opt.title}"`);
    }
    sel.value = before;
    sel.dispatchEvent(new Event('change'));
    return { bad, shown };
  });
  check(about.bad.length === 0,
    `"Every recorded quantity" says what the quantity shown counts, in the dictionary's description (${JSON.stringify(about.shown)})` +
    (about.bad.length ? ': ' + about.bad.join('; ') : ''));
  await page.setViewportSize({ width: 420, height: 900 });
  await page.waitForTimeout(300);
  const narrow = await layout();
  check(narrow.overflow <= 0, `nothing overflows the window on a phone, 420 px (${narrow.overflow} px)`);
  await page.setViewportSize({ width: 1280, height: 1000 });
  await page.waitForTimeout(300);
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(args.out, 'page.png') });
  // play a few weeks: the scrubber moves and the network is redrawn
  await page.click('#play');
  await page.waitForTimeout(700);
  await page.click('#play');
  const frame = await page.evaluate(() => window.orgsim.state.frame);
  check(frame > 0, `play advances the weeks (at week ${frame})`);
  await page.evaluate(() => document.querySelector('#scrub').value = '120');
  await page.dispatchEvent('#scrub', 'input');
  check(await page.evaluate(() => window.orgsim.state.frame) === 120, 'the scrubber moves to week 120');
  await page.screenshot({ path: path.join(args.out, 'page-week121.png') });
  const story = await page.$eval('.arm .story', (e) => e.textContent);
  check(/organized base/.test(story) && /%/.test(story), 'the plain-language panel tells what happened');

  // ---- the story's verdict on the strongest action, from the power rule ----------------------
  // One made-up run of 3 steps with one action at step 1 (turnout T, cohesion C, power P) against
  // a line of 0.25: each case must give the reason the rule implies.
  const verdict = (T, C, P, wins, width, rev = 0) => page.evaluate(([T, C, P, wins, width, rev]) => {
    const nan = NaN, flat = [0.1, 0.1, 0.1];
    const series = { organized_base: flat, strong_tie_share: flat, trust_mean: flat, fear_mean: flat,
      organizers_worker: [1, 1, 1], backfires: [0, 0, 0], standing_wins: [0, 0, wins],
      turnout: [nan, T, nan], power: [nan, P, nan], cohesion: [nan, C, nan] };
    const arm = { params: { 'population.size': 100, 'employer.resistance': 0.25, 'actions.win_width': width },
      replicates: [{ series, outcomes: { wins, reversals: rev } }] };
    return window.orgsim.story(arm, { steps: 3, arms: [arm] }).join(' ');
  }, [T, C, P, wins, width, rev]);
  const POWER_SAID = 'power \\(how many came out, counted for more when they trust each other\\)';
  const NO_REASON = "^(?![\\s\\S]*(more people needed|did not yet trust|barely trust|enough to win|just short))[\\s\\S]*";
  const AT_LINE = new RegExp(NO_REASON + "Its strongest actions were right at the employer's line: their " + POWER_SAID +
    " was 0\\.25, the line 0\\.25\\. That close, winning is partly luck\\.");
  const AT_LINE_NO_WIDTH = new RegExp(NO_REASON + POWER_SAID + " was 0\\.25 against the employer's line of 0\\.25 — right at the line\\.");
  const cases = [
    [[0.2, 0.9, 0.19, 0, 0], /not enough: more people needed to come out/, 'a crowd below the line'],
    [[0.6, 0.1, 0.22, 0, 0], /not enough: a crowd whose people barely trust each other is weak/, 'a big crowd with little trust'],
    [[0.6, 0.3, 0.24, 0, 0], /not enough: its people did not yet trust each other enough/, 'a big crowd with some trust'],
    // within two widths of the line, with wins: close, partly luck, and no reason for a miss (the
    // trainer's review: 'just short ... did not yet trust each other enough', then 'They won 3 times')
    [[0.43, 0.3, 0.24, 3, 0.03], new RegExp(NO_REASON + "Its strongest actions came close to the employer's line: their " + POWER_SAID +
      " was 0\\.24 against 0\\.25\\. That close, winning is partly luck\\. They won 3 times"), 'within two widths below the line, with wins'],
    [[0.6, 0.3, 0.24, 0.5, 0.03], new RegExp(NO_REASON + "came close to the employer's line: .* That close, winning is partly luck"), 'within two widths of the line, half a win a run'],
    [[0.6, 0.6, 0.28, 2, 0.03], new RegExp(NO_REASON + "went just over the employer's line: their power .* was 0\\.28 against 0\\.25\\. That close, winning is partly luck\\. They won 2 times"), 'within two widths above the line, with wins'],
    // clearly below (more than two widths), even with wins: the reason
    [[0.2, 0.9, 0.17, 0.5, 0.03], /was 0\.17 against the employer's line of 0\.25 — not enough: more people needed to come out\./, 'clearly below the line, with wins'],
    [[0.6, 0.3, 0.15, 0.5, 0.03], /was 0\.15 against the employer's line of 0\.25 — not enough: its people did not yet trust each other enough/, 'a big crowd clearly below the line, with wins'],
    // the side of the line as the numbers read: 0.2496 and 0.2504 both read 0.25 against 0.25
    [[0.6, 0.6, 0.2496, 2, 0.03], AT_LINE, 'power 0.2496 at a line of 0.25, with wins'],
    [[0.6, 0.6, 0.2504, 2, 0.03], AT_LINE, 'power 0.2504 at a line of 0.25, with wins'],
    [[0.6, 0.6, 0.2496, 0, 0], AT_LINE_NO_WIDTH, 'power 0.2496 at a line of 0.25, no luck band'],
    [[0.6, 0.6, 0.2504, 1, 0], AT_LINE_NO_WIDTH, 'power 0.2504 at a line of 0.25, no luck band'],
    // 'power' is explained in plain words where the panel first says it
    [[0.6, 0.6, 0.4, 2, 0.03], /^(?:(?!power)[\s\S])*power \(how many came out, counted for more when they trust each other\)/, 'power explained at its first use'],
    [[0.6, 0.3, 0.24, 0.5, 0.03], /Most runs won nothing \(0\.5 wins a run/, 'half a win a run'],
    // Above the line a win is a chance (actions.win_width), likelier the further above: never
    // "enough to win" (the page said so), except where the line is sharp (a width of 0); no win
    // does not mean no action got over the line.
    [[0.6, 0.6, 0.4, 2, 0.03], new RegExp(NO_REASON + "0\\.40 against the employer's line of 0\\.25 — above the line, so likely to win\\. They won 2 times"), 'above the line'],
    [[0.6, 0.6, 0.4, 0, 0.03], new RegExp(NO_REASON + "0\\.40 against the employer's line of 0\\.25 — above the line, so likely to win\\. Still, no action won: over the line a win is a chance, not a sure thing\\."), 'above the line, no wins'],
    [[0.6, 0.6, 0.27, 0, 0.03], new RegExp(NO_REASON + "0\\.27 against the employer's line of 0\\.25 — just over the line, where a win is partly luck\\. Still, no action won"), 'just over the line, no wins'],
    [[0.2, 0.9, 0.19, 0, 0.03], new RegExp(NO_REASON.replace('more people needed|', '') + "not enough: more people needed to come out\\. No action won\\."), 'below the line, no wins'],
    [[0.6, 0.6, 0.4, 2, 0], /0\.40 against the employer's line of 0\.25 — above the line, so enough to win\. They won 2 times/, 'above a sharp line (no luck band)'],
    // wins taken back as a share of the wins, not as a count of half a win
    [[0.6, 0.3, 0.24, 0.5, 0.03, 0.25], /0\.5 wins a run on average\); 50% of those wins were taken back; 0\.5 a run still stood/, 'half of half a win taken back'],
    [[0.6, 0.6, 0.4, 2, 0.03, 2], /They won 2 times; every one of those wins was taken back; 2 still stood/, 'every win taken back'],
  ];
  for (const [args_, re, what] of cases) {
    const text = await verdict(...args_);
    check(re.test(text), `the story for ${what}: ${re}` + (re.test(text) ? '' : ` (got "${text}")`));
  }

  // ---- the turnover slider ------------------------------------------------------------------
  const endBase = () => page.evaluate(() => {
    const arm = window.orgsim.state.full.arms.find((a) => a.name === 'relationship_first');
    const T = window.orgsim.state.full.steps;
    return arm.replicates.reduce((s, r) => s + r.series.organized_base[T - 1], 0) / arm.replicates.length;
  });
  const before = await endBase();
  await page.evaluate(() => { window.__before = window.orgsim.state.full; });
  await page.$eval('input[data-key="environment.turnover"]', (el) => {
    el.value = '0.03';
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
  await page.waitForFunction(() => window.orgsim.state.full && window.orgsim.state.full !== window.__before, null, { timeout: 120000 });
  const after = await endBase();
  check(after < before, `turnover up to 3%/week lowers relationship_first's organized base at the end (${before.toFixed(3)} -> ${after.toFixed(3)})`);

  // ---- the title and the things to try -------------------------------------------------------
  // The scenario's title in words, in the heading and the picker; a thing to try that carries its
  // values reruns every strategy with them from the scenario's values (the slider moved above is
  // undone), shows the slider at the new value and says what it set; the reset undoes it.
  const heading = await page.$eval('#title', (el) => el.textContent);
  const picked = await page.$eval('#scenario option[value="staffer_pushed_ava"]', (el) => el.textContent);
  check(heading === 'Organizing or mobilizing: one workplace, three years' && picked === 'The staffer who pushed Ava',
    `the scenario's title in words in the heading and the picker (got "${heading}", "${picked}")`);
  const tryIt = async (selector) => {
    await page.evaluate(() => { window.__before = window.orgsim.state.full; });
    await page.click(selector);
    await page.waitForFunction(() => window.orgsim.state.full && window.orgsim.state.full !== window.__before, null, { timeout: 120000 });
    return page.evaluate(() => ({
      turnover: window.orgsim.state.full.arms.map((a) => a.params['environment.turnover']),
      slider: Number(document.querySelector('input[data-key="environment.turnover"]').value),
      trying: Array.from(document.querySelectorAll('#try li.trying')).map((li) => li.textContent),
      buttons: document.querySelectorAll('#try button.try-it').length,
      changed: document.getElementById('changed').hidden ? null : document.getElementById('changed').textContent,
      picker: Array.from(document.querySelectorAll('#scenario option')).map((o) => o.value).slice(0, 4).join(),
    }));
  };
  const tried = await tryIt('#try button.try-it[data-index="0"]');
  check(tried.turnover.every((v) => v === 0.02) && tried.slider === 0.02 && tried.trying.length === 1 &&
        /Turnover \(share of people leaving per week\): 2\.0%\/wk/.test(tried.trying[0]) && tried.buttons === 2,
    `"Try it" reruns every strategy with the thing to try's values and says what it set (${JSON.stringify(tried)})`);
  // ... and what it did, arm by arm, against the scenario as written; the page (and so the
  // printed handout) says the settings changed, under the title
  check(/Before → now: relationship first: wins [\d.]+ → [\d.]+, organized base [\d.]+% → [\d.]+%; big messaging: /.test(tried.trying[0]) &&
        /^Changed from the scenario as written: Turnover \(share of people leaving per week\): 2\.0%\/wk\./.test(tried.changed || ''),
    `a thing tried says what it did to each strategy, and the page says the settings changed (${tried.changed})`);
  check(tried.picker === 'default,year1_isolated,year2_hot_no_relationships,year3_base_clicks',
    `the scenario picker follows the teaching order (${tried.picker})`);
  const undone = await tryIt('#reset');
  check(undone.turnover.every((v) => v === 0.004) && undone.slider === 0.004 && undone.trying.length === 0 && undone.changed === null,
    `"Back to the scenario's values" undoes a thing tried (${JSON.stringify(undone)})`);

  // ---- the scenario's files, to take away ----------------------------------------------------
  const files = await page.$$eval('#files a', (as) => as.map((a) => ({ name: a.getAttribute('download'), text: decodeURIComponent(a.href.split(',').slice(1).join(',')) })));
  check(files.length === 1 && files[0].name === 'default.json' && JSON.parse(files[0].text).name === 'default',
    `the scenario's file can be downloaded as written (${files.map((f) => f.name)})`);

  // ---- the print view -----------------------------------------------------------------------
  // Printed as a trainer prints: page.pdf() on the page as it is on the screen goes through
  // Chromium's print path (beforeprint, the layout at the A4 page's width, the print media
  // query's change, the pages). The pictures must be drawn for that layout; the page redraws
  // them on the print media change, so what the handout is made of is recorded there (a listener
  // added after the page's own, so it sees the page's redraw). No print emulation before
  // page.pdf(): it would lay the print view out at the window's width and draw the pictures for
  // that width, and page.pdf() would then print them stretched.
  await page.evaluate(() => {
    // the arms line up: every arm's network and each of its charts at the same size and top
    window.__misalignment = () => {
      const arms = [...document.querySelectorAll('.arm')];
      const bad = [];
      const panels = ['canvas.net', ...[...arms[0].querySelectorAll('canvas.chart')].map((c) => `canvas[data-chart="${c.dataset.chart}"]`)];
      for (const sel of panels) {
        const r = arms.map((a) => a.querySelector(sel).getBoundingClientRect()).filter((b) => b.height > 0);
        if (r.length && r.length !== arms.length) { bad.push(`${sel} hidden in some arms`); continue; }
        const spread = (k) => Math.max(...r.map((b) => b[k])) - Math.min(...r.map((b) => b[k]));
        const off = ['top', 'width', 'height'].filter((k) => spread(k) > 1.5);
        if (off.length) bad.push(`${sel} ${off.map((k) => `${k} ${r.map((b) => Math.round(b[k])).join('/')}`).join(', ')}`);
      }
      return bad;
    };
    // Every chart's labels, as drawn (fillText, measured; a full clearRect starts a new drawing):
    // no two may overlap (as "0.50" drawn over "0" did on 8 mm printed charts), none may stick out
    // of its chart, and each chart labels its y axis.
    const drawn = new WeakMap();
    const C2D = CanvasRenderingContext2D.prototype, fillText = C2D.fillText, clearRect = C2D.clearRect;
    C2D.clearRect = function (x, y, w, h) {
      if (x <= 0 && y <= 0 && w >= this.canvas.width && h >= this.canvas.height) drawn.set(this.canvas, []);
      return clearRect.apply(this, arguments);
    };
    C2D.fillText = function (text, x, y) {
      const m = this.measureText(text), t = this.getTransform();
      if (!drawn.has(this.canvas)) drawn.set(this.canvas, []);
      drawn.get(this.canvas).push({ text: String(text),
        left: t.e + t.a * (x - m.actualBoundingBoxLeft), right: t.e + t.a * (x + m.actualBoundingBoxRight),
        top: t.f + t.d * (y - m.actualBoundingBoxAscent), bottom: t.f + t.d * (y + m.actualBoundingBoxDescent) });
      return fillText.apply(this, arguments);
    };
    window.__labelFaults = () => {
      const bad = [];
      for (const c of document.querySelectorAll('canvas.chart')) {
        if (!(c.clientWidth > 0 && c.clientHeight > 0)) continue;
        const where = `${c.dataset.panel || 'chart'} (${c.clientHeight} px tall)`;
        const L = drawn.get(c) || [];
        const dpr = window.devicePixelRatio || 1;
        if (!L.some((b) => b.right <= 34 * dpr)) bad.push(`${where}: no y-axis label`);
        for (const b of L) if (b.top < -0.5 || b.bottom > c.height + 0.5 || b.left < -0.5 || b.right > c.width + 0.5)
          bad.push(`${where}: "${b.text}" sticks out`);
        for (let i = 0; i < L.length; ++i) for (let j = i + 1; j < L.length; ++j) {
          const a = L[i], b = L[j];
          if (Math.min(a.right, b.right) - Math.max(a.left, b.left) > 0.5 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 0.5)
            bad.push(`${where}: "${a.text}" overlaps "${b.text}"`);
        }
      }
      return [...new Set(bad)];
    };
    window.__labelTexts = (c) => (drawn.get(c) || []).map((b) => b.text);
    window.__printed = null;
    window.matchMedia('print').addEventListener('change', (e) => {
      if (!e.matches) return;
      const dpr = window.devicePixelRatio || 1;
      const shown = [...document.querySelectorAll('canvas')].filter((c) => c.clientWidth > 0 && c.clientHeight > 0);
      window.__printed = {
        sliders: getComputedStyle(document.querySelector('#sliders-box')).display,
        player: getComputedStyle(document.querySelector('#player')).display,
        arms: document.querySelector('#arms').getBoundingClientRect().height,
        discussion: document.querySelectorAll('#discussion li').length,
        canvases: shown.length,
        // a canvas whose bitmap was drawn at another size than it is printed at is stretched
        stretched: shown.filter((c) => Math.abs(c.width - Math.round(c.clientWidth * dpr)) > 2 ||
          Math.abs(c.height - Math.round(c.clientHeight * dpr)) > 2)
          .map((c) => `${c.dataset.panel} drawn ${c.width}x${c.height} for ${c.clientWidth}x${c.clientHeight}`),
        misaligned: window.__misalignment(),
        labels: window.__labelFaults(),
        // the layout's width: the A4 page inside its 10 mm margins (190 mm, 718 px) when printed
        // at full size; wider when something stuck out and Chromium shrank the page to fit
        width: document.documentElement.clientWidth,
        // how much of the page the handout uses: the lowest text or picture printed (the page
        // is 277 mm tall inside its margins), and the charts' printed heights (CSS px)
        inkBottom: Math.max(...[...document.querySelectorAll('body *')].filter((el) =>
          (el.tagName === 'CANVAS' || [...el.childNodes].some((c) => c.nodeType === 3 && c.textContent.trim())) &&
          el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
          .map((el) => el.getBoundingClientRect().bottom + window.scrollY)),
        charts: [...document.querySelectorAll('.arm canvas.chart')].map((c) => c.clientHeight),
        nets: [...document.querySelectorAll('.arm canvas.net')].map((c) => [c.clientWidth, c.clientHeight]),
        // the legend is read before the networks, and says what week 0 is
        legend: (() => {
          const l = document.getElementById('legend'), w = document.getElementById('week-one');
          const net = document.querySelector('.arm canvas.net').getBoundingClientRect();
          return { shown: l.getBoundingClientRect().height > 0, above: l.getBoundingClientRect().bottom <= net.top,
            weekOne: !!w && w.getBoundingClientRect().height > 0 && /week 0, before any organizing/.test(w.textContent) };
        })(),
      };
    });
  });
  const A4_WIDTH = Math.round(190 / 25.4 * 96);  // style.css: @page A4 portrait, 10 mm margins
  const A4_HEIGHT = 277 / 25.4 * 96;
  const printHandout = async () => {
    await page.evaluate(() => { window.__printed = null; });
    const pdf = await page.pdf({ format: 'A4', printBackground: true });
    return { pdf, pages: (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length,
      printed: await page.evaluate(() => window.__printed) };
  };
  const handout = await printHandout();
  fs.writeFileSync(path.join(args.out, 'handout.pdf'), handout.pdf);
  const printView = handout.printed || {};
  check(handout.printed !== null, 'printing lays the page out for the paper and the page redraws its pictures for it');
  check(printView.sliders === 'none' && printView.player === 'none', 'the handout hides the controls');
  check(printView.arms > 100 && printView.discussion >= 1, 'the handout shows the arms and the discussion points');
  check(handout.pages === 1, `the handout prints on one page (${handout.pages} page(s))`);
  check(printView.canvases >= 2 * 7 && printView.stretched.length === 0,
    `every picture in the handout is drawn at its printed size (${printView.canvases} canvases` +
    (printView.stretched && printView.stretched.length ? '; stretched: ' + printView.stretched.join(', ') : '') + ')');
  const ticks = await page.evaluate(() => [92, 30, 20].map((h) => window.orgsim.chartAxis(h).ticks));
  check(ticks.join() === '3,2,1', `a chart labels as many y ticks as its height has room for: 3 at 92 px (the screen), ` +
    `2 at 30 px (8 mm, printed), 1 at 20 px (${ticks.join(', ')})`);
  check(printView.labels && printView.labels.length === 0, 'the handout\'s charts label their y axis, and no label overlaps another or sticks out' +
    (printView.labels && printView.labels.length ? ': ' + printView.labels.join('; ') : ''));
  check(printView.width <= A4_WIDTH, `the handout prints at full size, not shrunk to fit (laid out ${printView.width} px wide for ${A4_WIDTH} px of paper)`);
  // The handout uses its page: no blank fifth at the bottom, and charts large enough to read
  // across a room's tables (they were 8 mm, 30 px, with a fifth of the page left empty).
  check(printView.inkBottom >= 0.95 * A4_HEIGHT && Math.min(...printView.charts) >= 12 / 25.4 * 96,
    `the handout fills its page (printed down to ${(100 * printView.inkBottom / A4_HEIGHT).toFixed(0)}% of it) and its charts are at least 12 mm tall ` +
    `(${printView.charts.slice(0, 6).map((h) => (h * 25.4 / 96).toFixed(1)).join(', ')} mm)`);
  check(printView.legend && printView.legend.shown && printView.legend.above && printView.legend.weekOne,
    `the handout prints the networks' legend above them, with what week 0 is (${JSON.stringify(printView.legend)})`);
  // chart words: the rung chart says supporters are not yet organized; the years are named,
  // all three of a three-year run
  const words = await page.evaluate(() => ({
    title: document.querySelector('.arm canvas[data-chart="base"]').closest('.chart-box').previousElementSibling.textContent,
    years: window.__labelTexts(document.querySelector('.arm canvas[data-chart="base"]')).filter((t) => /\b(yr|year)\b/.test(t)),
    steps: window.orgsim.state.full.steps,
  }));
  check(/supporters \(not yet organized\)/i.test(words.title) && words.steps === 156 && words.years.join() === 'year 1,year 2,year 3',
    `the rung chart says supporters are not yet organized, and names the years ("${words.title}"; ${words.years.join(', ')})`);
  // the print view at the window's width, for a look (the handout itself is handout.pdf)
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: path.join(args.out, 'handout.png'), fullPage: true });
  await page.emulateMedia({ media: null });  // no emulation: 'screen' would also hold while printing
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  // Every shipped scenario's handout fits one page (three arms and long stories included), its
  // pictures are drawn at their printed size, and its arms line up for a side-by-side
  // comparison: every arm's network and each of its charts at the same size and the same height
  // on the page (and so on the screen at 1280 px, where the arms sit in one row), however long
  // each arm's name and description.
  const longer = [], misaligned = [], stretched = [], shrunk = [], mislabelled = [], unfilled = [], chartSizes = [], legendBelow = [], notAtEnd = [];
  // The 'What if…?' sliders are honest about the arms: a slider never shows one arm's value as
  // every arm's (the hour split reads each strategy's share of one-on-ones when they differ), and
  // the staff-hours slider is not offered (hidden or disabled) where no arm has a staff organizer.
  const dishonest = [];
  const sliderFaults = () => page.evaluate(() => {
    const res = window.orgsim.state.full, bad = [];
    const slider = (k) => document.querySelector(`#sliders input[data-key="${k}"]`).closest('.slider');
    const offered = (el) => !(el.hidden || getComputedStyle(el).display === 'none' || el.querySelector('input').disabled);
    const pct = (v) => (v * 100).toFixed(0) + '%';
    const shares = [...new Set(res.arms.filter((a) => Object.values(a.allocation).some((v) => v > 0))
      .map((a) => pct(a.allocation.one_on_one)))];
    const split = slider('split'), said = split.querySelector('label').textContent;
    if (shares.length > 1 && !shares.every((v) => said.includes(v)))
      bad.push(`the one-on-ones slider reads "${said}" for strategies at ${shares.join(' / ')}`);
    if (shares.length === 1 && !said.includes(shares[0])) bad.push(`the one-on-ones slider reads "${said}" for ${shares[0]}`);
    const staff = res.arms.some((a) => a.params['campaign.staff_organizers'] > 0);
    const hours = slider('campaign.hours_per_step');
    if (staff !== offered(hours)) bad.push(`the staff-hours slider is ${offered(hours) ? '' : 'not '}offered with ` +
      `${staff ? '' : 'no '}staff organizer ("${hours.textContent.replace(/\s+/g, ' ').trim()}")`);
    if (!offered(hours) && !/staff organizer/.test(hours.textContent) && !hours.hidden)
      bad.push('the staff-hours slider is disabled without saying why');
    return bad;
  });
  const overflowing = [];
  let oneYear = null;
  // The arms' colours as shown: each arm's heading (hex) and its trust chart's share of pixels
  // in that colour (the chart's lines), with the arm's strategy and the page's rule's answer.
  const colours = {};
  const armColours = () => page.evaluate(() => {
    const hex = (rgb) => '#' + rgb.match(/\d+/g).slice(0, 3).map((v) => Number(v).toString(16).padStart(2, '0')).join('');
    const res = window.orgsim.state.quick;
    const rule = window.orgsim.armColors ? window.orgsim.armColors(res).map((c) => c.toLowerCase())
      : res.arms.map(() => 'none (no orgsim.armColors)');
    return res.arms.map((arm, a) => {
      const view = document.querySelectorAll('.arm')[a];
      const heading = hex(getComputedStyle(view.querySelector('h3')).color);
      const chart = view.querySelector('canvas[data-chart="trust"]');
      const px = chart.getContext('2d').getImageData(0, 0, chart.width, chart.height).data;
      const want = [1, 3, 5].map((i) => parseInt(heading.slice(i, i + 2), 16));
      let inColour = 0;
      for (let i = 0; i < px.length; i += 4)
        if (Math.abs(px[i] - want[0]) + Math.abs(px[i + 1] - want[1]) + Math.abs(px[i + 2] - want[2]) < 12 && px[i + 3] > 200) ++inColour;
      return { name: arm.name, strategy: arm.params['campaign.strategy'], heading, rule: rule[a], chart_pixels: inColour };
    });
  });
  for (const name of await page.$$eval('#scenario option', (o) => o.map((x) => x.value))) {
    await page.evaluate(() => { window.__shown = window.orgsim.state.full; });
    await page.selectOption('#scenario', name);
    await page.waitForFunction(() => window.orgsim.state.full && window.orgsim.state.full !== window.__shown,
      null, { timeout: 120000 });
    for (const m of await sliderFaults()) dishonest.push(`${name}: ${m}`);
    // opened at its last week, the legend above the networks
    const opened = await page.evaluate(() => ({ frame: window.orgsim.state.frame, steps: window.orgsim.state.quick.steps }));
    if (opened.frame !== opened.steps) notAtEnd.push(`${name}: week ${opened.frame} of ${opened.steps}`);
    const lg = await legendAbove();
    if (!(lg.legendHeight > 0 && lg.legendBottom <= lg.networkTop)) legendBelow.push(`${name} on screen`);
    colours[name] = await armColours();
    if (name === 'year3_base_clicks') {  // a one-year run told in weeks, never as "year 1"
      oneYear = await page.evaluate(() => ({
        axis: window.__labelTexts(document.querySelector('.arm canvas[data-chart="base"]')).filter((t) => /\b(yr|year|weeks)\b/.test(t)),
        week: document.getElementById('week').textContent,
      }));
    }
    if (name === 'mobilizing_back_to_organizing') {
      const said = await page.$eval('#sliders input[data-key="split"]', (el) => el.closest('.slider').textContent.replace(/\s+/g, ' ').trim());
      if (!/0% \/ 35% \/ 40%/.test(said) || !/every strategy/.test(said)) dishonest.push(`${name}: the one-on-ones slider says "${said}"`);
    }
    for (const m of await page.evaluate(() => window.__misalignment())) misaligned.push(`${name} on screen: ${m}`);
    for (const m of await page.evaluate(() => window.__labelFaults())) mislabelled.push(`${name} on screen: ${m}`);
    // nothing wider than the window, at 1280 px and on phones (420 and 360 px), whatever the scenario's
    // names, descriptions, discussion points and things to try
    for (const width of [1280, 420, 360]) {
      if (width !== 1280) { await page.setViewportSize({ width, height: 900 }); await page.waitForTimeout(200); }
      const over = (await layout()).overflow;
      if (over > 0) overflowing.push(`${name} at ${width} px: ${over} px`);
    }
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.waitForTimeout(200);
    // printed at the last week: the charts' week cursors at their right end
    await page.evaluate(() => { const s = document.querySelector('#scrub'); s.value = s.max; s.dispatchEvent(new Event('input')); });
    const h = await printHandout();
    if (h.pages !== 1) longer.push(`${name}: ${h.pages} pages`);
    if (!h.printed) { stretched.push(`${name}: not redrawn for the paper`); continue; }
    if (h.printed.width > A4_WIDTH) shrunk.push(`${name}: ${h.printed.width} px`);
    // the page used to its foot, the charts never below the old 8 mm (what is left after the words
    // goes to them: the three-arm scenarios with long stories have little left)
    const printedAs = `${name} ${(100 * h.printed.inkBottom / A4_HEIGHT).toFixed(0)}%, charts ${(Math.min(...h.printed.charts) * 25.4 / 96).toFixed(1)} mm`;
    chartSizes.push(printedAs);
    if (h.printed.inkBottom < 0.95 * A4_HEIGHT || Math.min(...h.printed.charts) < 7.9 / 25.4 * 96) unfilled.push(printedAs);
    if (!(h.printed.legend.shown && h.printed.legend.above)) legendBelow.push(`${name} printed`);
    for (const m of h.printed.misaligned) misaligned.push(`${name} printed: ${m}`);
    for (const m of h.printed.labels) mislabelled.push(`${name} printed: ${m}`);
    for (const m of h.printed.stretched) stretched.push(`${name}: ${m}`);
  }
  check(overflowing.length === 0, 'nothing overflows the window for any shipped scenario, at 1280, 420 and 360 px' +
    (overflowing.length ? ': ' + overflowing.join(', ') : ''));
  check(dishonest.length === 0, 'every shipped scenario\'s sliders show each strategy\'s value where they differ, and offer staff hours only with a staff organizer' +
    (dishonest.length ? ': ' + dishonest.join('; ') : ''));
  check(longer.length === 0, 'every shipped scenario\'s handout prints on one page' + (longer.length ? ': ' + longer.join(', ') : ''));
  check(shrunk.length === 0, `every shipped scenario's handout prints at full size, at the last week (laid out ${A4_WIDTH} px wide)` +
    (shrunk.length ? ': ' + shrunk.join(', ') : ''));
  check(stretched.length === 0, 'every shipped scenario\'s handout has its pictures drawn at their printed size' +
    (stretched.length ? ': ' + stretched.join('; ') : ''));
  check(mislabelled.length === 0, 'every shipped scenario\'s charts label their y axis, and no label overlaps another or sticks out, printed and at 1280 px' +
    (mislabelled.length ? ': ' + mislabelled.slice(0, 12).join('; ') + (mislabelled.length > 12 ? `; … (${mislabelled.length} in all)` : '') : ''));
  check(unfilled.length === 0, 'every shipped scenario\'s handout fills its page (printed down to 95% of it or more), its charts 8 mm tall or more (' +
    chartSizes.join('; ') + ')' + (unfilled.length ? ': not filled: ' + unfilled.join('; ') : ''));
  check(legendBelow.length === 0, 'every shipped scenario shows the networks\' legend above them, on the screen and printed' +
    (legendBelow.length ? ': ' + legendBelow.join(', ') : ''));
  check(notAtEnd.length === 0, 'every shipped scenario opens at its last week' + (notAtEnd.length ? ': ' + notAtEnd.join(', ') : ''));
  check(misaligned.length === 0, 'every shipped scenario\'s arms line up (networks and charts: same size, same top), printed and at 1280 px' +
    (misaligned.length ? ': ' + misaligned.join('; ') : ''));

  // ---- the arms' colours ---------------------------------------------------------------------
  // Made-up scenarios from --colours files (test_page.py: arms sharing a strategy, a strategy set
  // by the scenario alone, every strategy at once), shown as a trainer opens them.
  for (const f of args.colours) {
    const doc = JSON.parse(fs.readFileSync(f, 'utf8'));
    await page.evaluate(() => { window.__shown = window.orgsim.state.full; });
    await page.evaluate((d) => window.orgsim.load(d), doc);
    await page.waitForFunction(() => window.orgsim.state.full && window.orgsim.state.full !== window.__shown,
      null, { timeout: 120000 });
    colours[path.basename(f, '.json')] = await armColours();
  }
  fs.writeFileSync(path.join(args.out, 'colours.json'), JSON.stringify(colours, null, 1));
  const shared = [], drifting = [], undrawn = [], offRule = [], byStrategy = {};
  for (const [name, arms] of Object.entries(colours)) {
    const heads = arms.map((a) => a.heading);
    if (new Set(heads).size !== heads.length) shared.push(`${name}: ${heads.join(' ')}`);
    for (const a of arms) {
      if (a.heading !== a.rule) offRule.push(`${name}/${a.name}: heading ${a.heading}, rule ${a.rule}`);
      if (a.chart_pixels < 30) undrawn.push(`${name}/${a.name}: ${a.chart_pixels} px of ${a.heading}`);
    }
    // each strategy has one colour in every scenario whose arms' strategies differ
    if (new Set(arms.map((a) => a.strategy)).size === arms.length) {
      for (const a of arms) (byStrategy[a.strategy] = byStrategy[a.strategy] || new Set()).add(a.heading);
    }
  }
  for (const [s, set] of Object.entries(byStrategy)) if (set.size > 1) drifting.push(`${s}: ${[...set].join(' ')}`);
  check(shared.length === 0, 'no two arms of a scenario share a colour (every shipped scenario and the made-up ones)' +
    (shared.length ? ': ' + shared.join('; ') : ''));
  check(drifting.length === 0 && Object.keys(byStrategy).length >= 5, 'a strategy has one colour in every scenario, wherever its arm sits (' +
    Object.entries(byStrategy).map(([s, set]) => `${s} ${[...set].join('/')}`).join(', ') + ')' + (drifting.length ? ': ' + drifting.join('; ') : ''));
  check(offRule.length === 0 && undrawn.length === 0, 'each arm\'s heading and chart lines are drawn in its colour' +
    (offRule.length + undrawn.length ? ': ' + offRule.concat(undrawn).join('; ') : ''));

  check(oneYear && oneYear.axis.join() === '52 weeks' && /^week \d+ of 52$/.test(oneYear.week),
    `a scenario of one year (year3_base_clicks) is charted in weeks, not as "year 1" (${JSON.stringify(oneYear)})`);

  // ---- the scriptable face -------------------------------------------------------------------
  const names = await page.evaluate(() => Object.keys(window.orgsim.scenarios));
  const shipped = fs.readdirSync(path.join(root, 'scenarios')).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, ''));
  check(shipped.every((s) => names.includes(s)), `window.orgsim.scenarios holds every shipped scenario (${names.length})`);
  for (const name of args.scenario) {
    const res = await page.evaluate((n) => window.orgsim.run(window.orgsim.scenarios[n], { replicates: 1, snapshots: 0 }), name);
    const outputs = res.outputs.map((o) => o.name);
    const series = res.arms[0].replicates[0].series;
    const week0 = res.arms[0].replicates[0].week0;
    check(outputs.every((o) => Array.isArray(series[o]) && series[o].length === res.steps && typeof week0[o] === 'number'),
      `${name}: every per-step output of the dictionary, one value per step, and its week-0 value`);
    fs.writeFileSync(path.join(args.out, `series_${name}.json`), JSON.stringify(res, (k, v) => (typeof v === 'number' && Number.isNaN(v) ? 'NaN' : v)));
  }
  const snap = await page.evaluate(async () => {
    const r = await window.orgsim.run(window.orgsim.scenarios.default, { replicates: 1, snapshots: 4 });
    const s = r.arms[0].replicates[0].snapshots;
    return { frames: s.frames.length, steps: r.steps, people: s.people, ties: s.ties, first: s.frames[0].step,
      last: s.frames[s.frames.length - 1].step, tieTrust: s.frames[0].tie_trust.length };
  });
  // week 0's frame (step -1), then one after every 4th step from step 0, and the last
  check(snap.frames === 1 + Math.ceil(snap.steps / 4) + ((snap.steps - 1) % 4 ? 1 : 0) && snap.first === -1 && snap.last === snap.steps - 1 &&
        snap.people === 300 && snap.tieTrust === snap.ties, `snapshots every 4 steps after week 0's: ${JSON.stringify(snap)}`);
  // The two forms of a run's series (docs/WEB.md "Week 0"): orgsim.run's (per step, week 0 apart
  // in week0) and the page's (by week, week 0 first; raw: true). orgsim.byWeek and orgsim.byStep,
  // the page's only converters between them, take one to the other and back unchanged (every
  // value, NaN and -0 included, every output, in order); the story is the same from either form.
  const forms = await page.evaluate(async () => {
    const same = (a, b) => {
      if (typeof a === 'number' || typeof b === 'number') return Object.is(a, b);
      if (ArrayBuffer.isView(a) !== ArrayBuffer.isView(b) || Array.isArray(a) !== Array.isArray(b)) return false;
      if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return a === b;
      const ka = Object.keys(a), kb = Object.keys(b);
      return ka.length === kb.length && ka.every((k, i) => k === kb[i] && same(a[k], b[k]));
    };
    const o = window.orgsim;
    const sc = o.scenarios.default;
    const plain = await o.run(sc, { replicates: 2, snapshots: 0 });
    const raw = await o.run(sc, { replicates: 2, snapshots: 0, raw: true });
    const bad = [];
    let reps = 0;
    plain.arms.forEach((arm, a) => arm.replicates.forEach((r, i) => {
      const page = raw.arms[a].replicates[i];
      const where = `${arm.name} replicate ${i}`;
      ++reps;
      if ('week0' in page) bad.push(`${where}: the page's form keeps week0 apart`);
      const weekly = o.byWeek(r.series, r.week0, plain.steps);
      const pageAsArrays = Object.fromEntries(Object.entries(page.series).map(([k, v]) => [k, Array.from(v)]));
      if (!same(weekly, pageAsArrays)) bad.push(`${where}: byWeek of orgsim.run's series is not the page's`);
      if (!Object.values(page.series).every((v) => v instanceof Float32Array && v.length === plain.steps + 1))
        bad.push(`${where}: the page's series are not float32 by week`);
      const back = o.byStep(weekly);
      if (!same(back, { series: r.series, week0: r.week0 })) bad.push(`${where}: orgsim.run's series do not come back unchanged`);
      if (!same(o.byStep(page.series), { series: r.series, week0: r.week0 })) bad.push(`${where}: byStep of the page's form is not orgsim.run's`);
      if (!same(o.byWeek(page.series, undefined, plain.steps), page.series)) bad.push(`${where}: byWeek changes a series already by week`);
    }));
    plain.arms.forEach((arm, a) => {
      const fromPlain = o.story(arm, plain).join('\n'), fromRaw = o.story(raw.arms[a], raw).join('\n');
      if (fromPlain !== fromRaw) bad.push(`${arm.name}: the story differs between the two forms`);
    });
    return { reps, outputs: plain.outputs.length, bad };
  });
  check(forms.reps >= 4 && forms.bad.length === 0,
    `orgsim.run's series go to the page's form and back unchanged, and the story is the same from either (${forms.reps} runs, ${forms.outputs} outputs)` +
    (forms.bad.length ? ': ' + forms.bad.join('; ') : ''));
  const errors = {};
  for (const f of args.bad) {
    const text = fs.readFileSync(f, 'utf8');
    errors[path.basename(f)] = await page.evaluate(([t, file]) =>
      window.orgsim.run(t, { file }).then(() => 'no error', (e) => e.message), [text, path.basename(f)]);
  }
  fs.writeFileSync(path.join(args.out, 'errors.json'), JSON.stringify(errors, null, 1));

  // ---- your own workplace: the roster example, names on hover, a missing CSV explained -------
  const roster = fs.readFileSync(path.join(root, 'scenarios', 'roster', 'warehouse_roster.csv'), 'utf8')
    .split(/\r?\n/).filter((l) => l && !l.startsWith('#')).slice(1).map((l) => l.split(','));
  await page.evaluate(() => window.orgsim.load('warehouse'));
  await page.waitForFunction(() => window.orgsim.state.full !== null && window.orgsim.state.quick.name === 'warehouse_roster', null, { timeout: 120000 });
  const rs = await page.evaluate(() => {
    const s = window.orgsim.state.quick.arms[0].replicates[0].snapshots;
    return { names: s.names, departments: Array.from(s.department), department_names: s.department_names, people: s.people };
  });
  check(rs.people === roster.length && JSON.stringify(rs.names) === JSON.stringify(roster.map((r) => r[0])),
    `the roster example's people carry their names, in roster order (${rs.people})`);
  check(rs.departments.every((d, i) => rs.department_names[d] === roster[i][1]),
    `each person sits in their roster department (${(rs.department_names || []).join(', ')})`);
  // its files to start one's own from: the scenario and the two CSV files, as shipped
  const own = await page.$$eval('#files a', (as) => as.map((a) => ({ name: a.getAttribute('download'), text: decodeURIComponent(a.href.split(',').slice(1).join(',')) })));
  const asShipped = (f) => fs.readFileSync(path.join(root, 'scenarios', 'roster', f), 'utf8');
  check(own.map((f) => f.name).join() === 'warehouse.json,warehouse_roster.csv,friendships.csv' &&
        own.every((f) => f.text === asShipped(f.name)),
    `the roster example's scenario and CSV files can be downloaded as shipped (${own.map((f) => f.name)})`);
  // hover the first person of the first arm's network: the tip names them
  const pos = await page.evaluate(() => {
    const c = document.querySelector('.arm canvas.net'); const L = window.orgsim.state.layout;
    const r = c.getBoundingClientRect(); const s = Math.min(c.width / 600, c.height / 470); const dpr = window.devicePixelRatio || 1;
    return { x: r.left + ((c.width - 600 * s) / 2 + L.x[0] * s) / dpr, y: r.top + ((c.height - 470 * s) / 2 + L.y[0] * s) / dpr };
  });
  await page.mouse.move(pos.x, pos.y);
  const tip = await page.evaluate(() => ({ hidden: document.getElementById('tip').hidden, text: document.getElementById('tip').textContent }));
  check(!tip.hidden && tip.text.includes(roster[0][0]) && tip.text.includes(roster[0][1]),
    `hovering a person names them: "${tip.text}"`);
  const missing = await page.evaluate(() => {
    const sc = JSON.parse(JSON.stringify(window.orgsim.scenarios.warehouse));
    sc.network.roster = 'our_people.csv';
    return window.orgsim.run(sc, { replicates: 1 }).then(() => 'no error', (e) => e.message);
  });
  check(/network\.roster/.test(missing) && /our_people\.csv/.test(missing),
    `a roster the page was not given: the error names network.roster and the file ("${missing}")`);

  // ---- a trainer's own files: opened as a trainer opens them (the file dialog) ------------------
  // Each opening goes through the page's file input; what the page shows is then read back.
  const openFiles = (files) => page.setInputFiles('#open', files.map(([name, text]) => ({
    name, mimeType: /\.csv$/.test(name) ? 'text/csv' : 'application/json', buffer: Buffer.from(text) })));
  const settle = async (until, timeout = 8000) => {
    try { await page.waitForFunction(until, null, { timeout }); } catch (e) { /* read what is there */ }
    try { await page.evaluate(() => window.orgsim.idle()); } catch (e) { /* the page has no idle */ }
  };
  const noticeShown = () => { const n = document.getElementById('notice'); return !!n && !n.hidden; };
  const seen = () => page.evaluate(() => {
    const sel = document.getElementById('scenario');
    const n = document.getElementById('notice');
    const lead = n && !n.hidden ? n.querySelector('.lead') : null;
    const code = n && !n.hidden ? n.querySelector('details code') : null;
    const s = window.orgsim.state;
    const box = lead ? lead.getBoundingClientRect() : null;
    return {
      title: document.getElementById('title').textContent,
      pick: sel.value, pickText: sel.selectedIndex >= 0 ? sel.options[sel.selectedIndex].textContent : '',
      options: [...sel.options].map((o) => o.textContent),
      name: s.quick && s.quick.name, file: s.file, people: s.quick && s.quick.arms[0].params['population.size'],
      names: s.quick && s.quick.arms[0].replicates[0].snapshots && s.quick.arms[0].replicates[0].snapshots.names,
      turnover: s.quick && s.quick.arms[0].params['environment.turnover'], steps: s.quick && s.quick.steps,
      notice: lead ? lead.textContent : null, info: !!(n && n.classList.contains('info')),
      exact: code ? code.textContent : null,
      font: lead ? getComputedStyle(lead).fontFamily : null, fontSize: lead ? parseFloat(getComputedStyle(lead).fontSize) : 0,
      inView: box ? box.top >= 0 && box.bottom <= window.innerHeight && box.height > 0 : false,
      status: document.getElementById('status').textContent,
    };
  });
  await page.evaluate(() => window.orgsim.load('default'));
  await settle(() => window.orgsim.state.full !== null && window.orgsim.state.quick.name === 'default', 120000);
  const defaultTitle = await page.$eval('#title', (el) => el.textContent);

  // 1. A file that fails to load: said plainly over the title, in words, and everything (the
  // picker, the handout) stays with the scenario still shown.
  await openFiles([['bad_turnover.json', '{"name": "bad_turnover", "environment": {"turnover": 2}}']]);
  await settle(noticeShown);
  const failedLoad = await seen();
  check(failedLoad.notice !== null && failedLoad.notice.startsWith('Your file bad_turnover.json was not loaded:') &&
        failedLoad.notice.includes(`What you see is still “${defaultTitle}”`) && failedLoad.inView && failedLoad.fontSize >= 15 &&
        !/monospace/.test(failedLoad.font || 'monospace'),
    `a file that fails to load is said plainly, visibly and in words, naming what is still shown (${JSON.stringify(failedLoad)})`);
  check(failedLoad.title === defaultTitle && failedLoad.pick === 'default' && failedLoad.pickText === defaultTitle &&
        failedLoad.file === 'default.json' && !failedLoad.options.includes('bad_turnover.json'),
    `after a failed load the picker goes back to the scenario shown (${failedLoad.pickText} / ${failedLoad.title})`);
  const engineSays = await page.evaluate(() => window.orgsim.run('{"name": "bad_turnover", "environment": {"turnover": 2}}',
    { file: 'bad_turnover.json' }).then(() => '', (e) => e.message));
  check(failedLoad.exact === engineSays, `the exact message stays available under the words (${failedLoad.exact})`);
  await page.emulateMedia({ media: 'print' });
  const printedAfter = await page.evaluate(() => ({ title: document.getElementById('title').textContent,
    notice: document.getElementById('notice') ? getComputedStyle(document.getElementById('notice')).display : 'no notice',
    file: (document.querySelector('#files a') || {}).textContent }));
  await page.emulateMedia({ media: null });
  check(printedAfter.title === defaultTitle && printedAfter.notice === 'none' && printedAfter.file === 'default.json',
    `the handout after a failed load is the shown scenario's, under its own name (${JSON.stringify(printedAfter)})`);

  // A file opened again after a bad edit: the version shown stays, and stays chosen.
  await openFiles([['mine.json', '{"name": "mine", "title": "Mine as it ran", "steps": 30, "replicates": 2}']]);
  await settle(() => window.orgsim.state.full !== null && window.orgsim.state.quick.name === 'mine', 60000);
  await openFiles([['mine.json', '{"name": "mine", "title": "Mine, edited", "steps": 30, "replicates": 2, "seed": -1}']]);
  await settle(noticeShown);
  const reopened = await seen();
  check(reopened.title === 'Mine as it ran' && reopened.pickText === 'mine.json' && reopened.pick !== '' &&
        reopened.options.filter((o) => o === 'mine.json').length === 1 && /Your file mine\.json was not loaded/.test(reopened.notice || ''),
    `a file opened again with a mistake leaves the version shown on screen and chosen (${reopened.title}, ${reopened.pickText}, ${reopened.notice})`);

  // 5. The common mistakes, in an organizer's words (the exact message kept under them).
  const wordsFor = async (files) => {
    await page.evaluate(() => window.orgsim.load('default'));
    await settle(() => window.orgsim.state.full !== null && window.orgsim.state.quick.name === 'default', 120000);
    await openFiles(files);
    await settle(noticeShown);
    return seen();
  };
  const shippedRoster = fs.readFileSync(path.join(root, 'scenarios', 'roster', 'warehouse_roster.csv'), 'utf8');
  const shippedFriends = fs.readFileSync(path.join(root, 'scenarios', 'roster', 'friendships.csv'), 'utf8');
  const warehouseDoc = JSON.parse(fs.readFileSync(path.join(root, 'scenarios', 'roster', 'warehouse.json'), 'utf8'));
  const noSize = JSON.parse(JSON.stringify(warehouseDoc));
  delete noSize.population.size;
  const mistakes = [
    ['a percentage written as 15', [['pct.json', '{"name": "pct", "actions": {"readiness": 15}}']],
      (w) => /write 15% as 0\.15/.test(w.notice)],
    ['a percentage written as 2', [['pct2.json', '{"name": "pct2", "environment": {"turnover": 2}}']],
      (w) => /write 2% as 0\.02/.test(w.notice)],
    ['a comma missing at the end of a line', [['comma.json', '{"name": "comma",\n  "steps": 10\n  "seed": 3\n}\n']],
      (w) => /not valid JSON/.test(w.notice) && /comma is missing at the end of line 2\b/.test(w.notice)],
    ['a curly quote', [['curly.json', '{"name": "curly",\n  "steps": 10,\n  \u201Cseed\u201D: 3\n}\n']],
      (w) => /not valid JSON/.test(w.notice) && /curly “word-processor” quote/.test(w.notice) && /line 3\b/.test(w.notice)],
    ['a misspelt setting', [['typo.json', '{"name": "typo", "trust": {"vioce": 0.3}}']],
      (w) => /did you mean “trust\.voice”/.test(w.notice) && !/initial, baseline/.test(w.notice)],
    ['a misspelt top-level setting', [['typo2.json', '{"name": "typo2", "stpes": 10}']],
      (w) => /did you mean “steps”/.test(w.notice) && !/population, ladder/.test(w.notice)],
    ['a roster scenario without population.size', [['count.json', JSON.stringify(noSize)],
      ['warehouse_roster.csv', shippedRoster], ['friendships.csv', shippedFriends]],
      (w) => /population\.size/.test(w.notice) && /defaults to 300/.test(w.notice) && /"size": 60/.test(w.notice)],
  ];
  const unclear = [];
  for (const [what, files, ok] of mistakes) {
    const w = await wordsFor(files);
    if (!(w.notice && ok(w) && /^orgsim: error: /.test(w.exact || '') && !/monospace/.test(w.font) && w.pickText === defaultTitle))
      unclear.push(`${what}: ${JSON.stringify({ notice: w.notice, exact: w.exact, status: w.status })}`);
  }
  check(unclear.length === 0, 'the common mistakes are said in an organizer\'s words, the exact message kept under them' +
    (unclear.length ? ': ' + unclear.join(' | ') : ''));

  // 4. A workplace too big for a browser: refused at once, in words.
  const t0big = Date.now();
  const huge = await wordsFor([['huge.json', '{"name": "huge", "population": {"size": 200000}}']]);
  check(huge.notice && /200000 people/.test(huge.notice) && /command-line orgsim/.test(huge.notice) && !/bad_alloc/.test(huge.notice) &&
        Date.now() - t0big < 15000,
    `a workplace too big for a browser is refused at once, in words (${Date.now() - t0big} ms: ${huge.notice || huge.status})`);
  const memory = await page.evaluate(() => (window.orgsim.plainError ? window.orgsim.plainError('orgsim: failed: out of memory (std::bad_alloc)') : null));
  check(typeof memory === 'string' && /ran out of memory/.test(memory) && !/bad_alloc/.test(memory),
    `running out of memory is said in words (${memory})`);

  // 2. A trainer's roster scenario sees only the files opened with it; the shipped example its own.
  const ours = [['Pat Park', 'stores', 'day', 'worker', 'yes'], ['Quinn Qi', 'stores', 'day', 'worker', 'no'],
    ['Rae Ruiz', 'stores', 'night', 'worker', 'no'], ['Sol Sato', 'stores', 'night', 'worker', 'no'],
    ['Tam Tran', 'yard', 'day', 'worker', 'yes'], ['Uma Uddin', 'yard', 'day', 'worker', 'no'],
    ['Val Vega', 'yard', 'night', 'worker', 'no'], ['Wes Wu', 'yard', 'night', 'worker', 'no'],
    ['Xia Xu', 'office', 'day', 'worker', 'no'], ['Yan Yilmaz', 'office', 'day', 'lead', 'no'],
    ['Zoe Zorn', 'office', 'night', 'worker', 'no'], ['Abe Amin', 'office', 'night', 'worker', 'no']];
  const ourRoster = 'name,department,shift,role,leader\n' + ours.map((r) => r.join(',')).join('\n') + '\n';
  const ourFriends = 'name_a,name_b\nPat Park,Tam Tran\n';
  const ourDoc = JSON.parse(JSON.stringify(warehouseDoc));
  ourDoc.name = 'our_warehouse'; ourDoc.population.size = 12; ourDoc.replicates = 2;
  const exampleAsMine = JSON.parse(JSON.stringify(warehouseDoc));
  exampleAsMine.name = 'my_warehouse';
  const alone = await wordsFor([['my_warehouse.json', JSON.stringify(exampleAsMine)]]);
  check(alone.name === 'default' && alone.notice && /warehouse_roster\.csv/.test(alone.notice) &&
        /open the CSV files together with the scenario \(select them all in the file dialog\)/.test(alone.notice),
    `a roster scenario opened without its CSVs does not run the shipped example's people, and says to open them (${alone.notice || alone.name})`);
  const ownAlone = await wordsFor([['our_warehouse.json', JSON.stringify(ourDoc)]]);
  check(ownAlone.notice && /open the CSV files together with the scenario/.test(ownAlone.notice),
    `a roster scenario of another headcount opened without its CSVs says to open them (${ownAlone.notice})`);
  await openFiles([['our_warehouse.json', JSON.stringify(ourDoc)], ['warehouse_roster.csv', ourRoster], ['friendships.csv', ourFriends]]);
  await settle(() => window.orgsim.state.full !== null && window.orgsim.state.quick.name === 'our_warehouse', 60000);
  const withOwn = await seen();
  check(withOwn.name === 'our_warehouse' && withOwn.people === 12 && JSON.stringify(withOwn.names) === JSON.stringify(ours.map((r) => r[0])) &&
        withOwn.pickText === 'our_warehouse.json',
    `a roster scenario opened with its CSVs runs on those people (${withOwn.people}: ${(withOwn.names || []).slice(0, 3)})`);
  await page.selectOption('#scenario', 'warehouse');
  await settle(() => window.orgsim.state.full !== null && window.orgsim.state.quick.name === 'warehouse_roster', 60000);
  const exampleAgain = await seen();
  check(exampleAgain.name === 'warehouse_roster' && exampleAgain.people === 60 && !exampleAgain.notice,
    `after a trainer's own CSVs, the shipped roster example still runs on its own (${exampleAgain.people} people; ${exampleAgain.notice || ''})`);

  // 6. A scenario extending a shipped one; several JSON files: the one no other extends.
  const variant = await wordsFor([['variant.json', '{"name": "variant", "extends": "default.json", "environment": {"turnover": 0.01}}']]);
  check(variant.name === 'variant' && variant.turnover === 0.01 && !variant.notice,
    `a scenario extending a shipped one by its file name runs (${variant.name}: ${variant.notice})`);
  const baseDoc = JSON.parse(fs.readFileSync(path.join(root, 'scenarios', 'default.json'), 'utf8'));
  baseDoc.name = 'a_base'; baseDoc.steps = 60;  // the variant's weeks come from its base
  await openFiles([['a_base.json', JSON.stringify(baseDoc)],
    ['variant2.json', '{"name": "variant2", "extends": "a_base.json", "environment": {"turnover": 0.015}}']]);
  await settle(() => window.orgsim.state.full !== null && ['variant2', 'a_base'].includes(window.orgsim.state.quick.name), 60000);
  const leaf = await seen();
  check(leaf.name === 'variant2' && leaf.turnover === 0.015 && leaf.steps === 60 && leaf.pickText === 'variant2.json',
    `of a base and its variant opened together, the variant runs (${leaf.name}, turnover ${leaf.turnover}, ${leaf.steps} weeks, ${leaf.pickText})`);
  const orphan = await wordsFor([['orphan.json', '{"name": "orphan", "extends": "not_here.json"}']]);
  check(orphan.notice && /not_here\.json/.test(orphan.notice) && /open not_here\.json together with it/.test(orphan.notice) &&
        !/\/inputs\//.test(orphan.exact || '/inputs/'),
    `a base that was not opened is named, with no internal path (${orphan.notice}; ${orphan.exact})`);
  await openFiles([['one.json', '{"name": "one", "steps": 20, "replicates": 2}'], ['two.json', '{"name": "two", "steps": 20, "replicates": 2}']]);
  await settle(() => window.orgsim.state.full !== null && window.orgsim.state.quick.name === 'one' &&
    !document.getElementById('notice').hidden, 60000);
  const two = await seen();
  check(two.name === 'one' && two.info && /one\.json, two\.json/.test(two.notice || '') && two.options.includes('two.json'),
    `two scenarios opened together, neither extending the other: one is shown and the other offered (${two.notice})`);

  // 3. The story's biggest crowd (and strongest action) is averaged over the runs that called an
  // action, as the report's peak turnout is (a run without one is not a crowd of 0%), and says
  // over how many runs when not all did.
  const crowds = await page.evaluate(async () => {
    const res = await window.orgsim.run(window.orgsim.scenarios.default, { snapshots: 0 });
    return res.arms.map((arm) => {
      const peaks = arm.replicates.map((r) => r.outcomes.peak_turnout).filter((v) => typeof v === 'number');
      const m = peaks.reduce((s, v) => s + v, 0) / peaks.length;
      return { arm: arm.name, acted: peaks.length, runs: arm.replicates.length,
        report: (m * 100).toFixed(m < 0.1 ? 1 : 0) + '%', story: window.orgsim.story(arm, res).join(' ') };
    });
  });
  const crowdOff = crowds.filter((c) => !c.story.includes(`brought out ${c.report} of the workplace`) ||
    (c.acted < c.runs) !== c.story.includes(`In the ${c.acted} of ${c.runs} runs that called an action, the biggest`));
  check(crowdOff.length === 0 && crowds.some((c) => c.acted < c.runs),
    'the story\'s biggest crowd is the report\'s (averaged over the runs that called an action, and says over how many)' +
    (crowdOff.length ? ': ' + JSON.stringify(crowdOff) : ` (${crowds.map((c) => `${c.arm} ${c.report}, ${c.acted} of ${c.runs}`).join('; ')})`));

  // 7. "Fired" only where someone can be: with no elections and employer.firing 0, organizers
  // who are gone left.
  const leavers = await page.evaluate(async () => {
    const sc = { name: 'leavers', steps: 104, replicates: 3, employer: { firing: 0 }, environment: { turnover: 0.03 },
      campaign: { strategy: 'big_messaging', worker_organizers: 10 } };
    const res = await window.orgsim.run(sc, { snapshots: 0 });
    return window.orgsim.story(res.arms[0], res).find((l) => /Coworkers who organize/.test(l)) || '';
  });
  check(/some left/.test(leavers) && !/fired/.test(leavers),
    `where nobody can be fired, the story says organizers left, not that they were fired ("${leavers}")`);

  check(requests.length === 0, `no network request (${requests.join(', ')})`);
  check(consoleErrors.length === 0, `no error in the page's console (${consoleErrors.join(' | ')})`);
  await browser.close();
  if (failures.length) { console.error(`${failures.length} check(s) failed`); process.exit(1); }
})().catch((e) => { console.error(e); process.exit(2); });

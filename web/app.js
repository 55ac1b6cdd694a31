// The trainer's page (docs/WEB.md): scenario picker, arms side by side on the same workplace,
// the network playing week by week, small charts, sliders that rerun every arm, a plain-language
// story per arm, discussion points, and a print handout. The engine runs in a Web Worker whose
// source (the WebAssembly build + web/worker.js) is embedded in this page.
(function () {
  'use strict';
  const $ = (id) => document.getElementById(id);
  const SCENARIO_TEXT = JSON.parse($('scenario-data').textContent);  // name -> file text
  // The shipped examples' file folder (name -> text): the CSVs the shipped roster example reads.
  // The engine resolves a scenario's paths (network.roster, .friendships, .path) against the
  // folder a run is given, by file name. A shipped scenario (and orgsim.run) is given this one; a
  // trainer's scenario only the files opened with it, so that a trainer's warehouse_roster.csv
  // and the example's never stand in for each other. Nothing leaves the browser.
  const FILES = JSON.parse($('scenario-files').textContent);
  // The shipped scenarios as files (default.json, ...): every folder holds them, so that a
  // scenario "extends" a shipped one by its file name; a file opened under the same name is used
  // instead.
  const SHIPPED_BASES = {};
  for (const [name, text] of Object.entries(SCENARIO_TEXT)) SHIPPED_BASES[name + '.json'] = text;
  /** The folder a shipped scenario (or a script's run) sees: the shipped scenarios and files. */
  function shippedFolder() { return Object.assign({}, SHIPPED_BASES, FILES); }
  /** The folder a trainer's scenario sees: the shipped scenarios, as bases, and the files opened
   *  with it (which win over a shipped scenario of the same name). */
  function openedFolder(files) { return Object.assign({}, SHIPPED_BASES, files); }
  // The arms' colours, the report's too (analysis/arm_colors.json, inlined by web/assemble.py):
  // {strategy: {name: colour}, position: [colour, ...]}.
  const PALETTE = JSON.parse($('arm-colors').textContent);

  // ---- the engine, in a worker ------------------------------------------------------------------
  const workerURL = URL.createObjectURL(
    new Blob([$('worker-src').textContent], { type: 'text/javascript' }));
  let worker = null;
  let nextId = 1;
  const pending = new Map();
  function engine() {
    if (worker) return worker;
    worker = new Worker(workerURL);
    worker.onmessage = (e) => {
      const p = pending.get(e.data.id);
      if (!p) return;
      pending.delete(e.data.id);
      if (e.data.error) p.reject(new Error(e.data.error));
      else p.resolve(decode(e.data.result, e.data.floats, e.data.ms));
    };
    return worker;
  }
  /** Runs scenario `text` (named `file` in error messages) in the worker, with the files of
   *  `folder` (name -> text; default the shipped ones) as the only files it can name. */
  function call(text, file, options, folder) {
    return new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject });
      engine().postMessage({ id, text, file, options: Object.assign({}, options, { files: folder || shippedFolder() }) });
    });
  }
  // ---- a run's series, in its two forms ---------------------------------------------------------
  // The page holds a replicate's series by week: series[name][0] is week 0, the workplace before
  // the campaign (the engine's week-0 values: stocks measured, flows and climate NaN), and
  // series[name][t] the end of the t-th week's work (step t - 1), steps + 1 values in all.
  // orgsim.run (docs/WEB.md) gives them by step, as a results file does: series[name][t] the end
  // of step t (steps values), with week 0 apart in week0[name]. byWeek and byStep are the only
  // conversions between the two forms: the engine's result, orgsim.run and orgsim.story all go
  // through them.
  /** The page's form of a replicate's series, from orgsim.run's: per-step `series` and `week0`
   *  (NaN for an output week0 lacks, or without week0). A series of steps + 1 values is already
   *  by week and is kept as it is. A typed array gives one of its kind; anything else an array. */
  function byWeek(series, week0, steps) {
    const out = {};
    for (const [k, v] of Object.entries(series)) {
      if (v.length === steps + 1) { out[k] = v; continue; }
      const first = week0 && k in week0 ? week0[k] : NaN;
      if (ArrayBuffer.isView(v)) {
        out[k] = new v.constructor(v.length + 1);
        out[k][0] = first;
        out[k].set(v, 1);
      } else {
        out[k] = [first, ...v];
      }
    }
    return out;
  }
  /** orgsim.run's form of a replicate's series, from the page's: {series: per-step arrays,
   *  week0: week 0's values}. */
  function byStep(weekly) {
    const series = {}, week0 = {};
    for (const [k, v] of Object.entries(weekly)) { series[k] = Array.prototype.slice.call(v, 1); week0[k] = v[0]; }
    return { series, week0 };
  }
  // The engine returns offsets into one float32 buffer (web/orgsim_wasm.cpp): each replicate's
  // per-step series (output v's steps values at series + v * steps) and its week-0 values (output
  // v's at week0 + v). The page's form keeps them as float32.
  function decode(res, F, ms) {
    const steps = res.steps;
    const names = res.outputs.map((o) => o.name);
    for (const arm of res.arms) {
      for (const rep of arm.replicates) {
        const perStep = {}, week0 = {};
        names.forEach((nm, v) => {
          perStep[nm] = F.subarray(rep.series + v * steps, rep.series + (v + 1) * steps);
          week0[nm] = F[rep.week0 + v];
        });
        rep.series = byWeek(perStep, week0, steps);
        delete rep.week0;
        if (rep.snapshots) rep.snapshots = decodeSnapshots(rep.snapshots, F);
      }
    }
    res.engine_ms = ms;
    return res;
  }
  function decodeSnapshots(sn, F) {
    const n = sn.people, m = sn.ties;
    const out = {
      every: sn.every, staff_organizers: sn.staff_organizers, people: n, ties: m,
      department: F.subarray(sn.department, sn.department + n),
      tie_ends: F.subarray(sn.tie_ends, sn.tie_ends + 2 * m), frames: [],
    };
    // a roster workplace: who is who (names, shifts, roles; department names by index)
    for (const k of ['names', 'shifts', 'roles', 'department_names']) if (sn[k]) out[k] = sn[k];
    for (const fr of sn.frames) {
      const f = { step: fr.step };
      let o = fr.offset;
      for (const field of sn.fields) { f[field] = F.subarray(o, o + n); o += n; }
      f.tie_trust = F.subarray(o, o + (F.length >= o + m ? m : 0));
      out.frames.push(f);
    }
    return out;
  }
  function fileNameOf(sc) { return ((sc && typeof sc.name === 'string' && sc.name) || 'scenario') + '.json'; }

  // ---- the scriptable face: window.orgsim -------------------------------------------------------
  const scenarios = {};
  for (const [name, text] of Object.entries(SCENARIO_TEXT)) scenarios[name] = JSON.parse(text);
  const api = {
    scenarios,
    outputs: null,  // the output dictionary's per-step entries, after the first run
    /**
     * Runs every arm and replicate of `scenario` (an object as in a file, or its JSON text).
     * options: replicates (at most this many), snapshots (a frame every k steps for the first
     * replicate of each arm; 0: none; default 1), file (name used in error messages), raw
     * (series as Float32Array views, as the page uses them, instead of arrays).
     */
    run(scenario, options = {}) {
      const text = typeof scenario === 'string' ? scenario : JSON.stringify(scenario);
      const file = options.file || (typeof scenario === 'string' ? 'scenario.json' : fileNameOf(scenario));
      const opt = { snapshot_every: options.snapshots === undefined ? 1 : options.snapshots,
                    snapshot_replicates: options.snapshot_replicates || 1 };
      if (options.replicates) opt.replicates = options.replicates;
      if (options.set) opt.set = options.set;
      // raw: the page's own form (typed-array views over one buffer), without the copy to arrays
      return call(text, file, opt).then(options.raw ? (r) => r : plain);
    },
    load: (s) => loadScenario(s),
    /** The shipped file folder (name -> text), which orgsim.run and the shipped scenarios see: add
     *  a roster, friendships or edge list here, and a scenario run by a script finds it by file
     *  name. A scenario opened on the page sees only the files opened with it. */
    files: FILES,
    state: null,  // set below: what the page is showing
  };
  function plain(res) {
    const out = {
      name: res.name, title: res.title, description: res.description, discussion: res.discussion, try: res.try,
      steps: res.steps, seed: res.seed, engine_ms: res.engine_ms, outputs: res.outputs,
      arms: res.arms.map((a) => ({
        name: a.name, description: a.description, params: a.params, allocation: a.allocation,
        replicates: a.replicates.map((r) => {
          // series[k][t]: the end of step t, as in a results file; week0: before the first step
          const { series, week0 } = byStep(r.series);
          const o = { replicate: r.replicate, seed: r.seed, series, week0, outcomes: r.outcomes, wins: r.wins };
          if (r.snapshots) o.snapshots = r.snapshots;
          return o;
        }),
      })),
    };
    return out;
  }
  window.orgsim = api;

  // ---- page state -------------------------------------------------------------------------------
  // The ladder in one violet family, light to dark: no arm's colour (analysis/arm_colors.json)
  // is a violet, so a member's dot never reads as relationship-first's blue.
  const RUNG_COLORS = ['#cfd3da', '#c6b9e6', '#8b72cc', '#3f2585'];
  const RUNG_NAMES = ['not yet engaged', 'supporter', 'member', 'leader'];
  // An arm's colour follows its strategy (its resolved campaign.strategy), the same in every
  // scenario; a second arm of one strategy, or one the palette does not know, takes a spare
  // colour (first those no strategy has), so no two arms share one; with no strategy known,
  // every arm its position's. analysis/figures.py colors_for_strategies is the same rule
  // (tests/web/test_page.py checks that the page and the report agree on every shipped scenario).
  function armColors(arms) {
    const s = arms.map((arm) => arm.params && arm.params['campaign.strategy']);
    const known = s.map((x) => typeof x === 'string' && Object.prototype.hasOwnProperty.call(PALETTE.strategy, x));
    const pos = (a) => PALETTE.position[a % PALETTE.position.length];
    if (!known.some((k) => k)) return s.map((x, a) => pos(a));
    const out = s.map(() => null);
    s.forEach((x, a) => { if (known[a] && !out.includes(PALETTE.strategy[x])) out[a] = PALETTE.strategy[x]; });
    const strategyColours = Object.values(PALETTE.strategy);
    const present = new Set(s.filter((x, a) => known[a]).map((x) => PALETTE.strategy[x]));
    const spare = PALETTE.position.filter((c) => !strategyColours.includes(c))
      .concat(PALETTE.position.filter((c) => strategyColours.includes(c) && !present.has(c)));
    let k = 0;
    return out.map((c, a) => c || (k < spare.length ? spare[k++] : pos(a)));
  }
  const st = {
    name: '', file: '', doc: null, text: '', files: null, pick: '',
    sliders: {}, split: null, trying: null, original: null,
    quick: null, full: null, base: null, frame: 0, playing: false, token: 0,
    layout: null, busy: Promise.resolve(), timings: {},
  };
  api.state = st;
  // the 'What happened' lines of one arm of a result: the page's own (series by week, week 0
  // first) or orgsim.run's (series by step, week 0 apart in `week0`; NaN where it has none)
  api.story = (arm, res) => story(Object.assign({}, arm, {
    replicates: arm.replicates.map((r) => Object.assign({}, r, { series: byWeek(r.series, r.week0, res.steps) })) }), res);
  api.armColors = (res) => armColors(res.arms);  // each arm's colour, by strategy or by position
  // the two forms of a replicate's series (tests/web/page_test.js checks that they round-trip)
  api.byWeek = byWeek;
  api.byStep = byStep;

  const SLIDERS = [
    { key: 'trust.voice', label: 'Trust needed before people talk about issues (0 = none, 1 = complete)', min: 0, max: 0.8, step: 0.02, fmt: (v) => v.toFixed(2),
      note: 'low: an open culture; high: people only open up to someone they trust' },
    { key: 'environment.turnover', label: 'Turnover (share of people leaving per week)', min: 0, max: 0.04, step: 0.001, fmt: (v) => (v * 100).toFixed(1) + '%/wk' },
    { key: 'employer.resistance', label: "Employer's resistance (power needed to win)", min: 0.05, max: 0.6, step: 0.01, fmt: (v) => v.toFixed(2) },
    { key: 'employer.retaliation', label: 'Retaliation: fear it adds to those who act (0 = none, 1 = full)', min: 0, max: 0.5, step: 0.01, fmt: (v) => v.toFixed(2) },
    { key: 'campaign.hours_per_step', label: 'Staff organizer hours per week', min: 0, max: 40, step: 1, fmt: (v) => v.toFixed(0) + ' h',
      needs: (arm) => arm.params['campaign.staff_organizers'] > 0, why: 'no staff organizer',
      offNote: 'does nothing here: no strategy in this scenario has a staff organizer (campaign.staff_organizers is 0)' },
    { key: 'campaign.worker_hours_per_step', label: 'Worker-organizer hours per week', min: 0, max: 12, step: 0.5, fmt: (v) => v.toFixed(1) + ' h' },
    { key: 'trust.friendships', label: 'Private friendships already there (share of ties)', min: 0, max: 0.4, step: 0.01, fmt: (v) => (v * 100).toFixed(0) + '%' },
    { key: 'actions.readiness', label: 'Readiness bar: organized share before acting', min: 0.02, max: 0.5, step: 0.01, fmt: (v) => (v * 100).toFixed(0) + '%' },
  ];
  const SPLIT = { key: 'split', label: "Share of each strategy's hours spent on one-on-ones", min: 0, max: 1, step: 0.05, fmt: (v) => (v * 100).toFixed(0) + '%',
    note: "the rest keeps each strategy's own mix" };

  function status(text) {
    const el = $('status');
    el.textContent = text;
    el.className = 'status';
  }

  // ---- loading a scenario -----------------------------------------------------------------------
  // A scenario is shown only once it has run: until then, and if it fails, the page keeps the
  // scenario it showed (its title, networks, charts, story, handout, and the picker's choice), and
  // says in words that the new one was not loaded and why (showProblem).
  function loadScenario(s) {
    if (typeof s === 'string' && SCENARIO_TEXT[s] !== undefined)
      return show({ pick: s, name: s, file: s + '.json', text: SCENARIO_TEXT[s], files: shippedFolder() });
    let doc = null;
    if (typeof s === 'string') { try { doc = JSON.parse(s); } catch (e) { doc = null; } }
    const text = typeof s === 'string' ? s : JSON.stringify(s);
    const file = fileNameOf(typeof s === 'string' ? doc : s);
    return show(addOpened({ name: file, file, text, files: shippedFolder(), label: file }));
  }
  // What the page shows (restored when a new scenario fails to load).
  const SHOWN = ['name', 'file', 'text', 'doc', 'files', 'pick', 'sliders', 'split', 'trying', 'original', 'base', 'frame', 'full'];
  function show(c) {
    hideProblem();
    const prev = st.quick ? Object.fromEntries(SHOWN.map((k) => [k, st[k]])) : null;
    if (prev) prev.status = $('status').textContent;
    st.name = c.name; st.file = c.file; st.text = c.text; st.files = c.files; st.pick = c.pick;
    try { st.doc = JSON.parse(st.text); } catch (e) { st.doc = null; }
    st.sliders = {}; st.split = null; st.base = null; st.frame = AT_END; st.trying = null; st.original = null;
    $('scenario').value = c.pick;
    return rerun(true, prev);
  }
  // Scenarios opened from files (or given to orgsim.load) join the picker, under "Your files".
  const OPENED = new Map();  // picker value -> {name, file, text, files}
  let openedCount = 0;
  function addOpened(c) {
    const sel = $('scenario');
    let group = sel.querySelector('optgroup.opened');
    if (!group) { group = document.createElement('optgroup'); group.className = 'opened'; group.label = 'Your files'; sel.appendChild(group); }
    c.pick = 'open:' + (++openedCount);
    OPENED.set(c.pick, c);
    const o = document.createElement('option');
    o.value = c.pick; o.textContent = c.label;
    group.appendChild(o);
    return c;
  }
  /** Once a file is shown, an earlier opening of a file of that name leaves the picker (opening
   *  a file again after editing it replaces it; until the new one runs, the old one stays). */
  function replaceOpened(c) {
    for (const [k, o] of OPENED) if (k !== c.pick && o.file === c.file) { OPENED.delete(k); removeOption(k); }
  }
  function removeOption(value) {
    const o = [...$('scenario').options].find((x) => x.value === value);
    if (o) o.remove();
    const group = $('scenario').querySelector('optgroup.opened');
    if (group && !group.children.length) group.remove();
  }

  // A scenario opens at its last week, where the networks show what each strategy built (at week
  // 0, before the campaign, every picture is grey); Play starts again from week 0 and the
  // scrubber goes back. A rerun (a slider, a thing to try) keeps the week shown.
  const AT_END = Number.MAX_SAFE_INTEGER;

  function setPath(obj, dotted, value) {
    // Sets a dotted key in the nested form a scenario file uses; a dotted key at the top level
    // (as --set writes them) is replaced by it.
    delete obj[dotted];
    const parts = dotted.split('.');
    let o = obj;
    for (let i = 0; i < parts.length - 1; ++i) {
      if (typeof o[parts[i]] !== 'object' || o[parts[i]] === null) o[parts[i]] = {};
      o = o[parts[i]];
    }
    o[parts[parts.length - 1]] = value;
  }
  function armSets(arm, key) { return !!(arm && arm.set && Object.prototype.hasOwnProperty.call(arm.set, key)); }

  /** The scenario document with the sliders applied (the text sent to the engine). */
  function currentText() {
    if (!st.doc) return st.text;
    const doc = JSON.parse(JSON.stringify(st.doc));
    for (const [k, v] of Object.entries(st.sliders)) setPath(doc, k, v);
    if (st.split !== null && st.base && Array.isArray(doc.arms)) {
      doc.arms.forEach((arm, a) => {
        const alloc = st.base.arms[a] && st.base.arms[a].allocation;
        if (!alloc) return;
        const others = Object.keys(alloc).filter((k) => k !== 'one_on_one');
        const rest = others.reduce((s, k) => s + alloc[k], 0);
        if (rest + alloc.one_on_one <= 0) return;  // a strategy that does no organizing work
        arm.set = arm.set || {};
        arm.set['campaign.allocation.one_on_one'] = st.split;
        for (const k of others)
          arm.set['campaign.allocation.' + k] = rest > 0 ? (1 - st.split) * alloc[k] / rest : (k === 'follow_up' ? 1 - st.split : 0);
      });
    }
    return JSON.stringify(doc);
  }

  async function rerun(fresh, prev) {
    const token = ++st.token;
    const text = currentText();
    const file = st.file || 'scenario.json';
    const folder = st.files || shippedFolder();
    let shown = false;  // the new runs are on the screen
    status('Running…');
    const done = (async () => {
      try {
        const t0 = performance.now();
        const quick = await call(text, file, { replicates: 1, snapshot_every: 1 }, folder);
        st.timings.quick_ms = performance.now() - t0;
        if (token !== st.token) return;
        st.quick = quick; st.full = null; shown = true;
        if (fresh && OPENED.has(st.pick)) replaceOpened(OPENED.get(st.pick));
        api.outputs = quick.outputs;
        if (fresh || !st.base) { st.base = quick; buildSliders(); }
        buildArms();
        setFrame(Math.min(st.frame, quick.steps));
        status(`One run of each strategy: ${st.timings.quick_ms.toFixed(0)} ms. Now running all ${quick.replicates_planned} runs…`);
        const t1 = performance.now();
        const full = await call(text, file, { snapshot_every: 0 }, folder);
        st.timings.full_ms = performance.now() - t1;
        if (token !== st.token) return;
        st.full = full;
        if (!changedSettings().length) st.original = full;  // the scenario as written: a try's "before"
        drawCharts(); writeStories(); buildExtra(); fillTry(full.try);
        status(`Each strategy run ${full.arms[0].replicates.length} times on the same workplace ` +
               `(${st.timings.full_ms.toFixed(0)} ms in this browser). Lines: the average; thin: the run you are watching.`);
      } catch (e) {
        if (token !== st.token) return;
        const failed = { file, text: st.text, doc: st.doc, pick: st.pick, opened: OPENED.has(st.pick) };
        if (fresh && prev && !shown) {
          // The page still shows the previous scenario: everything goes back to it, the picker
          // too, so that nothing (a slider, the handout) runs or prints under the wrong name.
          for (const k of SHOWN) st[k] = prev[k];
          $('scenario').value = st.pick;
          if (failed.opened) { OPENED.delete(failed.pick); removeOption(failed.pick); }
          status(prev.status);
          if (!st.full) rerun(false);  // its full runs were dropped for the new file's: finish them
        } else {
          status('');
        }
        showProblem(e.message, failed, fresh && !shown ? (prev ? titleOf(st.quick) : '') : null);
      }
    })();
    st.busy = done;
    return done;
  }
  api.idle = () => st.busy;

  // ---- opening a trainer's files ----------------------------------------------------------------
  /** The file names a scenario text extends (its "extends": a name or a list of names). */
  function basesOf(text) {
    let doc = null;
    try { doc = JSON.parse(text); } catch (e) { return []; }
    const e = doc && typeof doc === 'object' ? doc.extends : undefined;
    return (Array.isArray(e) ? e : [e]).filter((x) => typeof x === 'string').map((x) => x.split('/').pop());
  }
  /** Of the JSON files opened together, the scenarios to run: those no other one extends (a
   *  variant, not the base it extends). */
  function leafScenarios(files) {
    const jsons = Object.keys(files).filter((n) => /\.json$/i.test(n));
    const extended = new Set();
    for (const n of jsons) for (const b of basesOf(files[n])) if (b !== n) extended.add(b);
    const leaves = jsons.filter((n) => !extended.has(n));
    return leaves.length ? leaves : jsons.slice(0, 1);  // a cycle: the engine says so
  }
  api.leafScenarios = leafScenarios;
  /** Opens the files a trainer selected together (name -> text): each scenario among them that
   *  no other extends joins the picker and the first is shown; it sees the files opened with it
   *  (its CSVs, its bases) and the shipped scenarios as bases, never the shipped examples' CSVs. */
  function openFiles(files) {
    const leaves = leafScenarios(files);
    if (!leaves.length) {
      showProblem(null, { file: Object.keys(files).join(', ') }, st.quick ? titleOf(st.quick) : '',
        `You opened ${Object.keys(files).join(', ')} but no scenario file (.json): open the scenario together with its CSV files (select them all in the file dialog).`);
      return Promise.resolve();
    }
    const entries = leaves.map((n) => addOpened({ name: n, file: n, text: files[n], files: openedFolder(files), label: n }));
    const shown = show(entries[0]);
    if (entries.length > 1) {
      // several scenarios, none extending another: the trainer chooses
      return shown.then(() => {
        if (st.pick !== entries[0].pick) return;
        showProblem(null, { file: leaves[0] }, null,
          `You opened ${leaves.length} scenarios and none extends another (${leaves.join(', ')}): this is ${leaves[0]}. ` +
          'Choose the others in the Scenario list, under “Your files”.', true);
      });
    }
    return shown;
  }
  api.openFiles = openFiles;

  // ---- when a scenario cannot be run: said in an organizer's words -------------------------------
  // The engine's message is the command line's ("orgsim: error: FILE: PATH: expected ...; found
  // ..."), exact and terse: kept, under "The exact message", for whoever edits the file; the notice
  // leads with what is wrong and what to do, for the common mistakes.
  function lineOf(text, at) { return text.slice(0, at).split('\n').length; }
  /** A JSON syntax error at (line, column), as nlohmann/json reports it (the column is just after
   *  the token where reading stopped), in words: which line to look at and what to look for. */
  function jsonWords(text, line, column, found) {
    const curly = /[\u201C\u201D\u2018\u2019\u201E\u00AB\u00BB]/.exec(text || '');
    if (curly) {
      return `the file is not valid JSON: line ${lineOf(text, curly.index)} has a curly “word-processor” quote (${curly[0]}); ` +
        'JSON needs straight quotes ("). Retype the quotes in a plain-text editor (Notepad; TextEdit in plain-text mode).';
    }
    const generic = `the file is not valid JSON near line ${line}: a comma may be missing at the end of the line before, ` +
      'or a quote is a curly “word-processor” quote';
    if (!text) return generic;
    if (/end of input/.test(found)) return `the file ends too early (line ${line}): a closing } or ] may be missing at the end`;
    const lines = text.split('\n');
    if (line < 1 || line > lines.length) return generic;
    let at = lines.slice(0, line - 1).reduce((k, l) => k + l.length + 1, 0) + Math.min(column, lines[line - 1].length);
    // the token reading stopped at, and the last thing written before it
    let start = at - 1;
    if (text[start] === '"') { --start; while (start > 0 && text[start] !== '"') --start; }
    else if (/[\w.+-]/.test(text[start])) { while (start > 0 && /[\w.+-]/.test(text[start - 1])) --start; }
    let p = start - 1;
    while (p >= 0 && /\s/.test(text[p])) --p;
    if (p < 0) return generic;
    const token = text[start], before = text[p], L = lineOf(text, p);
    const value = /["\d\]}el]/.test(before);  // the end of a value (a string, number, list, object, true/false/null)
    if ((token === '"' || /[\w.+-]/.test(token)) && value) {
      return L < lineOf(text, start) ? `the file is not valid JSON: a comma is missing at the end of line ${L} (before line ${lineOf(text, start)})`
        : `the file is not valid JSON: a comma is missing on line ${L}, between two entries`;
    }
    if ((token === '}' || token === ']') && before === ',') {
      return `the file is not valid JSON: the comma at the end of line ${L} has nothing after it; remove it (JSON allows no comma before a closing ${token})`;
    }
    if (token === ',' && before === ',') return `the file is not valid JSON: line ${L} has two commas in a row; remove one`;
    return generic;
  }
  /** What is wrong, in an organizer's words, from the engine's message (null: no better words
   *  than the message's own). `text` is the scenario file's text, `doc` its parsed form. */
  function plainError(message, text, doc) {
    const m = String(message || '');
    let r;
    if ((r = /\(line (\d+), column (\d+)\): expected valid JSON, found (.*)$/.exec(m)))
      return jsonWords(text, Number(r[1]), Number(r[2]), r[3]);
    if (/std::bad_alloc|out of memory/.test(m))
      return 'the browser ran out of memory running it: try fewer people, weeks or runs, or run it with the command-line orgsim';
    if ((r = /population\.size: expected at most (\d+) people in the browser.*, found (\d+)/.exec(m)))
      return `its workplace has ${r[2]} people, more than a browser can run (this page runs up to ${r[1]}); use the command-line orgsim for bigger workplaces`;
    if ((r = /steps: expected at most (\d+) weeks for (\d+) people in the browser.*, found (\d+)/.exec(m)))
      return `${r[3]} weeks of ${r[2]} people is more than a browser can run (this page runs ${r[2]} people for up to ${r[1]} weeks); use the command-line orgsim for longer runs`;
    if ((r = /(network\.(roster|friendships|path)): expected a readable .*, found no such file \(([^)]+)\)/.exec(m))) {
      const kind = { roster: 'roster', friendships: 'friendships file', path: 'edge list' }[r[2]];
      return `it names its ${kind} ${r[3]} (${r[1]}), but that file was not opened with it: ` +
        'open the CSV files together with the scenario (select them all in the file dialog)';
    }
    if ((r = /(extends(?:\[\d+\])?): expected a built-in base.*, found "([^"]+)": no such file/.exec(m)))
      return `it extends ${r[2]}, which is neither one of this page's scenarios nor a file opened with it: ` +
        `open ${r[2]} together with it (select both in the file dialog)`;
    if ((r = /population\.size: expected the number of people on the roster \(([^)]+)\): (\d+), found (\d+)/.exec(m))) {
      const said = doc && doc.population && typeof doc.population === 'object' && doc.population.size !== undefined;
      return said
        ? `its roster ${r[1]} has ${r[2]} people but population.size says ${r[3]}: the two must be equal. Write "population": {"size": ${r[2]}}, or check that you opened the right roster`
        : `its roster ${r[1]} has ${r[2]} people, and population.size, which the scenario does not set, defaults to ${r[3]}; it must equal the roster's count. Add "population": {"size": ${r[2]}} to the scenario`;
    }
    if ((r = /: ([\w.[\]]+): expected [^]*?, found unknown key `([^`]+)`(?: \(did you mean `([^`]+)`\?\))?/.exec(m))) {
      return `it has a setting this page does not know, “${r[1]}”` +
        (r[3] ? `: did you mean “${r[3]}”?` : ': check its spelling, and that it sits under the right heading (the exact message lists the settings allowed there)');
    }
    if ((r = /: ([\w.[\]]+): expected a number in \[(-?[\d.]+), (-?[\d.]+)\], found (-?[\d.eE+-]+)$/.exec(m))) {
      const key = r[1].replace(/^arms\[\d+\]\.set\./, ''), lo = Number(r[2]), hi = Number(r[3]), v = Number(r[4]);
      const sp = SLIDERS.find((x) => x.key === key);
      const name = sp ? `${sp.label.replace(/[:(].*$/, '').trim()} (${key})` : key;
      if (lo === 0 && hi === 1 && v > 1 && v <= 100)
        return `${name} is a share, written between 0 and 1, and the file says ${r[4]}: write ${r[4]}% as ${Number((v / 100).toPrecision(6))}`;
      return `${name} must be a number from ${r[2]} to ${r[3]}, and the file says ${r[4]}`;
    }
    return null;
  }
  api.plainError = plainError;
  /** The notice over the title: a scenario that was not loaded (or a rerun that failed), what is
   *  wrong in words, that the page still shows what it showed, and the engine's exact message.
   *  `still`: the title still shown after a failed load ('' for none; null: not a load). `words`
   *  replaces the lead; `info` makes it a note rather than a problem. */
  function showProblem(message, failed, still, words, info) {
    const box = $('notice');
    const lead = words || plainError(message, failed.text, failed.doc) ||
      String(message || '').replace(/^orgsim: (error|failed): /, '').replace(failed.file + ': ', '');
    let head;
    if (info) head = '';
    else if (still === null) head = 'These settings could not be run: ';
    else head = `Your file ${failed.file} was not loaded: `;
    const tail = still ? ` What you see is still “${still}”.` : still === '' ? ' Nothing is shown yet.' : still === null && !info ? ' What you see is still the last run.' : '';
    // a sentence starts with a capital, unless it starts with a setting's name (trust.voice)
    const sentence = /^[^\s]*[._]/.test(lead) ? lead : lead.charAt(0).toUpperCase() + lead.slice(1);
    box.innerHTML = `<p class="lead">${esc(head)}${esc(sentence)}${/[.?!]$/.test(lead) ? '' : '.'}${esc(tail)}</p>` +
      (message ? `<details><summary>The exact message (for whoever edits the file)</summary><code>${esc(message)}</code></details>` : '') +
      '<button class="dismiss" type="button">OK</button>';
    box.className = info ? 'notice info' : 'notice';
    box.querySelector('.dismiss').addEventListener('click', hideProblem);
    box.hidden = false;
    box.scrollIntoView({ block: 'nearest' });
  }
  function hideProblem() { $('notice').hidden = true; $('notice').innerHTML = ''; }

  // ---- layout: people grouped by department, staff organizers apart ---------------------------
  const W = 600, H = 470, STAFF_W = 56;
  function computeLayout(sn) {
    const n = sn.people;
    let D = 1;
    for (let i = 0; i < n; ++i) D = Math.max(D, sn.department[i] + 1);
    const members = Array.from({ length: D }, () => []);
    for (let i = 0; i < n; ++i) members[sn.department[i]].push(i);
    const cols = Math.ceil(Math.sqrt(D * (W - STAFF_W) / H));
    const rows = Math.ceil(D / cols);
    const cw = (W - STAFF_W) / cols, ch = H / rows;
    const x = new Float32Array(n), y = new Float32Array(n);
    const centers = [];
    const golden = Math.PI * (3 - Math.sqrt(5));
    members.forEach((list, d) => {
      const cx = (d % cols + 0.5) * cw, cy = (Math.floor(d / cols) + 0.5) * ch;
      centers.push([cx, cy]);
      const R = Math.min(cw, ch) * 0.42;
      list.forEach((i, k) => {
        const r = R * Math.sqrt((k + 0.5) / list.length), a = k * golden;
        x[i] = cx + r * Math.cos(a); y[i] = cy + r * Math.sin(a);
      });
    });
    const dot = Math.max(2.2, Math.min(5, 0.42 * Math.min(cw, ch) / Math.sqrt(n / D) * 0.55));
    return { x, y, centers, dot, radius: Math.min(cw, ch) * 0.42 };
  }

  function fitCanvas(c) {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(50, Math.round(c.clientWidth * dpr)), h = Math.max(20, Math.round(c.clientHeight * dpr));
    if (c.width !== w || c.height !== h) { c.width = w; c.height = h; }
    return c.getContext('2d');
  }

  function drawNetwork(canvas, sn, f, L) {
    const ctx = fitCanvas(canvas);
    const s = Math.min(canvas.width / W, canvas.height / H);
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(s, 0, 0, s, (canvas.width - W * s) / 2, (canvas.height - H * s) / 2);
    // staff area
    ctx.fillStyle = '#f1eee6';
    ctx.fillRect(W - STAFF_W, 0, STAFF_W, H);
    ctx.fillStyle = '#8b8372'; ctx.font = '11px sans-serif'; ctx.textAlign = 'center';
    ctx.fillText('staff', W - STAFF_W / 2, 12);
    // ties, batched by trust (faint acquaintance -> bold strong tie)
    const B = 8;
    const m = sn.ties, ends = sn.tie_ends, tt = f.tie_trust;
    if (tt.length === m) {
      const paths = Array.from({ length: B }, () => new Path2D());
      for (let e = 0; e < m; ++e) {
        if (!(tt[e] >= 0)) continue;  // NaN: a tie organizers create later
        const i = ends[2 * e], j = ends[2 * e + 1];
        const b = Math.min(B - 1, Math.floor(tt[e] * B));
        paths[b].moveTo(L.x[i], L.y[i]); paths[b].lineTo(L.x[j], L.y[j]);
      }
      for (let b = 0; b < B; ++b) {
        const t = (b + 0.5) / B;
        ctx.strokeStyle = `rgba(40,52,74,${(0.05 + 0.85 * t * t).toFixed(3)})`;
        ctx.lineWidth = 0.35 + 2.4 * t * t;
        ctx.stroke(paths[b]);
      }
    }
    // staff organizers (this arm's own count) and their relationships, which are not coworker
    // ties: to those who trust them
    const staff = [];
    for (let k = 0; k < sn.staff_organizers; ++k) staff.push([W - STAFF_W / 2, H * (k + 1) / (sn.staff_organizers + 1)]);
    if (staff.length) {
      const p = new Path2D();
      for (let i = 0; i < sn.people; ++i) {
        if (f.staff_trust[i] < 0.5) continue;
        const [sx, sy] = staff[i % staff.length];
        p.moveTo(sx, sy); p.lineTo(L.x[i], L.y[i]);
      }
      ctx.strokeStyle = 'rgba(170,120,30,0.18)'; ctx.lineWidth = 0.6; ctx.setLineDash([3, 3]);
      ctx.stroke(p); ctx.setLineDash([]);
    }
    const r = L.dot;
    // who took part in this week's action: a halo
    const halo = new Path2D();
    let anyone = false;
    for (let i = 0; i < sn.people; ++i) if (f.took_part[i]) { anyone = true; halo.moveTo(L.x[i] + r * 2.1, L.y[i]); halo.arc(L.x[i], L.y[i], r * 2.1, 0, 2 * Math.PI); }
    if (anyone) { ctx.fillStyle = 'rgba(255,196,0,0.55)'; ctx.fill(halo); }
    // people by rung
    for (let g = 0; g < 4; ++g) {
      const p = new Path2D();
      for (let i = 0; i < sn.people; ++i) if (f.rung[i] === g) { p.moveTo(L.x[i] + r, L.y[i]); p.arc(L.x[i], L.y[i], r, 0, 2 * Math.PI); }
      ctx.fillStyle = RUNG_COLORS[g]; ctx.fill(p);
    }
    // worker-organizers: a dark ring
    const ring = new Path2D();
    for (let i = 0; i < sn.people; ++i) if (f.role[i] === 1) { ring.moveTo(L.x[i] + r * 1.8, L.y[i]); ring.arc(L.x[i], L.y[i], r * 1.8, 0, 2 * Math.PI); }
    ctx.strokeStyle = '#111'; ctx.lineWidth = 1.6; ctx.stroke(ring);
    // staff organizers: squares
    ctx.fillStyle = '#a8741a';
    for (const [sx, sy] of staff) ctx.fillRect(sx - 7, sy - 7, 14, 14);
    // a roster's departments by name, above their clusters
    if (sn.department_names) {
      ctx.fillStyle = '#5b6472'; ctx.font = '12px sans-serif'; ctx.textAlign = 'center';
      L.centers.forEach(([cx, cy], d) => {
        if (d < sn.department_names.length) ctx.fillText(sn.department_names[d], cx, Math.max(12, cy - L.radius - 4));
      });
    }
  }

  // ---- who is this? hovering a person names them (a roster's name, department, shift, role) -------
  /** The person under canvas point (px, py) in CSS pixels, or -1. */
  function personAt(canvas, sn, L, px, py) {
    const dpr = window.devicePixelRatio || 1;
    const s = Math.min(canvas.width / W, canvas.height / H);
    const x = (px * dpr - (canvas.width - W * s) / 2) / s, y = (py * dpr - (canvas.height - H * s) / 2) / s;
    let best = -1, bestD = (L.dot * 2.2) ** 2;
    for (let i = 0; i < sn.people; ++i) {
      const d = (L.x[i] - x) ** 2 + (L.y[i] - y) ** 2;
      if (d <= bestD) { bestD = d; best = i; }
    }
    return best;
  }
  function describePerson(sn, f, i) {
    const who = sn.names ? sn.names[i] : `Person ${i + 1}`;
    const where = sn.names
      ? `${sn.department_names[sn.department[i]]}, ${sn.shifts[i]} shift${sn.roles[i] !== 'worker' ? ', ' + sn.roles[i] : ''}`
      : `department ${sn.department[i] + 1}`;
    const parts = [RUNG_NAMES[f.rung[i]] || ''];
    if (f.role[i] === 1) parts.push('organizing coworkers');
    if (f.took_part[i]) parts.push('took part in this week\'s action');
    return { who, where, what: parts.filter(Boolean).join('; ') };
  }
  function hover(a, ev) {
    const tip = $('tip');
    const arm = st.quick && st.quick.arms[a];
    const sn = arm && arm.replicates[0].snapshots;
    const view = armViews[a];
    if (!sn || !st.layout || !view) { tip.hidden = true; return; }
    const rect = view.net.getBoundingClientRect();
    const i = personAt(view.net, sn, st.layout, ev.clientX - rect.left, ev.clientY - rect.top);
    if (i < 0) { tip.hidden = true; return; }
    const d = describePerson(sn, frameAt(sn, st.frame), i);
    tip.innerHTML = `<b>${esc(d.who)}</b><br>${esc(d.where)}<br>${esc(d.what)}`;
    tip.dataset.person = String(i);
    tip.style.left = `${ev.pageX + 12}px`; tip.style.top = `${ev.pageY + 12}px`;
    tip.hidden = false;
  }

  // ---- per-arm columns ----------------------------------------------------------------------------
  const CHARTS = [
    { id: 'trust', title: 'Trust between coworkers (mean trust; dashed: share of strong ties)' },
    { id: 'base', title: 'Supporters (not yet organized), members, leaders' },
    { id: 'power', title: "Actions in the run shown: turnout (dots) and power (diamonds) against the employer's line" },
    { id: 'wins', title: 'Wins still standing' },
    { id: 'backfires', title: 'Conversations that backfired (people felt used), per week' },
    { id: 'fear', title: 'Fear of retaliation (mean)' },
  ];
  let armViews = [];
  function buildArms() {
    const res = st.quick;
    const box = $('arms');
    box.innerHTML = '';
    box.style.setProperty('--arms', String(res.arms.length));
    document.documentElement.style.setProperty('--arms', String(res.arms.length));
    $('title').textContent = titleOf(res);
    const changed = changedSettings();
    $('changed').hidden = !changed.length;
    $('changed').textContent = changed.length ? 'Changed from the scenario as written: ' + changed.join('; ') +
      '. The description and the points to discuss were written for the scenario as written.' : '';
    $('description').textContent = res.description || '';
    fillList('discussion', res.discussion, 'This scenario has no discussion points; add a "discussion" list to its file.');
    fillTry(res.try);
    fillFiles();
    const sn0 = res.arms[0].replicates[0].snapshots;
    st.layout = sn0 ? computeLayout(sn0) : null;
    const colors = armColors(res.arms);
    armViews = res.arms.map((arm, a) => {
      const col = document.createElement('div');
      col.className = 'arm';
      col.innerHTML = `<h3 style="color:${colors[a]}">${esc(arm.name.replace(/_/g, ' '))}</h3>
        <p class="armdesc"><span class="strategy">Strategy: ${esc(String(arm.params['campaign.strategy']).replace(/_/g, '-').replace('big-messaging', 'big messaging').replace('organizing-only', 'organizing only'))}.</span> ${esc(arm.description || '')}</p>
        <div class="net-box"><canvas class="net" data-panel="network"></canvas></div>
        <canvas class="timeline" data-panel="timeline"></canvas>` +
        CHARTS.map((c) => `<p class="chart-title">${esc(c.title)}</p><div class="chart-box"><canvas class="chart" data-chart="${c.id}" data-panel="chart-${c.id}"></canvas><div class="cursor"></div></div>`).join('') +
        '<div class="story"></div>';
      box.appendChild(col);
      const charts = {};
      col.querySelectorAll('canvas.chart').forEach((c) => { charts[c.dataset.chart] = { canvas: c, cursor: c.nextElementSibling }; });
      const net = col.querySelector('.net');
      net.addEventListener('mousemove', (ev) => hover(a, ev));
      net.addEventListener('mouseleave', () => { $('tip').hidden = true; });
      return { col, net, timeline: col.querySelector('.timeline'), charts, story: col.querySelector('.story') };
    });
    // the arms line up: each spans one row of #arms per part (style.css, .arm's subgrid)
    box.style.setProperty('--arm-rows', String(armViews[0].col.children.length));
    $('scrub').max = String(res.steps);
    buildLegend();
    drawCharts();
    writeStories();
  }
  function fillList(id, items, empty) {
    const ul = $(id);
    ul.innerHTML = '';
    const list = items && items.length ? items : [empty];
    for (const t of list) { const li = document.createElement('li'); li.textContent = t; ul.appendChild(li); }
  }
  /** The scenario's title in words: its own "title", else its name with spaces. */
  function titleOf(sc) {
    if (sc && typeof sc.title === 'string' && sc.title) return sc.title;
    const name = String((sc && sc.name) || 'scenario').replace(/_/g, ' ');
    return name.charAt(0).toUpperCase() + name.slice(1);
  }
  api.titleOf = titleOf;
  // Settings the shipped things to try change that have no slider, in words.
  const SETTING_WORDS = {
    'steps': ['Weeks simulated', (v) => String(v)],
    'wins.hazard': ['Chance a week that the employer claws back a standing win', (v) => (v * 100).toFixed(1) + '%'],
    'employer.firing': ['Chance a week that a visible leader is fired after an action', (v) => (v * 100).toFixed(0) + '%'],
    'actions.participation_commitment': ['Commitment gained by taking part in an action', (v) => String(v)],
    'actions.trust_gain': ['Trust gained by acting together', (v) => String(v)],
    'one_on_one.hours': ['Hours for each one-on-one', (v) => v + ' h'],
    'environment.climate.amplitude': ['How hard grievances swing through the year', (v) => String(v)],
    'environment.climate.shock_rate': ['Chance a week of a sudden outrage', (v) => (v * 100).toFixed(0) + '%'],
    'campaign.worker_organizers': ['Coworkers who organize', (v) => String(v)],
    'campaign.staff_organizers': ['Staff organizers', (v) => String(v)],
    'population.commitment': ['Commitment people start with', () => 'lower (see the thing to try)'],
  };
  /** What a setting is called on the page: its slider's label, else its words, else its key. */
  function settingText(key, v) {
    const sp = SLIDERS.find((x) => x.key === key);
    if (sp) return `${sp.label}: ${sp.fmt(Number(v))}`;
    if (SETTING_WORDS[key]) return `${SETTING_WORDS[key][0]}: ${SETTING_WORDS[key][1](v)}`;
    return `${key} = ${typeof v === 'object' ? JSON.stringify(v) : v}`;
  }
  api.settingText = settingText;
  /** What the page now runs that the scenario as written does not: the sliders and the split. */
  function changedSettings() {
    const out = Object.entries(st.sliders).map(([k, v]) => settingText(k, v));
    if (st.split !== null) out.push(`${SPLIT.label}: ${SPLIT.fmt(st.split)}`);
    return out;
  }
  /** A tried change's effect, per arm, from the scenario's own runs to these: wins a run and
   *  the organized base at the end (both averaged over the runs). */
  function beforeAfter(before, after) {
    if (!before || !after || before.arms.length !== after.arms.length) return '';
    const avg = (arm, f) => arm.replicates.reduce((s, r) => s + f(r), 0) / arm.replicates.length;
    const wins = (arm) => avg(arm, (r) => r.outcomes.wins || 0);
    const base = (arm, res) => avg(arm, (r) => r.series.organized_base[res.steps]);
    return 'Before → now: ' + after.arms.map((arm, a) => {
      const b = before.arms[a];
      return `${arm.name.replace(/_/g, ' ')}: wins ${about(wins(b))} → ${about(wins(arm))}, ` +
        `organized base ${pct(base(b, before))} → ${pct(base(arm, after))}`;
    }).join('; ') + ' (averages over the runs).';
  }
  // The scenario's things to try: each in words; one that carries its values gets a button that
  // reruns every strategy with them (from the scenario's values: an earlier try or slider move
  // is undone first), and says what it set.
  function fillTry(items) {
    const ul = $('try');
    ul.innerHTML = '';
    if (!items || !items.length) {
      const li = document.createElement('li');
      li.textContent = 'Move the sliders: every strategy reruns on the same workplace.';
      ul.appendChild(li);
      return;
    }
    items.forEach((t, k) => {
      const li = document.createElement('li');
      const text = typeof t === 'string' ? t : t.text;
      const set = (t && typeof t === 'object' && t.set) || {};
      li.appendChild(document.createTextNode(text + ' '));
      if (Object.keys(set).length) {
        const b = document.createElement('button');
        b.className = 'try-it';
        b.dataset.index = String(k);
        b.textContent = st.trying === k ? 'Trying this' : 'Try it';
        b.title = 'Sets ' + Object.entries(set).map(([key, v]) => settingText(key, v)).join('; ');
        b.addEventListener('click', () => {
          st.sliders = Object.assign({}, set); st.split = null; st.trying = k;
          buildSliders(); fillTry(items); rerun(false);
        });
        li.appendChild(b);
        if (st.trying === k) {
          li.classList.add('trying');
          const note = document.createElement('div');
          note.className = 'note';
          note.textContent = 'Now running with ' + Object.entries(set).map(([key, v]) => settingText(key, v)).join('; ') + '. ';
          const undo = document.createElement('span');
          undo.className = 'screen-only';
          undo.textContent = "“Back to the scenario's values” undoes it.";
          note.appendChild(undo);
          const effect = st.full && st.original ? beforeAfter(st.original, st.full) : '';
          if (effect) {
            const p = document.createElement('div');
            p.className = 'before-after';
            p.textContent = effect;
            note.appendChild(p);
          }
          li.appendChild(note);
        }
      }
      ul.appendChild(li);
    });
  }
  // The scenario's own files, to take away and edit: its JSON as written and the CSV files it
  // names (a roster, friendships, an edge list) from the page's file folder. A trainer who wants
  // their own workplace starts from these.
  function fillFiles() {
    const box = $('files');
    const doc = st.doc || {};
    const net = (doc.network && typeof doc.network === 'object') ? doc.network : {};
    const names = ['roster', 'friendships', 'path'].map((k) => net[k])
      .filter((f) => typeof f === 'string' && f).map((f) => f.split('/').pop())
      .filter((f) => Object.prototype.hasOwnProperty.call(FILES, f));
    const link = (name, text, type) => `<a download="${esc(name)}" href="data:${type};charset=utf-8,${encodeURIComponent(text)}">${esc(name)}</a>`;
    const json = st.file && /\.json$/i.test(st.file) ? st.file : fileNameOf(doc);
    const links = [link(json, st.text, 'application/json')].concat(names.map((f) => link(f, FILES[f], 'text/csv')));
    box.innerHTML = (names.length ? 'This scenario\'s files, to edit with your own people and open again: '
      : 'This scenario\'s file, to edit and open again: ') + links.join(' · ');
    box.hidden = !st.text;
  }
  function esc(s) { return String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' }[c])); }
  function buildLegend() {
    const items = RUNG_COLORS.map((c, g) => `<span><i style="background:${c}"></i>${RUNG_NAMES[g]}</span>`);
    items.push('<span><i style="background:#fff;border:2px solid #111"></i>coworker who organizes</span>');
    items.push('<span><i style="background:#a8741a;border-radius:0"></i>staff organizer (not a coworker)</span>');
    items.push('<span><i style="background:rgba(255,196,0,0.7)"></i>took part in this week\'s action</span>');
    items.push('<span>lines: acquaintances, faint → bold as trust grows</span>');
    // Read before the networks (the legend sits above the arms, on the screen and on paper), with
    // what week 0 is: the one workplace every strategy starts from.
    $('legend').innerHTML = '<b>How to read the networks:</b> ' + items.join('') +
      `<p id="week-one" class="week-one">${esc(WEEK_ONE)}</p>`;
  }
  const WEEK_ONE = 'Every strategy starts from the same workplace: week 0, before any organizing, is the same ' +
    "picture and the same first point for each. Every later week is shown at its end, after that week's work.";

  // ---- charts -----------------------------------------------------------------------------------
  function meanSeries(arm, name) {
    const reps = arm.replicates;
    const T = reps[0].series[name].length;
    const out = new Float32Array(T);
    for (let t = 0; t < T; ++t) {
      let s = 0, k = 0;
      for (const r of reps) { const v = r.series[name][t]; if (!Number.isNaN(v)) { s += v; ++k; } }
      out[t] = k ? s / k : NaN;
    }
    return out;
  }
  function source() { return st.full || st.quick; }
  function n() { return st.quick.arms[0].params['population.size']; }
  function seriesMax(name, scale) {
    let m = 0;
    for (const res of [st.quick, st.full]) if (res) for (const arm of res.arms) for (const r of arm.replicates)
      for (const v of r.series[name]) if (v * (scale || 1) > m) m = v * (scale || 1);
    return m;
  }
  function niceMax(m) { if (!(m > 0)) return 1; const p = Math.pow(10, Math.floor(Math.log10(m))); for (const k of [1, 2, 2.5, 5, 10]) if (k * p >= m) return k * p; return 10 * p; }

  // A chart's axes for its height (CSS px): the labels' font, and how many y ticks fit without
  // two labels touching. A screen chart (92 px) labels 0, the middle and the top; a printed one
  // (8 mm, 30 px) uses a smaller font and labels 0 and the top; a chart too short for two labels
  // labels its top alone. Labels sit inside the plot's height: the top one hangs from the top,
  // 0 stands on the x axis, the middle one is centred on its line.
  const PAD_L = 34, PAD_R = 4, PAD_T = 4;  // CSS px (drawCursor places the week cursor with them)
  function chartAxis(height) {
    const font = height < 60 ? 8 : 10;
    const padB = font + 3;                   // the years' labels under the plot
    const plot = height - PAD_T - padB;
    const digits = 0.75 * font;              // a digit's height, about
    const ticks = plot >= 4 * font ? 3 : plot >= 2 * digits + 2 ? 2 : 1;
    return { font, padB, plot, ticks };
  }
  api.chartAxis = chartAxis;
  function plotFrame(canvas, ymax, steps) {
    const ctx = fitCanvas(canvas);
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const ax = chartAxis(canvas.height / dpr);
    const padL = PAD_L * dpr, padB = ax.padB * dpr, padT = PAD_T * dpr, padR = PAD_R * dpr;
    const w = canvas.width - padL - padR, h = canvas.height - padB - padT;
    const X = (t) => padL + (t / Math.max(1, steps)) * w;  // t: the week, 0 (before) .. steps
    const Y = (v) => padT + h - (v / ymax) * h;
    ctx.strokeStyle = '#ccd1d9'; ctx.lineWidth = dpr;
    ctx.beginPath(); ctx.moveTo(padL, padT); ctx.lineTo(padL, padT + h); ctx.lineTo(padL + w, padT + h); ctx.stroke();
    ctx.fillStyle = '#6b7383'; ctx.font = `${ax.font * dpr}px sans-serif`; ctx.textAlign = 'right';
    const decimals = ymax >= 10 ? 0 : ymax >= 1 ? 1 : 2;
    ctx.textBaseline = 'top'; ctx.fillText(ymax.toFixed(decimals), padL - 3 * dpr, padT);
    if (ax.ticks >= 2) { ctx.textBaseline = 'alphabetic'; ctx.fillText('0', padL - 3 * dpr, padT + h); }
    // the middle, when its label is exact at the top's decimals (not 1.25 under 2.5)
    const mid = ymax / 2;
    if (ax.ticks >= 3 && Number(mid.toFixed(decimals)) === mid) {
      ctx.textBaseline = 'middle'; ctx.fillText(mid.toFixed(decimals), padL - 3 * dpr, Y(mid));
      ctx.strokeStyle = '#eef0f3'; ctx.beginPath(); ctx.moveTo(padL + dpr, Y(mid)); ctx.lineTo(padL + w, Y(mid)); ctx.stroke();
    }
    // The years: a faint line where each new year starts, and each year's name centred under
    // its weeks ("year 1 | year 2 | year 3"); shortened ("yr 1", "1") where a year is too narrow
    // for it, and left out for a last part-year too narrow for its number.
    ctx.textBaseline = 'bottom'; ctx.textAlign = 'center';
    for (let yr = 52; yr < steps; yr += 52) {
      ctx.strokeStyle = '#eef0f3'; ctx.beginPath(); ctx.moveTo(X(yr), padT); ctx.lineTo(X(yr), padT + h); ctx.stroke();
    }
    const years = steps >= 52 ? Math.ceil(steps / 52) : 0;
    const span = (k) => X(Math.min(steps, 52 * (k + 1))) - X(52 * k);
    const fullSpan = X(Math.min(steps, 52)) - X(0);
    const form = ['year ', 'yr ', ''].find((f) => ctx.measureText(f + years).width <= fullSpan - 6 * dpr);
    // A run of one year or less is told in weeks, not as "year 1": a scenario of a campaign's
    // third year ("Year three: ...") would otherwise be charted as year 1.
    if (steps <= 52) {
      const text = `${steps} weeks`;
      if (ctx.measureText(text).width <= X(steps) - X(0) - 6 * dpr) ctx.fillText(text, (X(0) + X(steps)) / 2, canvas.height);
    }
    for (let k = 0; steps > 52 && form !== undefined && k < years; ++k) {
      const text = form + (k + 1);
      if (ctx.measureText(text).width > span(k) - 6 * dpr) continue;
      ctx.fillText(text, (X(52 * k) + X(Math.min(steps, 52 * (k + 1)))) / 2, canvas.height);
    }
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    return { ctx, X, Y, dpr, padT, h, font: ax.font };
  }
  function line(P, data, color, width, dash, scale) {
    const { ctx, X, Y, dpr } = P;
    ctx.strokeStyle = color; ctx.lineWidth = width * dpr; ctx.setLineDash(dash ? dash.map((d) => d * dpr) : []);
    ctx.beginPath();
    let up = false;
    for (let t = 0; t < data.length; ++t) {
      const v = data[t] * (scale || 1);
      if (Number.isNaN(v)) { up = false; continue; }
      if (up) ctx.lineTo(X(t), Y(v)); else { ctx.moveTo(X(t), Y(v)); up = true; }
    }
    ctx.stroke(); ctx.setLineDash([]);
  }

  function drawCharts() {
    if (!st.quick) return;
    const res = source();
    const steps = res.steps;
    const N = n();
    const ymax = {
      trust: niceMax(Math.max(seriesMax('trust_mean'), seriesMax('strong_tie_share'))),
      base: Math.min(1, niceMax(Math.max(seriesMax('organized_base'), (seriesMax('rung_supporter') + seriesMax('rung_member') + seriesMax('rung_leader')) / N))),
      power: niceMax(Math.max(seriesMax('turnout'), seriesMax('power'), ...res.arms.map((a) => a.params['employer.resistance']))),
      wins: niceMax(seriesMax('standing_wins')),
      backfires: niceMax(seriesMax('backfires')),
      fear: niceMax(seriesMax('fear_mean')),
    };
    const colors = armColors(res.arms);
    res.arms.forEach((arm, a) => {
      const view = armViews[a];
      if (!view) return;
      const watched = st.quick.arms[a].replicates[0];
      const avg = (name) => (st.full ? meanSeries(arm, name) : watched.series[name]);
      const color = colors[a];
      for (const c of CHARTS) {
        const ch = view.charts[c.id];
        const P = plotFrame(ch.canvas, ymax[c.id], steps);
        if (c.id === 'trust') {
          line(P, avg('trust_mean'), color, 2);
          line(P, avg('strong_tie_share'), color, 1.4, [4, 3]);
          if (st.full) line(P, watched.series.trust_mean, color, 0.7);
        } else if (c.id === 'base') {
          // stacked shares: leader, member, supporter (the watched run's people are the network's)
          const parts = ['rung_leader', 'rung_member', 'rung_supporter'].map((k) => avg(k));
          const { ctx, X, Y } = P;
          const acc = new Float32Array(steps + 1);
          [3, 2, 1].forEach((g, k) => {
            ctx.beginPath();
            for (let t = 0; t <= steps; ++t) ctx.lineTo(X(t), Y((acc[t] + parts[k][t]) / N));
            for (let t = steps; t >= 0; --t) ctx.lineTo(X(t), Y(acc[t] / N));
            ctx.closePath(); ctx.fillStyle = RUNG_COLORS[g]; ctx.globalAlpha = 0.85; ctx.fill(); ctx.globalAlpha = 1;
            for (let t = 0; t <= steps; ++t) acc[t] += parts[k][t];
          });
          line(P, avg('organized_base'), '#111', 1.2, [3, 2]);
        } else if (c.id === 'power') {
          const { ctx, X, Y, dpr } = P;
          const R = arm.params['employer.resistance'];
          ctx.strokeStyle = '#b00020'; ctx.lineWidth = 1.3 * dpr; ctx.setLineDash([6 * dpr, 3 * dpr]);
          ctx.beginPath(); ctx.moveTo(X(0), Y(R)); ctx.lineTo(X(steps), Y(R)); ctx.stroke(); ctx.setLineDash([]);
          const s = watched.series;
          for (let t = 1; t <= steps; ++t) {
            if (Number.isNaN(s.turnout[t])) continue;
            ctx.fillStyle = color; ctx.globalAlpha = 0.45;
            ctx.beginPath(); ctx.arc(X(t), Y(s.turnout[t]), 2.2 * dpr, 0, 2 * Math.PI); ctx.fill();
            ctx.globalAlpha = 1;
            const won = s.wins_new[t] > 0;
            ctx.fillStyle = won ? '#1f8a4c' : '#333';
            const px = X(t), py = Y(s.power[t]), d = 3 * dpr;
            ctx.beginPath(); ctx.moveTo(px, py - d); ctx.lineTo(px + d, py); ctx.lineTo(px, py + d); ctx.lineTo(px - d, py); ctx.fill();
          }
          // The line's label, drawn last on a pale backing so that no action's mark hides it:
          // above the line, or under it when the line is the chart's top.
          ctx.font = `${(P.font - 1) * dpr}px sans-serif`;
          const above = Y(R) - 2 * dpr - P.font * dpr >= 0;
          const lx = X(0) + 2 * dpr, ly = above ? Y(R) - 2 * dpr : Y(R) + 2 * dpr;
          const lw = ctx.measureText("employer's line").width, lh = (P.font - 1) * dpr;
          ctx.fillStyle = 'rgba(255,255,255,0.8)';
          ctx.fillRect(lx - dpr, above ? ly - lh : ly, lw + 2 * dpr, lh + dpr);
          ctx.fillStyle = '#b00020';
          ctx.textBaseline = above ? 'alphabetic' : 'top';
          ctx.fillText("employer's line", lx, ly);
          ctx.textBaseline = 'alphabetic';
        } else if (c.id === 'wins') {
          line(P, avg('standing_wins'), color, 2);
          if (st.full) line(P, watched.series.standing_wins, color, 0.7);
        } else if (c.id === 'backfires') {
          const { ctx, X, Y, dpr } = P;
          const b = avg('backfires');
          ctx.fillStyle = '#c0392b';
          for (let t = 1; t <= steps; ++t) if (b[t] > 0) ctx.fillRect(X(t), Y(b[t]), Math.max(1, dpr), P.padT + P.h - Y(b[t]));
        } else if (c.id === 'fear') {
          line(P, avg('fear_mean'), color, 2);
          if (st.full) line(P, watched.series.fear_mean, color, 0.7);
        }
      }
    });
    drawCursor();
  }
  // The week cursor on every chart: a positioned line over the canvas (the chart itself is not
  // redrawn while playing, so a frame costs the networks and timelines only).
  function drawCursor() {
    if (!st.quick) return;
    const steps = st.quick.steps;
    for (const view of armViews) for (const ch of Object.values(view.charts)) {
      const w = ch.canvas.clientWidth;
      const x = PAD_L + (st.frame / Math.max(1, steps)) * (w - PAD_L - PAD_R);
      ch.cursor.style.transform = `translateX(${x.toFixed(1)}px)`;
    }
  }

  function drawTimeline(view, arm) {
    const canvas = view.timeline;
    const ctx = fitCanvas(canvas);
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    const s = arm.replicates[0].series;
    const steps = st.quick.steps;
    const w = canvas.width - 8 * dpr, h = canvas.height;
    const X = (t) => 4 * dpr + (t / Math.max(1, steps)) * w;
    ctx.fillStyle = '#f1f3f6'; ctx.fillRect(0, h * 0.3, canvas.width, h * 0.4);
    for (let t = 0; t <= st.frame; ++t) {
      if (!Number.isNaN(s.turnout[t])) {
        const won = s.wins_new[t] > 0;
        ctx.fillStyle = won ? '#1f8a4c' : '#7d8596';
        const bh = Math.max(3 * dpr, s.turnout[t] * h * 0.9);
        ctx.fillRect(X(t) - dpr, h / 2 - bh / 2, won ? 3 * dpr : 1.5 * dpr, bh);
      }
      if (s.reversals_new[t] > 0) {
        ctx.fillStyle = '#b00020';
        ctx.beginPath(); ctx.moveTo(X(t) - 4 * dpr, 1); ctx.lineTo(X(t) + 4 * dpr, 1); ctx.lineTo(X(t), 8 * dpr); ctx.fill();
      }
    }
    ctx.fillStyle = '#111'; ctx.fillRect(X(st.frame) - dpr / 2, 0, dpr, h);
    ctx.fillStyle = '#5b6475'; ctx.font = `${9 * dpr}px sans-serif`;
    ctx.fillText('actions (green: won) · ▼ a win taken back', 6 * dpr, h - 2);
  }

  function setFrame(k) {
    if (!st.quick) return;
    // st.frame is the week: 0 before the campaign, t at the end of the t-th week's work
    st.frame = Math.max(0, Math.min(st.quick.steps, k));
    $('scrub').value = String(st.frame);
    const yr = Math.floor((st.frame - 1) / 52) + 1, wk = (st.frame - 1) % 52 + 1;
    $('week').textContent = st.frame === 0 ? `week 0 of ${st.quick.steps}, before the campaign`
      : `week ${st.frame} of ${st.quick.steps}` + (st.quick.steps > 52 ? ` (year ${yr}, wk ${wk})` : '');
    drawFrame();
  }
  /** The frame shown at `week`: the last one taken at or before it (frame.step + 1 is its week;
   *  the first frame, step -1, is week 0). */
  function frameAt(sn, week) {
    let lo = 0, hi = sn.frames.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (sn.frames[mid].step + 1 <= week) lo = mid; else hi = mid - 1;
    }
    return sn.frames[lo];
  }
  api.frameAt = frameAt;
  function drawFrame() {
    st.quick.arms.forEach((arm, a) => {
      const view = armViews[a];
      const sn = arm.replicates[0].snapshots;
      if (view && sn && st.layout) {
        drawNetwork(view.net, sn, frameAt(sn, st.frame), st.layout);
      }
      if (view) drawTimeline(view, arm);
    });
    drawCursor();
  }

  // ---- the plain-language story, computed from the series -----------------------------------------
  function pct(v) { return Number.isNaN(v) ? '–' : (v * 100).toFixed(v < 0.1 ? 1 : 0) + '%'; }
  function about(v) {
    // one decimal below 10 (2.5 actions a run), none when it would read ".0" (3, not 3.0)
    const one = v.toFixed(1);
    return Number.isInteger(v) || Math.abs(v) >= 10 || one.endsWith('.0') ? v.toFixed(0) : one;
  }
  function story(arm, res) {
    const N = arm.params['population.size'];
    const reps = arm.replicates;
    const R = reps.length;
    const mean = (f) => reps.reduce((s, r) => s + f(r), 0) / R;
    const T = res.steps;
    const years = T >= 52 ? `${about(T / 52)} year${T / 52 === 1 ? '' : 's'}` : `${T} weeks`;
    const out = [];
    // From week 0 (the workplace before the campaign, the same for every arm) to the last week.
    const b0 = mean((r) => r.series.organized_base[0]), b1 = mean((r) => r.series.organized_base[T]);
    const people = Math.round(b1 * N);
    out.push(`Over ${years}, the organized base (members, leaders and coworkers who organize) went from ${pct(b0)} before the campaign to ${pct(b1)} of the workplace at the end — ` +
      (people === 0 ? 'almost nobody.' : `about ${people} of ${N} people.`));
    const s0 = mean((r) => r.series.strong_tie_share[0]), s1 = mean((r) => r.series.strong_tie_share[T]);
    const t0 = mean((r) => r.series.trust_mean[0]), t1 = mean((r) => r.series.trust_mean[T]);
    // The verb is read from the numbers as shown (two decimals): "fell (0.14 → 0.13)" next to
    // "barely moved (0.14 → 0.13)" in another run of the same numbers read as a contradiction.
    const T0 = Number(t0.toFixed(2)), T1 = Number(t1.toFixed(2));
    const trend = T1 - T0 >= 0.02 && T1 > T0 * 1.1 ? 'grew' : T0 - T1 >= 0.02 && T1 < T0 * 0.9 ? 'fell' : 'barely moved';
    out.push(`Trust between coworkers ${trend} (${t0.toFixed(2)} → ${t1.toFixed(2)}); strong relationships went from ${pct(s0)} to ${pct(s1)} of acquaintances.`);
    const acts = mean((r) => r.series.turnout.reduce((k, v) => k + (Number.isNaN(v) ? 0 : 1), 0));
    if (acts < 0.5) {
      out.push(acts === 0 ? 'They never called an action, so nothing was won — and the employer never had to answer.'
        : `In most runs they never called an action (${about(acts)} on average), so there was little to win.`);
    } else {
      // The biggest and the strongest action are averaged over the runs that called one, as the
      // report does (analysis/report.py: the per-run peak_turnout, undefined in a run without an
      // action, averaged where defined): a run that called none is not a crowd of 0%.
      const acted = reps.filter((r) => r.series.turnout.some((v) => !Number.isNaN(v)));
      const overActed = (f) => acted.reduce((s, r) => s + f(r), 0) / acted.length;
      const peak = overActed((r) => (typeof r.outcomes.peak_turnout === 'number' ? r.outcomes.peak_turnout
        : r.series.turnout.reduce((m, v) => (Number.isNaN(v) ? m : Math.max(m, v)), 0)));
      // Each run's strongest action: its power, and its turnout, which says why it fell short
      // when it did.
      const strongest = (r) => r.series.power.reduce((b, v, t) => (Number.isNaN(v) || v <= b.p ? b : { p: v, t }), { p: 0, t: -1 });
      const pw = overActed((r) => strongest(r).p);
      const at = (r, key) => { const t = strongest(r).t; return t < 0 ? 0 : r.series[key][t] || 0; };
      const turnoutThen = overActed((r) => at(r, 'turnout')), cohesionThen = overActed((r) => at(r, 'cohesion'));
      const inActed = acted.length < R ? `In the ${acted.length} of ${R} runs that called an action, the` : 'The';
      const Rz = arm.params['employer.resistance'];
      const width = arm.params['actions.win_width'] || 0;
      const wins = mean((r) => r.outcomes.wins || 0), rev = mean((r) => r.outcomes.reversals || 0);
      // Power is turnout x (floor + (1 - floor) x cohesion) (actions.power_floor), at most the
      // turnout: a crowd smaller than the line cannot win however much its people trust each
      // other; a bigger one fell short on the trust among them (its cohesion: the mean trust on
      // their ties, "barely" below 0.25). Those reasons are given only when the power was clearly
      // below the line: within two actions.win_width of it, with wins, a win is partly luck and
      // no reason explains a miss there (the wins say the rest).
      const short = turnoutThen < Rz ? 'more people needed to come out'
        : cohesionThen < 0.25 ? 'a crowd whose people barely trust each other is weak, however big'
          : 'its people did not yet trust each other enough for a crowd that size to count';
      // The sides of the line as the numbers read (two decimals): 0.2496 and 0.2504 both read
      // "0.25 against 0.25", and are both said to be at the line.
      const P2 = pw.toFixed(2), R2 = Rz.toFixed(2);
      const side = Math.sign(Number(P2) - Number(R2));
      const luck = width > 0 && wins > 0 && Math.abs(pw - Rz) <= 2 * width;
      const power = 'power (how many came out, counted for more when they trust each other)';
      const verdict = luck
        ? (side < 0 ? `Its strongest actions came close to the employer's line: their ${power} was ${P2} against ${R2}.`
          : side === 0 ? `Its strongest actions were right at the employer's line: their ${power} was ${P2}, the line ${R2}.`
            : `Its strongest actions went just over the employer's line: their ${power} was ${P2} against ${R2}.`) +
          ' That close, winning is partly luck.'
        // Above the line a win is a chance (actions.win_width: the further above, the likelier),
        // not a sure thing: "enough to win" only where the line is sharp (a width of 0). Just
        // over it here is without wins (with wins it is the "partly luck" verdict above).
        : `At its strongest an action's ${power} was ${P2} against the employer's line of ${R2} — ` +
          (side > 0 ? (width <= 0 ? 'above the line, so enough to win.'
            : pw - Rz > 2 * width ? 'above the line, so likely to win.' : 'just over the line, where a win is partly luck.')
            : side === 0 ? 'right at the line.' : `not enough: ${short}.`);
      out.push(`They called about ${about(acts)} action${acts === 1 ? '' : 's'}. ${inActed} biggest brought out ${pct(peak)} of the workplace. ${verdict}`);
      const standing = mean((r) => r.series.standing_wins[T]);
      if (wins > 0) out.push((wins < 0.95 ? `Most runs won nothing (${about(wins)} wins a run on average); `
        : `They won ${about(wins)} time${wins === 1 ? '' : 's'}; `) +
        // The share taken back (a ratio of the two means is the ratio of the runs' totals): "0.5
        // of those wins were taken back" read as half a win.
        (rev === 0 ? 'none of those wins was taken back' : rev >= wins ? 'every one of those wins was taken back'
          : `${pct(rev / wins)} of those wins were taken back`) +
        `; ${about(standing)} ${wins < 0.95 ? 'a run ' : ''}still stood at the end` +
        // weeks of standing wins (every win counted for each week it stood), the measure the
        // things to try compare; not told of the odd win
        (wins < 0.95 ? '.' : ` (${about(mean((r) => r.outcomes.win_weeks || 0))} weeks of standing wins in all).`));
      // No win says nothing of the line: a strongest action over it can lose (and one under it
      // can win) when winning is a chance.
      else out.push(side > 0 && width > 0 ? 'Still, no action won: over the line a win is a chance, not a sure thing.' : 'No action won.');
    }
    const bf = mean((r) => r.series.backfires.reduce((s, v) => s + v, 0));
    if (bf >= 1) out.push(`${about(bf)} conversations backfired: people pushed on issues by someone they barely trusted felt used, and trust fell.`);
    const f0 = mean((r) => r.series.fear_mean[0]), f1 = mean((r) => r.series.fear_mean[T]);
    if (f1 > f0 + 0.03) out.push(`Fear rose (${f0.toFixed(2)} → ${f1.toFixed(2)}): people saw what happened to those who stood out.`);
    else if (f1 < f0 - 0.03) out.push(`Fear eased (${f0.toFixed(2)} → ${f1.toFixed(2)}).`);
    const wo0 = mean((r) => r.series.organizers_worker[0]), wo = mean((r) => r.series.organizers_worker[T]);
    const onAverage = (v) => about(v) + (Number.isInteger(Number(about(v))) || R === 1 ? '' : ' on average');
    // Fired only where someone can be: the engine counted firings (elections' notice weeks), or
    // the employer fires those who stood out (employer.firing) and this arm called actions.
    const fired = mean((r) => r.outcomes.firings || 0) > 0 || (arm.params['employer.firing'] > 0 && acts > 0);
    if (wo >= 0.5 || wo0 >= 0.5) out.push(`Coworkers who organize: ${onAverage(wo0)} at the start, ${onAverage(wo)} at the end` +
      (wo > wo0 + 0.5 ? ' — leaders trained others to do what they do.' : wo < wo0 - 0.5 ? (fired ? ' — some left or were fired.' : ' — some left (turnover).') : '.'));
    out.push(R > 1 ? `(Averages over ${R} runs of this workplace; the network shows one of them.)` : '(One run; the full set is still computing.)');
    return out;
  }
  function writeStories() {
    const res = source();
    res.arms.forEach((arm, a) => {
      const view = armViews[a];
      if (!view) return;
      view.story.innerHTML = '<b>What happened</b>' + story(arm, res).map((p) => `<p>${esc(p)}</p>`).join('');
    });
  }

  // ---- every output from the dictionary -------------------------------------------------------------
  // Each quantity in words: its meaning and units from the output dictionary (sim/io/outputs.cpp,
  // the engine's one list, sent with every result), never retyped here. Its name is the
  // dictionary's short label; what exactly it counts (the dictionary's description, as the HDF5
  // file's `description` attribute says it) is a line under the picker, read on a projected
  // screen where a tooltip is not, and the picker's tooltip. Its code (the HDF5 dataset and
  // Python column) is kept for whoever opens a results file: in small print, not as its name.
  // units is a UDUNITS string ("1", "count", "h", "week"); what a count counts is unit_words.
  const UNIT_WORDS = { '1': 'no unit (a share or a mean)', h: 'hours', agents: 'people' };
  function outputWords(o) {
    const meaning = String(o.long_name || '').trim();
    return meaning ? meaning.charAt(0).toUpperCase() + meaning.slice(1) : String(o.name).replace(/_/g, ' ');
  }
  function unitWords(o) {
    const unit = o.unit_words || o.units;
    return UNIT_WORDS[unit] || unit;
  }
  function outputAbout(o) {
    const d = String(o.description || '').trim();
    return d ? `What it counts: ${d}${/[.!?]$/.test(d) ? '' : '.'}` : '';
  }
  api.outputWords = outputWords;
  function buildExtra() {
    const sel = $('extra');
    const res = source();
    const prev = sel.value;
    sel.innerHTML = res.outputs.map((o) => `<option value="${esc(o.name)}" title="${esc(o.description || o.name)}">${esc(outputWords(o))}</option>`).join('');
    if (prev && res.outputs.some((o) => o.name === prev)) sel.value = prev;
    drawExtra();
  }
  function drawExtra() {
    const res = source();
    const name = $('extra').value;
    const box = $('extra-charts');
    box.innerHTML = '';
    const out = res.outputs.find((o) => o.name === name);
    $('extra-about').textContent = out ? outputAbout(out) : '';
    $('extra-code').textContent = out ? `Counted in: ${unitWords(out)}. Its name in a results file: ${out.name}` : '';
    if (!name) return;
    let m = 0;
    res.arms.forEach((arm) => { for (const v of meanSeries(arm, name)) if (v > m) m = v; });
    // Every chart is placed before any is drawn: a canvas takes its size from the grid's
    // layout, which changes as charts are added.
    const colors = armColors(res.arms);
    const canvases = res.arms.map((arm, a) => {
      const div = document.createElement('div');
      div.innerHTML = `<p class="chart-title"><b style="color:${colors[a]}">${esc(arm.name.replace(/_/g, ' '))}</b>: average over the runs</p><canvas class="chart" data-panel="extra"></canvas>`;
      box.appendChild(div);
      return div.querySelector('canvas');
    });
    res.arms.forEach((arm, a) => {
      const P = plotFrame(canvases[a], niceMax(m), res.steps);
      line(P, meanSeries(arm, name), colors[a], 2);
    });
  }

  // ---- sliders ----------------------------------------------------------------------------------
  // What a slider reads, per arm of the scenario as loaded: its value there (the resolved
  // parameter; for the hour split, the arm's resolved allocation), or null where the slider
  // cannot matter to that arm (staff hours with no staff organizer; the hour split of an arm that
  // does no organizing work).
  function sliderArms(sp) {
    return st.base.arms.map((arm) => {
      const name = arm.name.replace(/_/g, ' ');
      if (sp.key === 'split') {
        const alloc = arm.allocation || {};
        const work = Object.values(alloc).reduce((s, v) => s + v, 0) > 0;
        return { name, value: work ? alloc.one_on_one : null, why: 'no organizing hours to split' };
      }
      if (sp.needs && !sp.needs(arm)) return { name, value: null, why: sp.why };
      return { name, value: arm.params[sp.key] };
    });
  }
  api.sliderArms = (key) => sliderArms(SLIDERS.concat([SPLIT]).find((sp) => sp.key === key));
  function buildSliders() {
    const box = $('sliders');
    box.innerHTML = '';
    const doc = st.doc || {};
    const all = SLIDERS.concat([SPLIT]);
    for (const sp of all) {
      const perArm = sliderArms(sp);
      const live = perArm.filter((p) => p.value !== null);
      const fixedBy = (doc.arms || []).filter((a) => armSets(a, sp.key)).map((a) => a.name);
      const div = document.createElement('div');
      div.className = 'slider';
      div.dataset.key = sp.key;
      if (!live.length) {
        // Nothing this slider sets matters here: shown greyed out, with the reason, not moved.
        div.classList.add('off');
        div.innerHTML = `<label><span>${esc(sp.label)}</span><span class="val">—</span></label>
          <input type="range" min="${sp.min}" max="${sp.max}" step="${sp.step}" value="${sp.min}" data-key="${sp.key}" disabled>
          <div class="note">${esc(sp.offNote || ('does nothing in this scenario: ' + perArm[0].why))}</div>`;
        box.appendChild(div);
        continue;
      }
      // The strategies' own values: one value, or each strategy's (the slider then sets them all
      // to one; it never shows one arm's value as if it were every arm's).
      const shown = [...new Set(live.map((p) => sp.fmt(p.value)))];
      const differ = shown.length > 1;
      const v0 = live.reduce((s, p) => s + p.value, 0) / live.length;
      const moved = sp.key === 'split' ? st.split !== null : st.sliders[sp.key] !== undefined;
      const value = sp.key === 'split' ? (moved ? st.split : v0) : (moved ? st.sliders[sp.key] : v0);
      const skipped = perArm.filter((p) => p.value === null);
      const notes = [];
      if (sp.note) notes.push(sp.note);
      if (differ) notes.push(`as written: ${live.map((p) => `${p.name} ${sp.fmt(p.value)}`).join(', ')}; moving it sets every strategy to one value`);
      if (skipped.length) notes.push(`does nothing for ${skipped.map((p) => p.name).join(', ')}: ${skipped[0].why}`);
      if (fixedBy.length) notes.push(`set by arm ${fixedBy.join(', ')} itself: not moved there`);
      const label = sp.label + (differ ? ', for every strategy' : '');
      const maxV = Math.max(sp.max, ...live.map((p) => p.value));
      div.innerHTML = `<label><span>${esc(label)}</span><span class="val"></span></label>
        <input type="range" min="${sp.min}" max="${maxV}" step="${sp.step}" value="${value}" data-key="${sp.key}">
        <div class="note">${esc(notes.join('; '))}</div>`;
      const input = div.querySelector('input');
      const val = div.querySelector('.val');
      val.textContent = moved ? sp.fmt(Number(value)) : (differ ? 'now ' + live.map((p) => sp.fmt(p.value)).join(' / ') : shown[0]);
      input.addEventListener('input', () => {
        const v = Number(input.value);
        val.textContent = sp.fmt(v);
        if (sp.key === 'split') st.split = v; else st.sliders[sp.key] = v;
        scheduleRerun();
      });
      box.appendChild(div);
    }
  }
  let rerunTimer = null;
  function scheduleRerun() {
    clearTimeout(rerunTimer);
    rerunTimer = setTimeout(() => rerun(false), 60);
  }

  // ---- playing ----------------------------------------------------------------------------------
  let lastTick = 0, acc = 0;
  function tick(now) {
    if (!st.playing) return;
    const dt = lastTick ? (now - lastTick) / 1000 : 0;
    lastTick = now;
    acc += dt * Number($('speed').value);
    if (acc >= 1) {
      const adv = Math.floor(acc);
      acc -= adv;
      if (st.frame + adv >= st.quick.steps) { setFrame(st.quick.steps); pause(); return; }
      setFrame(st.frame + adv);
    }
    requestAnimationFrame(tick);
  }
  function play() {
    if (!st.quick) return;
    if (st.frame >= st.quick.steps) setFrame(0);
    st.playing = true; $('play').textContent = '❚❚ Pause'; lastTick = 0; acc = 0;
    requestAnimationFrame(tick);
  }
  function pause() { st.playing = false; $('play').textContent = '▶ Play'; }

  /** Frames drawn per second when every arm's network, timeline and cursor redraw (bench). */
  api.measureDrawing = function (frames = 120) {
    const t0 = performance.now();
    for (let k = 0; k < frames; ++k) setFrame(k % (st.quick.steps + 1));
    return frames / ((performance.now() - t0) / 1000);
  };

  // ---- wiring -----------------------------------------------------------------------------------
  function init() {
    const sel = $('scenario');
    for (const name of Object.keys(SCENARIO_TEXT)) {
      const o = document.createElement('option');
      let doc = null;
      try { doc = JSON.parse(SCENARIO_TEXT[name]); } catch (e) { doc = null; }
      o.value = name; o.textContent = titleOf(doc || { name });
      sel.appendChild(o);
    }
    sel.addEventListener('change', () => {
      pause();
      if (OPENED.has(sel.value)) show(OPENED.get(sel.value)); else loadScenario(sel.value);
    });
    $('open').addEventListener('change', (e) => {
      const list = Array.from(e.target.files || []);
      if (!list.length) return;
      Promise.all(list.map((f) => f.text().then((t) => [f.name, t]))).then((texts) => {
        e.target.value = '';  // opening the same files again (after editing them) opens them again
        pause();
        openFiles(Object.fromEntries(texts));
      });
    });
    $('play').addEventListener('click', () => (st.playing ? pause() : play()));
    $('step').addEventListener('click', () => { pause(); setFrame(st.frame + 1); });
    $('scrub').addEventListener('input', () => { pause(); setFrame(Number($('scrub').value)); });
    $('reset').addEventListener('click', () => { st.sliders = {}; st.split = null; st.trying = null; buildSliders(); rerun(false); });
    $('print').addEventListener('click', () => window.print());
    $('extra').addEventListener('change', drawExtra);
    window.addEventListener('resize', () => { drawCharts(); drawFrame(); drawExtra(); });
    // The print layout's pictures are smaller. Chromium prints (a print preview, page.pdf) by
    // laying the page out at the paper's width and then firing the print media change, before
    // the pages are made: that redraw is the one printed. beforeprint comes before that layout
    // (it draws at the screen's sizes); afterprint and the change back redraw for the screen.
    const redraw = () => { drawCharts(); drawFrame(); drawExtra(); };
    window.addEventListener('beforeprint', redraw);
    window.addEventListener('afterprint', redraw);
    window.matchMedia('print').addEventListener('change', redraw);
    api.ready = loadScenario(Object.keys(SCENARIO_TEXT)[0]);
  }
  init();
})();

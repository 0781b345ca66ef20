// Opens mplp-gate's HTML reports in headless Chromium (Debian's chromium,
// driven by playwright-core) and checks what a reader sees: the matrix shows
// the verdicts of the JSON report of the same run, the filters narrow the
// rows, a pack's findings appear only when it is opened, hostile pack names
// stay text, 10,000 packs stay light, and the page makes no network request.
// Writes one JUnit/gtest-style XML file that scripts/gtest_summary.py reads.
//
// usage: node html_check.js OUT_DIR RESULTS_XML
//   OUT_DIR holds the reports 35-html.sh made: fixtures.html + fixtures.json,
//   hostile.html + hostile.json + hostile-names.json, big.html + big.json;
//   the screenshot is written there as html-report.png.
'use strict';
const fs = require('fs');
const os = require('os');
const path = require('path');

const [outDir, resultsXml] = process.argv.slice(2);
const results = [];  // {name, failure?, skipped?}

function xmlEscape(s) {
  return String(s).replace(/[&<>"]/g, (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;'}[c]))
      .replace(/[^\t\n\r\x20-\ud7ff\ue000-\ufffd]/gu, '?');
}

function writeXml() {
  const failures = results.filter((r) => r.failure).length;
  const skipped = results.filter((r) => r.skipped).length;
  let xml = '<?xml version="1.0" encoding="UTF-8"?>\n';
  xml += `<testsuites tests="${results.length}" failures="${failures}" disabled="0" errors="0" name="html">\n`;
  xml += `  <testsuite name="HtmlReportInChromium" tests="${results.length}" failures="${failures}" skipped="${skipped}" errors="0">\n`;
  for (const r of results) {
    const head = `    <testcase name="${xmlEscape(r.name)}" classname="HtmlReportInChromium" status="run" result="${r.skipped ? 'skipped' : 'completed'}"`;
    if (r.failure) xml += `${head}>\n      <failure message="${xmlEscape(r.failure)}"/>\n    </testcase>\n`;
    else if (r.skipped) xml += `${head}>\n      <skipped message="${xmlEscape(r.skipped)}"/>\n    </testcase>\n`;
    else xml += `${head}/>\n`;
  }
  xml += '  </testsuite>\n</testsuites>\n';
  fs.writeFileSync(resultsXml, xml);
}

function expect(cond, message) {
  if (!cond) throw new Error(message);
}

const NAMES = ['FixtureMatrixShowsTheJsonVerdicts', 'FiltersNarrowTheRows', 'OpeningAPackShowsEveryFinding',
               'AcceptedFindingsAreMarked', 'WhatIsNotVerifiedIsShown',
               'HostileNamesStayText', 'TenThousandPacksStayLight', 'NoNetworkRequest'];

async function main() {
  let chromium;
  const browserPath = '/usr/bin/chromium';
  try {
    ({chromium} = require('playwright-core'));
    expect(fs.existsSync(browserPath), `${browserPath} is not installed (Debian package chromium)`);
  } catch (e) {
    const why = 'cannot drive Chromium: ' + e.message.split('\n')[0];
    const ci = process.env.CI === 'true';
    for (const name of NAMES) results.push(ci ? {name, failure: why + ' (CI=true: a failure, not a skip)'} : {name, skipped: why});
    console.log(`html: ${ci ? 'FAILED' : 'SKIPPED'}: ${why}`);
    return;
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'mplp-html-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: browserPath,
    headless: true,
    viewport: {width: 1100, height: 760},
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const requests = [];  // every request any page made: [page file, url]
  const dialogs = [];
  let current = '';
  context.on('request', (r) => requests.push([current, r.url()]));
  const page = context.pages()[0] || await context.newPage();
  page.on('dialog', (d) => { dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));

  async function open(file) {
    current = file;
    await page.goto('file://' + path.join(outDir, file));
    await page.waitForSelector('body[data-ready="true"]', {timeout: 60000});
  }
  async function rows() { return page.$$eval('#matrix-body tr.pack-row', (trs) => trs.length); }
  async function setFilter(id, value) {
    if (id === 'f-text') await page.fill('#f-text', value);
    else await page.selectOption('#' + id, value);
  }
  async function resetFilters() {
    for (const id of ['f-gate', 'f-status', 'f-sev', 'f-code']) await setFilter(id, '');
    await setFilter('f-text', '');
  }
  const SEV = {info: '0', warning: '1', error: '2'};
  // Opens (or closes) the k-th pack row shown (0-based), by its button.
  async function toggleRow(k) {
    const trs = await page.$$('#matrix-body tr.pack-row');
    expect(k >= 0 && k < trs.length, `no row ${k} of ${trs.length}`);
    await (await trs[k].$('td.pack button')).click();
  }
  async function rowIndex(suffix) {
    const names = await page.$$eval('#matrix-body tr.pack-row', (trs) => trs.map((tr) => tr.getAttribute('data-pack')));
    return names.findIndex((n) => n.endsWith(suffix));
  }

  async function test(name, fn) {
    try {
      await fn();
      expect(errors.length === 0, 'script errors on the page: ' + errors.join('; '));
      results.push({name});
      console.log(`html: PASSED  ${name}`);
    } catch (e) {
      results.push({name, failure: e.message});
      console.log(`html: FAILED  ${name}: ${e.message}`);
    }
    errors.length = 0;
  }

  const fixtures = JSON.parse(fs.readFileSync(path.join(outDir, 'fixtures.json'), 'utf8'));
  const gateIds = fixtures.gates.map((g) => g.id);

  await test('FixtureMatrixShowsTheJsonVerdicts', async () => {
    await open('fixtures.html');
    expect(await page.textContent('#result') === fixtures.result.toUpperCase(), 'result badge');
    const cells = await page.$$eval('#matrix-body tr.pack-row', (trs) => trs.map((tr) =>
        Array.from(tr.querySelectorAll('td[data-gate]')).map((td) => [td.getAttribute('data-gate'), td.getAttribute('data-status')])));
    expect(cells.length === fixtures.packs.length, `${cells.length} rows for ${fixtures.packs.length} packs`);
    fixtures.packs.forEach((p, i) => {
      for (const g of p.gates) {
        const cell = cells[i].find((c) => c[0] === g.id);
        expect(cell && cell[1] === g.status, `${p.path} ${g.id}: page shows ${cell && cell[1]}, JSON says ${g.status}`);
      }
    });
    // Colours follow the verdicts.
    const colours = await page.$$eval('#matrix-body td.st', (tds) => tds.map((td) => [td.getAttribute('data-status'), getComputedStyle(td).backgroundColor]));
    const byStatus = {};
    for (const [s, c] of colours) (byStatus[s] = byStatus[s] || new Set()).add(c);
    expect(byStatus.PASS && byStatus.FAIL && byStatus.PASS.size === 1 && byStatus.FAIL.size === 1 &&
           [...byStatus.PASS][0] !== [...byStatus.FAIL][0], 'PASS and FAIL cells have one colour each, not the same');
    expect((await page.textContent('#run-options')).includes('sha256:'), 'policy digest shown');
  });

  await test('FiltersNarrowTheRows', async () => {
    await open('fixtures.html');
    const want = (pred) => fixtures.packs.filter(pred).length;
    const det = gateIds.indexOf('GATE-V2-DET-01');
    await setFilter('f-gate', String(det));
    await setFilter('f-status', 'FAIL');
    let n = await rows();
    expect(n === want((p) => p.gates.some((g) => g.id === 'GATE-V2-DET-01' && g.status === 'FAIL')), `gate+verdict: ${n} rows`);
    expect(n > 0 && n < fixtures.packs.length, 'the gate filter narrows the fixture run');
    await resetFilters();
    await setFilter('f-sev', SEV.warning);
    n = await rows();
    expect(n === want((p) => p.gates.some((g) => g.findings.some((f) => f.severity === 'warning'))), `severity: ${n} rows`);
    await resetFilters();
    await setFilter('f-code', 'det.mismatch');
    n = await rows();
    expect(n === want((p) => p.gates.some((g) => g.findings.some((f) => f.code === 'det.mismatch'))), `code: ${n} rows`);
    await resetFilters();
    await setFilter('f-text', 'good-real');
    expect(await rows() === 1, 'name filter');
    await resetFilters();
    expect(await rows() === fixtures.packs.length, 'all rows back');
  });

  await test('OpeningAPackShowsEveryFinding', async () => {
    await open('fixtures.html');
    expect(await page.$$eval('.finding', (f) => f.length) === 0, 'no finding in the DOM before a pack is opened');
    const i = fixtures.packs.findIndex((p) => p.path === 'fail-mixed');
    const all = fixtures.packs[i].gates.flatMap((g) => g.findings);
    expect(await rowIndex('/fail-mixed') === i, 'rows in the JSON report\'s order');
    await toggleRow(i);
    const shown = await page.$$eval('.finding', (fs) => fs.map((f) => f.textContent));
    expect(shown.length === all.length, `${shown.length} findings shown, ${all.length} in the JSON report`);
    for (const f of all) {
      expect(shown.some((t) => t.includes(f.message) && t.includes(f.code) && (!f.hint || t.includes(f.hint)) &&
                                (!f.expected || t.includes(f.expected)) && (!f.actual || t.includes(f.actual))),
             `finding ${f.code} ${f.message} shown with its file, place, expected, found and hint`);
    }
    // A detail keeps its line breaks (a build log reads as lines, as in the text report).
    const details = all.filter((f) => f.detail).length;
    const spaces = await page.$$eval('.finding dd.lines', (dds) => dds.map((d) => getComputedStyle(d).whiteSpace));
    expect(details > 0 && spaces.length === details && spaces.every((w) => w === 'pre-wrap'),
           `${details} details in the JSON report, shown with white-space ${JSON.stringify(spaces)}`);
    // The README's screenshot: the matrix with one pack opened.
    await page.screenshot({path: path.join(outDir, 'html-report.png')});
    // Filters apply inside an opened pack too.
    await toggleRow(i);
    expect(await page.$$eval('.finding', (f) => f.length) === 0, 'closing a pack removes its findings');
    await setFilter('f-sev', SEV.error);
    await toggleRow(await rowIndex('/fail-mixed'));
    const errorsOnly = await page.$$eval('.finding', (fs) => fs.length);
    expect(errorsOnly === all.filter((f) => f.severity === 'error').length, `${errorsOnly} error findings shown`);
    // A DET-01 mismatch shows the diff command.
    await resetFilters();
    await setFilter('f-code', 'det.mismatch');
    await toggleRow(0);
    expect((await page.textContent('#matrix-body')).includes('mplp-gate diff '), 'the compare command is shown');
  });

  // A partly unverified PASS must not look like a full one (the text
  // report's NOT VERIFIED line).
  await test('WhatIsNotVerifiedIsShown', async () => {
    await open('fixtures.html');
    const i = fixtures.packs.findIndex((p) => p.not_verified.length > 0);
    expect(i >= 0, 'a pack of the fixture run is partly unverified');
    const partly = await page.$$eval('#matrix-body tr.pack-row', (trs) => trs.map((tr) => tr.querySelector('.partly') !== null));
    fixtures.packs.forEach((p, k) =>
      expect(partly[k] === (p.not_verified.length > 0), `${p.path}: marked exactly when the JSON report lists checks`));
    await toggleRow(i);
    const text = await page.textContent('.not-verified');
    for (const u of fixtures.packs[i].not_verified)
      expect(text.includes(u.check + ' (' + u.reason + ')'), `${u.check} (${u.reason}) shown: ${text}`);
  });

  await test('AcceptedFindingsAreMarked', async () => {
    const report = JSON.parse(fs.readFileSync(path.join(outDir, 'accepted.json'), 'utf8'));
    const all = report.packs[0].gates.flatMap((g) => g.findings);
    const accepted = all.filter((f) => f.suppressed);
    expect(accepted.length > 0, 'the policy suppressed a finding of fail-mixed');
    await open('accepted.html');
    await toggleRow(0);
    const shown = await page.$$eval('.finding', (fs) => fs.map((f) => [f.className, f.textContent]));
    expect(shown.length === all.length, `${shown.length} findings shown, ${all.length} in the JSON report`);
    const marked = shown.filter((s) => s[0].split(' ').includes('accepted'));
    expect(marked.length === accepted.length, `${marked.length} marked accepted, ${accepted.length} suppressed`);
    for (const f of accepted)
      expect(marked.some((s) => s[1].includes(f.message) && s[1].includes('suppressed: ' + f.suppressed)),
             `suppressed ${f.code} shown with its reason`);
    const cell = await page.$$eval('#matrix-body td[data-gate="GATE-V2-HOST-ALLOW-01"]', (tds) => tds.map((td) => td.textContent));
    expect(cell.length === 1 && cell[0].includes('accepted'), `HOST-ALLOW-01 cell says accepted: ${cell}`);
  });

  await test('HostileNamesStayText', async () => {
    const names = JSON.parse(fs.readFileSync(path.join(outDir, 'hostile-names.json'), 'utf8'));
    const hostile = JSON.parse(fs.readFileSync(path.join(outDir, 'hostile.json'), 'utf8'));
    await open('hostile.html');
    const shown = await page.$$eval('#matrix-body tr.pack-row .name', (s) => s.map((x) => x.textContent));
    for (const n of names) expect(shown.some((s) => s.endsWith(n)), `pack name ${JSON.stringify(n)} shown as text`);
    for (let k = 0; k < hostile.packs.length; k++) await toggleRow(k);
    const state = await page.evaluate(() => ({
      pwned: window.__pwned, scripts: document.scripts.length, imgs: document.images.length,
      styles: document.querySelectorAll('style').length, findings: document.querySelectorAll('.finding').length,
      text: document.body.textContent}));
    expect(state.pwned === undefined, 'a pack string ran as script');
    expect(state.scripts === 2 && state.imgs === 0 && state.styles === 1, `injected elements: ${JSON.stringify(state)}`);
    expect(dialogs.length === 0, 'dialogs opened: ' + dialogs.join(', '));
    const expected = hostile.packs.reduce((n, p) => n + p.gates.reduce((m, g) => m + g.findings.length, 0), 0);
    expect(state.findings === expected, `${state.findings} findings shown, ${expected} in the JSON report`);
    expect(state.text.includes('</script><script>window.__pwned=2</script>'), 'the hostile value is shown as text');
  });

  await test('TenThousandPacksStayLight', async () => {
    const big = JSON.parse(fs.readFileSync(path.join(outDir, 'big.json'), 'utf8'));
    expect(big.packs.length === 10000, `${big.packs.length} packs in the big run`);
    await open('big.html');
    expect(await rows() === 200, 'the first page of rows');
    expect((await page.textContent('#count')).startsWith('Showing 200 of 10000 matching packs'), 'count line');
    const elements = await page.evaluate(() => document.getElementsByTagName('*').length);
    expect(elements < 4000, `${elements} elements before any pack is opened`);
    expect(await page.$$eval('.finding', (f) => f.length) === 0, 'no finding DOM before a pack is opened');
    await page.click('#more');
    expect(await rows() === 400, 'show more adds a page');
    // A code only some packs have: the count matches the JSON report's.
    const codes = {};
    for (const p of big.packs) for (const c of new Set(p.gates.flatMap((g) => g.findings.map((f) => f.code)))) codes[c] = (codes[c] || 0) + 1;
    const rare = Object.keys(codes).sort((a, b) => codes[a] - codes[b] || (a < b ? -1 : 1))[0];
    await setFilter('f-code', rare);
    const shownCount = await page.textContent('#count');
    expect(shownCount.includes(`of ${codes[rare]} matching packs`), `code ${rare}: "${shownCount}", JSON: ${codes[rare]}`);
    await toggleRow(0);
    expect(await page.$$eval('.finding', (f) => f.length) > 0, 'an opened pack shows its findings');
  });

  await test('NoNetworkRequest', async () => {
    const pages = ['fixtures.html', 'accepted.html', 'hostile.html', 'big.html'].map((f) => 'file://' + path.join(outDir, f));
    const others = requests.filter(([, url]) => !pages.includes(url));
    expect(others.length === 0, 'requests other than the page itself: ' + others.map((r) => r[1]).join(', '));
    expect(requests.length >= 4, 'the page loads were seen');
  });

  await context.close();
  fs.rmSync(profile, {recursive: true, force: true});
}

main().catch((e) => {
  results.push({name: 'Harness', failure: e.stack || String(e)});
  console.log('html: FAILED  harness: ' + (e.stack || e));
}).finally(() => {
  writeXml();
  const failed = results.filter((r) => r.failure).length;
  console.log(`html: ${results.length - failed} of ${results.length} checks passed`);
  process.exitCode = failed ? 1 : 0;
});

// mplp-gate HTML report (src/report/html.cpp embeds this file).
//
// The report's data is one JSON blob in a script element of type
// application/json; everything on the page is built from it with
// createElement and textContent (nothing is parsed as HTML), so a pack's
// strings are text, never markup. Rows are
// added a page at a time and a pack's findings become DOM only when the pack
// is opened, so a report of 10,000 packs stays light.
//
// Blob: {tool, result, strict, warnings: [about the run], run: {...}, gates: [{id, title}], codes: [...],
//   packs: [{p: path, i: indexability, r: 1 when failed,
//            g: [[status, errors, warnings, infos, reason, accepted?] | null per gate],
//            f: [[gate, severity 0 info/1 warning/2 error, code, file, place,
//                 message, detail, expected, found, hint, compare, accepted?]],
//            u?: [[check, reason]]: what the verdict does not cover (NOT VERIFIED)}]}
//   The counts leave out accepted findings (suppressed by the policy or in
//   the --baseline report); `accepted` is there only when there are any, and
//   on a finding it says why it was accepted.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var SEV = ['info', 'warning', 'error'];
  var STATUS = ['PASS', 'FAIL', 'SKIP'];
  var PAGE = 200;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function byId(id) { return document.getElementById(id); }
  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : many); }

  // ---- header and run options
  var failed = 0;
  for (var i = 0; i < D.packs.length; i++) failed += D.packs[i].r ? 1 : 0;
  var result = el('span', 'result ' + D.result, D.result.toUpperCase());
  result.id = 'result';
  var summary = byId('summary');
  summary.appendChild(result);
  summary.appendChild(document.createTextNode(' ' + plural(D.packs.length, 'pack', 'packs') + ' checked, ' +
      failed + ' failed; ' + plural(D.gates.length, 'gate', 'gates') + '; ' + D.tool));
  // Warnings about the run itself (a suppression that matched nothing):
  // under --strict they alone may fail it.
  if (D.warnings.length > 0) {
    var list = el('ul', 'run-warnings');
    list.id = 'run-warnings';
    D.warnings.forEach(function (w) { list.appendChild(el('li', '', 'warning: ' + w)); });
    summary.appendChild(list);
  }

  var run = byId('run-options');
  function option(name, value) {
    run.appendChild(el('dt', '', name));
    run.appendChild(el('dd', 'mono', value === '' ? '(none)' : value));
  }
  option('policy', D.run.policy + '  sha256:' + D.run.policy_sha256);
  option('strict', D.strict ? 'yes (warnings fail)' : 'no');
  option('require signature', D.run.require_signature ? 'yes' : 'no');
  option('trusted keys', D.run.trusted_keys.join(', '));
  option('registry', D.run.registry_sha256 ? 'sha256:' + D.run.registry_sha256 : '');
  option('repo root given', D.run.repo_root ? 'yes' : 'no');
  option('--gate', D.run.only.join(', '));
  option('--skip', D.run.skip.join(', '));
  option('gates run', D.gates.map(function (g) { return g.id; }).join(', '));

  // ---- filters
  var fGate = byId('f-gate'), fSev = byId('f-sev'), fCode = byId('f-code'), fStatus = byId('f-status'),
      fText = byId('f-text');
  function addOption(select, value, label) {
    var o = el('option', '', label);
    o.value = value;
    select.appendChild(o);
  }
  D.gates.forEach(function (g, k) { addOption(fGate, String(k), g.id); });
  SEV.forEach(function (s, k) { addOption(fSev, String(k), s); });
  D.codes.forEach(function (c) { addOption(fCode, c, c); });

  // Gate, severity and code select packs by their findings (a pack matches
  // when one finding matches all three); the verdict applies to the chosen
  // gate, or to the whole pack (FAIL: failed, PASS: did not fail, SKIP: some
  // gate skipped it).
  function filters() {
    return {gate: fGate.value === '' ? -1 : Number(fGate.value), sev: fSev.value === '' ? -1 : Number(fSev.value),
            code: fCode.value, verdict: fStatus.value, text: fText.value};
  }
  function findingMatches(f, q) {
    return (q.gate < 0 || f[0] === q.gate) && (q.sev < 0 || f[1] === q.sev) && (q.code === '' || f[2] === q.code);
  }
  function verdictMatches(p, q) {
    if (q.verdict === '') return true;
    if (q.gate >= 0) return p.g[q.gate] !== null && STATUS[p.g[q.gate][0]] === q.verdict;
    if (q.verdict === 'FAIL') return p.r === 1;
    if (q.verdict === 'PASS') return p.r === 0;
    return p.g.some(function (g) { return g !== null && STATUS[g[0]] === 'SKIP'; });
  }
  function packMatches(p, q) {
    if (q.text && p.p.indexOf(q.text) < 0) return false;
    if (!verdictMatches(p, q)) return false;
    if (q.sev < 0 && q.code === '' && (q.gate < 0 || q.verdict !== '')) return true;
    for (var k = 0; k < p.f.length; k++) if (findingMatches(p.f[k], q)) return true;
    return false;
  }

  // ---- the matrix
  var head = byId('matrix-head'), body = byId('matrix-body'), more = byId('more'), count = byId('count');
  var headRow = el('tr');
  headRow.appendChild(el('th', '', 'pack'));
  D.gates.forEach(function (g, k) {
    var th = el('th', '', g.id.replace(/^GATE-V2-/, ''));
    th.title = g.id + ': ' + g.title;
    th.setAttribute('data-gate', g.id);
    th.setAttribute('data-index', String(k));
    headRow.appendChild(th);
  });
  head.appendChild(headRow);

  var shown = [], rendered = 0;

  function cell(g, k, q) {
    var td;
    if (!g) {
      td = el('td', 'st NONE', '—');
      td.setAttribute('data-status', 'NONE');
    } else {
      var status = STATUS[g[0]];
      td = el('td', 'st ' + status, status);
      td.setAttribute('data-status', status);
      var notes = [];
      if (g[1]) notes.push(plural(g[1], 'error', 'errors'));
      if (g[2]) notes.push(plural(g[2], 'warning', 'warnings'));
      if (g[3]) notes.push(g[3] + ' info');
      if (g[5]) notes.push(g[5] + ' accepted');
      if (notes.length) td.appendChild(el('small', '', notes.join(', ')));
      td.title = D.gates[k].id + ': ' + status + (g[4] ? ' (' + g[4] + ')' : '');
    }
    td.setAttribute('data-gate', D.gates[k].id);
    if (q.gate === k) td.className += ' chosen';
    return td;
  }

  function findingElement(f) {
    var box = el('div', 'finding ' + SEV[f[1]] + (f[11] ? ' accepted' : ''));
    box.setAttribute('data-code', f[2]);
    var h = el('div', 'head');
    h.appendChild(el('span', 'sev', SEV[f[1]]));
    if (f[11]) h.appendChild(el('span', 'tag', 'accepted'));
    h.appendChild(document.createTextNode(f[5]));
    box.appendChild(h);
    var dl = el('dl');
    var rows = [['gate', D.gates[f[0]] ? D.gates[f[0]].id : ''], ['code', f[2]], ['file', f[3]], ['place', f[4]],
                ['detail', f[6]], ['expected', f[7]], ['found', f[8]], ['hint', f[9]], ['compare', f[10]],
                ['accepted', f[11]]];
    rows.forEach(function (r) {
      if (!r[1]) return;
      dl.appendChild(el('dt', '', r[0]));
      // A detail spans lines (a build log): kept as lines, as the text report prints it.
      var cls = r[0] === 'compare' || r[0] === 'file' || r[0] === 'place' ? 'mono' : r[0] === 'detail' ? 'lines' : '';
      dl.appendChild(el('dd', cls, r[1]));
    });
    box.appendChild(dl);
    return box;
  }

  // Opens (or closes) a pack: its findings, filtered, become DOM now.
  function toggle(tr, p) {
    var next = tr.nextSibling;
    if (next && next.className === 'detail') {
      body.removeChild(next);
      tr.querySelector('button').textContent = '▸';
      return;
    }
    tr.querySelector('button').textContent = '▾';
    var q = filters(), detail = el('tr', 'detail'), td = el('td');
    td.colSpan = D.gates.length + 1;
    if (p.u) {
      var unverified = el('div', 'not-verified');
      unverified.appendChild(el('strong', '', 'Not verified: '));
      unverified.appendChild(document.createTextNode(p.u.map(function (u) { return u[0] + ' (' + u[1] + ')'; }).join('; ')));
      td.appendChild(unverified);
    }
    var hidden = 0;
    p.f.forEach(function (f) {
      if (findingMatches(f, q)) td.appendChild(findingElement(f));
      else hidden++;
    });
    if (p.f.length === 0) td.appendChild(el('div', 'hidden-note', 'No findings.'));
    if (hidden) td.appendChild(el('div', 'hidden-note', plural(hidden, 'finding', 'findings') + ' hidden by the filters.'));
    detail.appendChild(td);
    body.insertBefore(detail, tr.nextSibling);
  }

  function row(p, q) {
    var tr = el('tr', 'pack-row');
    tr.setAttribute('data-pack', p.p);
    var name = el('td', 'pack');
    var open = el('button', '', '▸');
    open.type = 'button';
    open.title = 'show the findings';
    name.appendChild(open);
    name.appendChild(el('span', 'name mono', p.p));
    if (p.i) name.appendChild(el('span', 'idx', p.i));
    if (p.u) {
      var partly = el('span', 'partly', 'partly unverified');
      partly.title = p.u.map(function (u) { return u[0] + ' (' + u[1] + ')'; }).join('\n');
      name.appendChild(partly);
    }
    tr.appendChild(name);
    for (var k = 0; k < D.gates.length; k++) tr.appendChild(cell(p.g[k], k, q));
    open.addEventListener('click', function () { toggle(tr, p); });
    return tr;
  }

  function renderMore() {
    var q = filters(), end = Math.min(shown.length, rendered + PAGE), frag = document.createDocumentFragment();
    for (; rendered < end; rendered++) frag.appendChild(row(shown[rendered], q));
    body.appendChild(frag);
    more.hidden = rendered >= shown.length;
    more.textContent = 'Show ' + Math.min(PAGE, shown.length - rendered) + ' more (' + (shown.length - rendered) +
        ' not shown)';
    count.textContent = 'Showing ' + rendered + ' of ' + shown.length + ' matching packs (' + D.packs.length + ' in all).';
  }

  function apply() {
    var q = filters();
    shown = D.packs.filter(function (p) { return packMatches(p, q); });
    rendered = 0;
    while (body.firstChild) body.removeChild(body.firstChild);
    var ths = head.querySelectorAll('th[data-index]');
    for (var k = 0; k < ths.length; k++) ths[k].className = q.gate === k ? 'chosen' : '';
    renderMore();
  }

  [fGate, fSev, fCode, fStatus].forEach(function (s) { s.addEventListener('change', apply); });
  fText.addEventListener('input', apply);
  more.addEventListener('click', renderMore);
  apply();
  document.body.setAttribute('data-ready', 'true');
})();

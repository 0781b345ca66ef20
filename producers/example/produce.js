// A small producer: writes a complete INDEXABLE_REAL pack into the output
// directory ($MPLP_OUT_DIR, /workspace/out under `mplp-gate run`). The
// executor adds reports/runner.meta.json, env_ref, the hashes and the sums.
//
//   mplp-gate run --runner node-20-local --cmd 'node producers/example/produce.js' --out-dir out/example-001
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

const out = process.env.MPLP_OUT_DIR || '/workspace/out';
const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
// Each run its own pack_id (RUN_ID, else the time and a random part): a
// rerun with the pack_id of another run is a copy of it to GATE-V2-DET-01.
const runId = process.env.RUN_ID ||
  'example-d1-real-' + now.replace(/[-:]/g, '') + '-' + crypto.randomBytes(4).toString('hex');
const sha256 = (b) => crypto.createHash('sha256').update(b).digest('hex');
const write = (rel, text) => {
  fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
  fs.writeFileSync(path.join(out, rel), text);
};
const json = (v) => JSON.stringify(v, null, 2) + '\n';

// The artifacts are deterministic, so canonical_pack_root_hash is too.
const artifacts = {
  'artifacts/context.json': json({ run_id: runId, scenario_id: 'd1_basic_pass', goal: 'sum two numbers' }),
  'artifacts/plan.json': json({ steps: [{ id: 's1', action: 'add', args: [2, 3] }] }),
  'artifacts/trace.json': json({ spans: [{ step: 's1', result: 2 + 3 }] }),
  'artifacts/confirm.json': json({ confirmed: true, result: 5 }),
};
for (const [rel, text] of Object.entries(artifacts)) write(rel, text);
write('timeline/events.ndjson',
  ['run.started', 'plan.created', 'step.completed', 'run.completed']
    .map((event) => JSON.stringify({ timestamp: now, event }) + '\n').join(''));
const verify = json({ verdict: 'PASS', checks: [{ id: 'result', expected: 5, actual: 5, pass: true }] });
write('reports/verify.report.json', verify);

// Canonical: what every rerun must reproduce, so not what names this run
// (context.json's run_id is left out, as are the timeline's timestamps).
const canonicalArtifacts = {
  ...artifacts,
  'artifacts/context.json': json({ scenario_id: 'd1_basic_pass', goal: 'sum two numbers' }),
};
const canonical = sha256(Object.keys(canonicalArtifacts).sort()
  .map((k) => sha256(canonicalArtifacts[k]) + '  ' + k + '\n').join('') + sha256(verify));
const lock = fs.readFileSync(path.join(__dirname, 'package-lock.json'));
write('manifest.json', json({
  pack_id: runId,
  pack_layout_version: '2',
  indexability_status: 'INDEXABLE_REAL',
  scenario_id: 'd1_basic_pass',
  execution_type: 'REAL',
  substrate_ref: {
    substrate_id: 'example',
    substrate_name: 'Example producer',
    upstream_repo: 'https://github.com/Coregentis/MPLP-Validation-Lab',
    upstream_tag: 'v2.0.0',
    upstream_commit_sha: 'f845bde2ad9f38ac322d030d1bf38c67b0a98bb5',
  },
  lock_ref: {
    lock_kind: 'npm',
    lock_path: 'producers/example/package-lock.json',
    lock_sha256: sha256(lock),
  },
  producer_ref: { producer_id: 'example', producer_path: 'producers/example', producer_version: '2.0.0' },
  hashes: {
    pack_root_hash: 'pending',
    verify_report_hash: 'pending',
    verdict_hash: null,
    canonical_pack_root_hash: canonical,
  },
  paths: {
    manifest: 'manifest.json',
    artifacts_dir: 'artifacts/',
    timeline: 'timeline/events.ndjson',
    verify_report: 'reports/verify.report.json',
    integrity: 'integrity/sha256sums.txt',
  },
}));
console.log(`example producer: wrote ${runId} into ${out}`);

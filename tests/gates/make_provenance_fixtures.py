#!/usr/bin/env python3
"""Rebuilds the fixtures of issue 12 from fixtures/packs/good-real.

    python3 tests/gates/make_provenance_fixtures.py build/src/cli/mplp-gate

Writes (replacing) fixtures/attestation/, fixtures/consistency/,
fixtures/evidence-reuse/ and the registry-binding fixtures of fixtures/ssot/.
Every pack starts as a copy of the bundled good pack (signed with the
test-only key fixtures/keys/test-a.key), is edited, and is resealed with
`mplp-gate seal` (with or without a key) where the fixture needs a tidy seal.
Statements that mplp-gate would never write (a wrong _type, a missing
subject, ...) are signed here with `openssl pkeyutl` over DSSE's PAE, so
that each fail-* fixture has exactly the defect its name says and a valid
signature. Signatures are Ed25519 (deterministic) but the provenance records
the seal time, so a rebuild changes bytes: review `git diff --stat`.
"""
import base64
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GOOD = ROOT / "fixtures/packs/good-real"
KEYS = ROOT / "fixtures/keys"
ENVELOPE = "integrity/provenance.intoto.jsonl"
IN_TOTO = "application/vnd.in-toto+json"
TRUST_A = "trust:\n  keys:\n    - path: ../../keys/test-a.pub\n"

BIN = None


def run(*args):
    subprocess.run([str(a) for a in args], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def fresh(path):
    if path.exists():
        shutil.rmtree(path)
    path.parent.mkdir(parents=True, exist_ok=True)


def copy_good(dest):
    fresh(dest)
    shutil.copytree(GOOD, dest)
    return dest


def seal(pack, key=None):
    args = [BIN, "seal", pack]
    if key:
        args += ["--sign-key", KEYS / key]
    run(*args)


def edit_json(path, fn):
    data = json.loads(path.read_text())
    fn(data)
    path.write_text(json.dumps(data, indent=2) + "\n")


def edit_timeline(pack, event, fn):
    path = pack / "timeline/events.ndjson"
    out = []
    for line in path.read_text().splitlines():
        e = json.loads(line)
        if e.get("event") == event:
            fn(e)
            line = json.dumps(e, separators=(",", ":"))
        out.append(line)
    path.write_text("\n".join(out) + "\n")


def key_id(key):
    return subprocess.run([BIN, "key", "id", KEYS / key], check=True, capture_output=True, text=True).stdout.strip()


def pae(payload_type, payload):
    t = payload_type.encode()
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(payload), payload)


def sign(key, message):
    with tempfile.NamedTemporaryFile() as f:
        f.write(message)
        f.flush()
        args = ["openssl", "pkeyutl", "-sign", "-rawin", "-inkey", str(KEYS / key), "-in", f.name]
        if "ecdsa" in key:
            args += ["-digest", "sha256"]
        return subprocess.run(args, check=True, capture_output=True).stdout


def envelope_line(payload_type, payload, keys):
    sigs = [{"keyid": key_id(k), "sig": base64.b64encode(sign(k, pae(payload_type, payload))).decode()} for k in keys]
    env = {"payloadType": payload_type, "payload": base64.b64encode(payload).decode(), "signatures": sigs}
    return json.dumps(env, separators=(",", ":")) + "\n"


def statement_of(pack):
    env = json.loads((pack / ENVELOPE).read_text())
    return json.loads(base64.b64decode(env["payload"]))


def resign(pack, fn, key="test-a.key", payload_type=IN_TOTO):
    """Edits the pack's signed statement with `fn` and signs it again."""
    st = statement_of(pack)
    fn(st)
    payload = json.dumps(st, separators=(",", ":")).encode()
    (pack / ENVELOPE).write_text(envelope_line(payload_type, payload, [key]))


def fixture(dir_name, policy=TRUST_A):
    base = ROOT / "fixtures/attestation" / dir_name
    fresh(base)
    base.mkdir()
    (base / "policy.yaml").write_text(policy)
    return copy_good(base / "pack")


def attestation():
    fresh(ROOT / "fixtures/attestation")
    fixture("pass-signed")
    seal(fixture("pass-ecdsa", "trust:\n  keys:\n    - path: ../../keys/test-ecdsa.pub\n"), "test-ecdsa.key")
    p = fixture("pass-untrusted-extra-signature")
    payload = base64.b64decode(json.loads((p / ENVELOPE).read_text())["payload"])
    (p / ENVELOPE).write_text(envelope_line(IN_TOTO, payload, ["test-b.key", "test-a.key"]))
    fixture("pass-scoped-key", "trust:\n  keys:\n    - path: ../../keys/test-a.pub\n"
                               "      runners: [node-20]\n      substrates: [mcp]\n")
    fixture("fail-no-trusted-key", "trust:\n  require_signature: true\n")
    (fixture("fail-manifest-unusable") / "manifest.json").write_text("{ \"pack_id\": \n")
    seal(fixture("fail-envelope-missing"))
    p = fixture("fail-envelope-unreadable", TRUST_A + "limits:\n  max_file_size: 4096\n")
    resign(p, lambda st: st["predicate"].update({"mplpgate_padding": "x" * 4096}))
    (fixture("fail-envelope-json") / ENVELOPE).write_text("{\"payloadType\": \"application/vnd.in-toto+json\",\n")
    p = fixture("fail-two-envelopes")
    (p / ENVELOPE).write_text((p / ENVELOPE).read_text() * 2)
    (fixture("fail-envelope-shape") / ENVELOPE).write_text(
        json.dumps({"payloadType": IN_TOTO, "payload": "not base64!", "signatures": [{"keyid": 7}]}) + "\n")
    p = fixture("fail-payload-type")
    payload = base64.b64decode(json.loads((p / ENVELOPE).read_text())["payload"])
    (p / ENVELOPE).write_text(envelope_line("application/json", payload, ["test-a.key"]))
    seal(fixture("fail-signature-untrusted"), "test-b.key")
    p = fixture("fail-signature-tampered")
    env = json.loads((p / ENVELOPE).read_text())
    sig = bytearray(base64.b64decode(env["signatures"][0]["sig"]))
    sig[10] ^= 1
    env["signatures"][0]["sig"] = base64.b64encode(bytes(sig)).decode()
    (p / ENVELOPE).write_text(json.dumps(env, separators=(",", ":")) + "\n")
    fixture("fail-key-scope", "trust:\n  keys:\n    - path: ../../keys/test-a.pub\n      runners: [python-3.11]\n")
    p = fixture("fail-statement-json")
    (p / ENVELOPE).write_text(envelope_line(IN_TOTO, b"{\"_type\": ", ["test-a.key"]))
    resign(fixture("fail-statement-type"), lambda st: st.update({"_type": "https://in-toto.io/Statement/v0.1"}))
    resign(fixture("fail-predicate-type"), lambda st: st.update({"predicateType": "https://slsa.dev/provenance/v0.2"}))
    resign(fixture("fail-statement-shape"), lambda st: st["subject"][0].update({"digest": {"sha256": "XYZ"}}))
    resign(fixture("fail-subject-missing"),
           lambda st: st.update({"subject": [s for s in st["subject"] if s["name"] != "artifacts/plan.json"]}))
    resign(fixture("fail-subject-extra"),
           lambda st: st["subject"].append({"name": "artifacts/ghost.json", "digest": {"sha256": "0" * 64}}))
    resign(fixture("fail-subject-digest"), lambda st: st["subject"][2]["digest"].update({"sha256": "1" * 64}))
    p = fixture("fail-file-changed")
    plan = p / "artifacts/plan.json"
    plan.write_bytes(plan.read_bytes().replace(b"\"", b"'", 1))

    def other_runner(st):
        d = st["predicate"]["buildDefinition"]
        d["externalParameters"]["runner"] = "node-18"
        d["resolvedDependencies"][0]["digest"]["sha256"] = "2" * 64
        d["internalParameters"]["environmentFingerprint"]["arch"] = "aarch64"
    resign(fixture("fail-predicate-mismatch"), other_runner)
    (fixture("fail-sums-unusable") / "integrity/sha256sums.txt").unlink()


def consistency():
    base = ROOT / "fixtures/consistency"
    fresh(base)
    copy_good(base / "pass-good")

    def variant(name, fn):
        p = copy_good(base / name)
        fn(p)
        seal(p)

    def absent(p):
        edit_json(p / "artifacts/context.json", lambda c: [c.pop("substrate"), c.pop("scenario_id")])
        edit_timeline(p, "RUN_STARTED", lambda e: e["data"].pop("run_id"))
    variant("pass-absent-fields", absent)

    def by_name(p):
        edit_json(p / "artifacts/context.json", lambda c: c.update({"substrate": "model context protocol"}))
        edit_timeline(p, "SUBSTRATE_REF_RECORDED", lambda e: e["data"].update({"substrate": "Model Context Protocol"}))
    variant("pass-substrate-name", by_name)
    variant("fail-context-substrate",
            lambda p: edit_json(p / "artifacts/context.json", lambda c: c.update({"substrate": "LangChain"})))
    variant("fail-context-scenario",
            lambda p: edit_json(p / "artifacts/context.json", lambda c: c.update({"scenario_id": "d2_failure"})))
    variant("fail-timeline-substrate",
            lambda p: edit_timeline(p, "SUBSTRATE_REF_RECORDED", lambda e: e["data"].update({"substrate": "CrewAI"})))
    variant("fail-run-id", lambda p: edit_timeline(p, "RUN_STARTED", lambda e: e["data"].update({"run_id": "other-001"})))
    variant("fail-run-scenario",
            lambda p: edit_timeline(p, "RUN_STARTED", lambda e: e["data"].update({"scenario_id": "d9_other"})))

    def relabel(p):
        def m(d):
            d["pack_id"] = "langchain-d1-real-runner-det-001"
            d["substrate_ref"].update({"substrate_id": "langchain", "substrate_name": "LangChain"})
        edit_json(p / "manifest.json", m)
    variant("fail-relabelled-copy", relabel)


def evidence_reuse():
    base = ROOT / "fixtures/evidence-reuse"
    fresh(base)

    def rename(p, pack_id, substrate=None):
        if not substrate:  # a rerun of its own: its timeline names it (CONSISTENCY-01)
            edit_timeline(p, "RUN_STARTED", lambda e: e["data"].update({"run_id": pack_id}))

        def m(d):
            d["pack_id"] = pack_id
            if substrate:
                d["substrate_ref"].update({"substrate_id": substrate[0], "substrate_name": substrate[1]})
        edit_json(p / "manifest.json", m)

    copy_good(base / "pass-distinct/a")
    p = copy_good(base / "pass-distinct/b")
    rename(p, "mcp-d1-real-runner-002")
    edit_json(p / "artifacts/plan.json", lambda d: d.update({"mplp_rerun": 2}))
    seal(p)
    copy_good(base / "pass-reruns/run-1")
    p = copy_good(base / "pass-reruns/run-2")
    rename(p, "mcp-d1-real-runner-002")
    seal(p)
    copy_good(base / "pass-backup-copy/original")
    copy_good(base / "pass-backup-copy/backup")
    copy_good(base / "fail-sums-identical/a")
    p = copy_good(base / "fail-sums-identical/b")
    edit_json(p / "manifest.json", lambda d: d.update({"pack_id": "mcp-d1-real-runner-copy"}))  # not resealed
    copy_good(base / "fail-artifacts-identical/mcp")
    p = copy_good(base / "fail-artifacts-identical/langchain")
    rename(p, "langchain-d1-real-runner-det-001", ("langchain", "LangChain"))
    seal(p)


REGISTRY = """version: "2.0.0"
substrates:
  - substrate_id: "{id}"
    type: "protocol"
    display_name: "Model Context Protocol"
    upstream_repo: "https://github.com/modelcontextprotocol/typescript-sdk"
    upstream_tag: "v0.5.0"
    lock_kind: "{lock}"
    runner_id: "{runner}"
    producer_entry: "producers/mcp/produce.sh"
runners:
  - runner_id: "node-18"
  - runner_id: "node-20"
"""


def ssot_binding():
    for name, sid, runner, lock in [("pass-registry-bound", "mcp", "node-20", "npm"),
                                    ("fail-substrate-unregistered", "a2a", "node-20", "npm"),
                                    ("fail-runner-binding", "mcp", "node-18", "npm"),
                                    ("fail-lock-kind-binding", "mcp", "node-20", "poetry")]:
        base = ROOT / "fixtures/ssot" / name
        fresh(base)
        copy_good(base / "pack")
        reg = base / "producers/_registry/substrates.v2.yaml"
        reg.parent.mkdir(parents=True)
        reg.write_text(REGISTRY.format(id=sid, runner=runner, lock=lock))


def main():
    global BIN
    if len(sys.argv) != 2:
        sys.exit("usage: make_provenance_fixtures.py PATH/TO/mplp-gate")
    BIN = Path(sys.argv[1]).resolve()
    attestation()
    consistency()
    evidence_reuse()
    ssot_binding()


if __name__ == "__main__":
    main()

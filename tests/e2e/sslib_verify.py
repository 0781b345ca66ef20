#!/usr/bin/python3
"""Verifies a DSSE envelope written by mplp-gate with securesystemslib, an
implementation that is not ours (run with Debian's /usr/bin/python3).

    sslib_verify.py signature ENVELOPE PUBLIC_KEY_PEM KEYID   -> prints VERIFIED
    sslib_verify.py dsse ENVELOPE PUBLIC_KEY_PEM KEYID        -> prints VERIFIED
    sslib_verify.py probe                                      -> prints what this securesystemslib offers

`signature`: this script parses the envelope and builds DSSE's PAE itself
(following the DSSE protocol, not our code), and securesystemslib's SSlibKey
verifies the signature over it (Ed25519 through its own pure-Python/PyNaCl
code, ECDSA P-256 through pyca/cryptography). `dsse`: securesystemslib's own
DSSE Envelope reads and verifies the envelope; Debian bookworm's 0.26.0 has
none, and says so (exit 3).
Exit codes: 0 verified, 1 not verified, 2 usage or unreadable input, 3 unsupported.
"""
import base64
import importlib.util
import json
import sys


def b64(s):
    s = s.replace("-", "+").replace("_", "/")
    return base64.b64decode(s + "=" * (-len(s) % 4), validate=True)


def load_key(pem_path, keyid):
    from securesystemslib.signer import SSlibKey
    pem = open(pem_path).read()
    lines = pem.strip().splitlines()
    der = base64.b64decode("".join(lines[1:-1]))
    if len(der) == 44:  # Ed25519 SubjectPublicKeyInfo: 12-byte header, 32-byte key
        return SSlibKey(keyid, "ed25519", "ed25519", {"public": der[12:].hex()})
    return SSlibKey(keyid, "ecdsa", "ecdsa-sha2-nistp256", {"public": pem})


def pae(payload_type, body):
    t = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(t), t, len(body), body)


def verify_signature(envelope_path, pem_path, keyid):
    from securesystemslib.signer import Signature
    env = json.loads(open(envelope_path).read())
    key = load_key(pem_path, keyid)
    message = pae(env["payloadType"], b64(env["payload"]))
    for s in env["signatures"]:
        try:
            key.verify_signature(Signature(keyid, b64(s["sig"]).hex()), message)
            return True
        except Exception:  # noqa: BLE001 (any failure means: not this signature)
            continue
    return False


def dsse_module():
    for name in ("securesystemslib.dsse", "securesystemslib.metadata"):
        if importlib.util.find_spec(name) is not None:
            module = importlib.import_module(name)
            if hasattr(module, "Envelope"):
                return module
    return None


def main():
    import securesystemslib
    if sys.argv[1:] == ["probe"]:
        print("securesystemslib %s; DSSE Envelope: %s" % (securesystemslib.__version__,
                                                          "yes" if dsse_module() else "no"))
        return 0
    if len(sys.argv) != 5 or sys.argv[1] not in ("signature", "dsse"):
        print(__doc__, file=sys.stderr)
        return 2
    mode, envelope_path, pem_path, keyid = sys.argv[1:]
    if mode == "signature":
        ok = verify_signature(envelope_path, pem_path, keyid)
    else:
        module = dsse_module()
        if module is None:
            print("securesystemslib %s has no DSSE Envelope class (securesystemslib.dsse)"
                  % securesystemslib.__version__)
            return 3
        env = module.Envelope.from_dict(json.loads(open(envelope_path).read()))
        key = load_key(pem_path, keyid)
        try:
            env.verify([key], 1)
            ok = True
        except Exception:  # noqa: BLE001
            ok = False
    print("VERIFIED" if ok else "NOT VERIFIED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

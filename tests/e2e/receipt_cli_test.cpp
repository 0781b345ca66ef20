// Issue 15, receipts, through the built binary: `check --receipt` writes an
// in-toto Statement / SLSA VSA v1 (signed with --sign-key), byte-identical
// from any working directory; `verify-receipt` checks the signature and the
// packs; the envelope is verified by openssl too.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "core/base64.h"
#include "core/json.h"
#include "gates/gate_list.h"
#include "test_util.h"

namespace mplp {
namespace {

namespace fs = std::filesystem;
using test::run_tool;
using test::TempDir;

std::string key(const std::string& name) { return test::fixture("keys/" + name); }
constexpr const char* kIdA = "56c50dca49e272ce10907b13c4d477837447df2e00bb7a44bd43f032c80dcc8c";

// sha256sum, not ours.
std::string sha256sum(const std::string& file) {
  std::string out;
  EXPECT_EQ(test::run_shell("sha256sum " + test::shell_quote(file), out), 0) << out;
  return out.substr(0, 64);
}

// The statement of a receipt file: the payload of its envelope, or the file itself.
void statement_of(const std::string& receipt, JsonDoc& doc) {
  std::string bytes = test::read_file(receipt);
  ASSERT_TRUE(parse_json(bytes, {}, doc)) << bytes;
  if (doc.value.HasMember("payload")) {
    std::string payload;
    ASSERT_TRUE(base64_decode(as_view(doc.value["payload"]), payload));
    ASSERT_TRUE(parse_json(payload, {}, doc)) << payload;
  }
}

const rapidjson::Value& ext(const JsonDoc& d) { return d.value["predicate"]["https://mplp.io/mplp-gate/receipt/v1"]; }

// A tree: runs/a/good (the signed good pack, passes) and runs/b/bad (a copy
// with one artifact changed after sealing: fails INTEGRITY-01).
std::string make_tree(const TempDir& t) {
  std::string runs = t / "runs";
  test::copy_tree(test::fixture("packs/good-real"), runs + "/a/good");
  test::copy_tree(test::fixture("packs/good-real"), runs + "/b/bad");
  test::write_file(runs + "/b/bad/artifacts/plan.json", "{\"tampered\": true}\n");
  return runs;
}

TEST(ReceiptCli, StatementIsAVsaWithOneSubjectPerPack) {
  TempDir t;
  std::string runs = make_tree(t);
  auto r = run_tool({"check", "--receipt", t / "r.json", "--report", "json=" + t / "report.json", runs});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  JsonDoc d;
  statement_of(t / "r.json", d);
  EXPECT_EQ(test::read_file(t / "r.json").back(), '\n');
  EXPECT_EQ(as_view(d.value["_type"]), "https://in-toto.io/Statement/v1");
  EXPECT_EQ(as_view(d.value["predicateType"]), "https://slsa.dev/verification_summary/v1");
  const auto& subjects = d.value["subject"];
  ASSERT_EQ(subjects.Size(), 2u);
  const char* names[] = {"a/good", "b/bad"};
  for (rapidjson::SizeType i = 0; i < 2; ++i) {
    SCOPED_TRACE(names[i]);
    const auto& s = subjects[i];
    EXPECT_EQ(as_view(s["name"]), names[i]);
    std::string sums = sha256sum(runs + "/" + names[i] + "/integrity/sha256sums.txt");
    EXPECT_EQ(as_view(s["digest"]["sha256"]), sums);
    EXPECT_EQ(as_view(s["annotations"]["integrity/sha256sums.txt"]), "sha256:" + sums);
    EXPECT_EQ(as_view(s["annotations"]["manifest.json"]),
              "sha256:" + sha256sum(runs + "/" + names[i] + "/manifest.json"));
  }
  const auto& p = d.value["predicate"];
  EXPECT_EQ(as_view(p["verifier"]["id"]), "urn:mplp-gate:check");
  const std::string version(as_view(p["verifier"]["version"]["mplp-gate"]));
  EXPECT_EQ(version.rfind("0.", 0), 0u) << version;
  EXPECT_NE(version.find(" (commit "), std::string::npos) << version;
  EXPECT_FALSE(p.HasMember("timeVerified")) << "no wall-clock time unless asked";
  EXPECT_EQ(as_view(p["resourceUri"]), "urn:mplp-gate:evidence-packs");
  EXPECT_EQ(as_view(p["policy"]["uri"]), "urn:mplp-gate:policy:builtin");
  EXPECT_EQ(as_view(p["policy"]["digest"]["sha256"]), sha256sum(test::source_root() + "/policy/default.yaml"));
  EXPECT_EQ(as_view(p["verificationResult"]), "FAILED");
  EXPECT_EQ(as_view(p["slsaVersion"]), "1.0");
  // The JSON report of the same run, by digest.
  EXPECT_EQ(as_view(ext(d)["report"]["digest"]["sha256"]), sha256sum(t / "report.json"));
  EXPECT_FALSE(ext(d)["options"]["strict"].GetBool());
  EXPECT_FALSE(ext(d)["options"].HasMember("baseline")) << "no --baseline";
  std::size_t pack_gates = 0;  // every gate of a default check of packs
  for (const Gate* g : all_gates()) pack_gates += g->info().checks_packs() ? 1 : 0;
  EXPECT_EQ(ext(d)["options"]["gates"].Size(), pack_gates);
  const auto& packs = ext(d)["packs"];
  ASSERT_EQ(packs.Size(), 2u);
  EXPECT_EQ(as_view(packs[0]["verificationResult"]), "PASSED");
  EXPECT_EQ(as_view(packs[1]["verificationResult"]), "FAILED");
  std::vector<std::string> good_levels, bad_levels, common;
  for (const auto& l : packs[0]["verifiedLevels"].GetArray()) good_levels.emplace_back(as_view(l));
  for (const auto& l : packs[1]["verifiedLevels"].GetArray()) bad_levels.emplace_back(as_view(l));
  for (const auto& l : p["verifiedLevels"].GetArray()) common.emplace_back(as_view(l));
  EXPECT_NE(std::find(good_levels.begin(), good_levels.end(), "MPLP_GATE_V2_INTEGRITY_01"), good_levels.end());
  EXPECT_EQ(std::find(bad_levels.begin(), bad_levels.end(), "MPLP_GATE_V2_INTEGRITY_01"), bad_levels.end());
  EXPECT_NE(std::find(bad_levels.begin(), bad_levels.end(), "MPLP_GATE_V2_PACK_STRUCTURE_01"), bad_levels.end());
  EXPECT_EQ(common, bad_levels) << "the run's levels are those every pack passed";
  EXPECT_EQ(as_view(packs[1]["gates"]["GATE-V2-INTEGRITY-01"]), "FAIL");
}

TEST(ReceiptCli, ByteIdenticalFromAnyDirectoryAndPathSpelling) {
  TempDir t;
  std::string runs = make_tree(t);
  test::copy_tree(test::fixture("det/fail-mismatch"), runs + "/det");  // collection findings name other packs
  fs::create_directories(t / "elsewhere/deeper");
  const std::vector<std::string> sign = {"--sign-key", key("test-a.key"), "--trusted-key", key("test-a.pub")};
  auto run_from = [&](const std::string& cwd, const std::string& path, const std::string& out, bool one_job) {
    std::string cmd = "cd " + test::shell_quote(cwd) + " && " + test::shell_quote(test::gate_binary()) +
                      " check -q --receipt " + test::shell_quote(out) + " --report json=" + test::shell_quote(out + ".json");
    for (const std::string& a : sign) cmd += " " + test::shell_quote(a);
    if (one_job) cmd += " --jobs 1";
    std::string output;
    EXPECT_EQ(test::run_shell(cmd + " " + test::shell_quote(path), output), 1) << output;  // exit 1: the bad pack
  };
  run_from(t.path(), "runs", t / "one", false);
  run_from(t / "elsewhere/deeper", runs + "/", t / "two", true);
  run_from(runs, ".", t / "three", false);
  run_from(t / "runs/a", "../../runs/./", t / "four", false);
  const std::string one = test::read_file(t / "one");
  EXPECT_EQ(test::read_file(t / "two"), one);
  EXPECT_EQ(test::read_file(t / "four"), one);
  EXPECT_EQ(test::read_file(t / "one.json"), test::read_file(t / "two.json")) << "the JSON report too";
  // `check .` from inside the tree names packs the same way (relative to the checked directory).
  EXPECT_EQ(test::read_file(t / "three"), one);
  JsonDoc d;
  statement_of(t / "one", d);
  ASSERT_EQ(d.value["subject"].Size(), 5u);
  EXPECT_EQ(as_view(d.value["subject"][2]["name"]), "det/run-1");
  // Ed25519 signatures are deterministic: the whole envelope is identical, not only the payload.
  EXPECT_EQ(one.find(t.path()), std::string::npos) << "no absolute path in the receipt";
}

TEST(ReceiptCli, TimeOnlyWhenAskedAndResourceUri) {
  TempDir t;
  std::string out;
  ASSERT_EQ(test::run_shell("SOURCE_DATE_EPOCH=1700000000 " + test::shell_quote(test::gate_binary()) +
                                " check -q --receipt-time --receipt-uri https://example.org/packs --receipt " +
                                test::shell_quote(t / "r.json") + " " + test::shell_quote(test::fixture("packs/good-real")),
                            out),
            0)
      << out;
  JsonDoc d;
  statement_of(t / "r.json", d);
  EXPECT_EQ(as_view(d.value["predicate"]["timeVerified"]), "2023-11-14T22:13:20Z");
  EXPECT_EQ(as_view(d.value["predicate"]["resourceUri"]), "https://example.org/packs");
  EXPECT_EQ(as_view(d.value["subject"][0]["name"]), "good-real") << "a pack checked on its own: its directory name";
  ASSERT_EQ(test::run_shell("SOURCE_DATE_EPOCH=soon " + test::shell_quote(test::gate_binary()) +
                                " check --receipt-time --receipt " + test::shell_quote(t / "x.json") + " " +
                                test::shell_quote(test::fixture("packs/good-real")),
                            out),
            2)
      << out;
  EXPECT_NE(out.find("SOURCE_DATE_EPOCH"), std::string::npos) << out;
  EXPECT_FALSE(fs::exists(t / "x.json"));
  // The last second RFC 3339 writes, and the one after it (which removes
  // the receipt the first wrote: exit 2 leaves none).
  for (const auto& [epoch, code] : {std::pair{"253402300799", 0}, std::pair{"253402300800", 2}}) {
    EXPECT_EQ(test::run_shell(std::string("SOURCE_DATE_EPOCH=") + epoch + " " + test::shell_quote(test::gate_binary()) +
                                  " check -q --receipt-time --receipt " + test::shell_quote(t / "y.json") + " " +
                                  test::shell_quote(test::fixture("packs/good-real")),
                              out),
              code)
        << epoch << ": " << out;
    if (code != 0) {
      EXPECT_FALSE(fs::exists(t / "y.json"));
      continue;
    }
    statement_of(t / "y.json", d);
    EXPECT_EQ(as_view(d.value["predicate"]["timeVerified"]), "9999-12-31T23:59:59Z");
  }
}

TEST(ReceiptCli, EnvelopeVerifiesWithOpensslOverThePae) {
  for (const auto& [priv, pub, ecdsa] :
       {std::tuple{"test-a.key", "test-a.pub", false}, std::tuple{"test-ecdsa.key", "test-ecdsa.pub", true}}) {
    SCOPED_TRACE(priv);
    TempDir t;
    auto r = run_tool({"check", "-q", "--receipt", t / "r.jsonl", "--sign-key", key(priv), test::fixture("packs/good-real")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    JsonDoc env;
    ASSERT_TRUE(parse_json(test::read_file(t / "r.jsonl"), {}, env));
    EXPECT_EQ(as_view(env.value["payloadType"]), "application/vnd.in-toto+json");
    test::split_dsse_envelope(t / "r.jsonl", t / "pae.bin", t / "sig.bin");
    std::string out;
    EXPECT_EQ(test::openssl_verify(key(pub), ecdsa, t / "pae.bin", t / "sig.bin", out), 0) << out;
    EXPECT_NE(out.find("Signature Verified Successfully"), std::string::npos) << out;
    std::string pae = test::read_file(t / "pae.bin");
    pae[pae.size() - 2] ^= 1;
    test::write_file(t / "pae.bin", pae);
    EXPECT_NE(test::openssl_verify(key(pub), ecdsa, t / "pae.bin", t / "sig.bin", out), 0) << out;
  }
}

// A signed receipt over runs/ (both packs pass), for the verify tests.
struct Signed {
  TempDir t;
  std::string runs = t / "runs";
  std::string receipt = t / "runs.receipt.jsonl";
  Signed() {
    test::copy_tree(test::fixture("packs/good-real"), runs + "/p1");
    test::copy_tree(test::fixture("packs/good-real"), runs + "/sub/p2");
    auto r = run_tool({"check", "-q", "--receipt", receipt, "--sign-key", key("test-a.key"), runs});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  test::RunResult verify(std::vector<std::string> extra) const {
    std::vector<std::string> args = {"verify-receipt", receipt, "--trusted-key", key("test-a.pub")};
    args.insert(args.end(), extra.begin(), extra.end());
    return run_tool(args);
  }
};

TEST(VerifyReceipt, UnchangedPacksPassByPathOrRoot) {
  Signed s;
  auto r = s.verify({s.runs + "/p1", s.runs + "/sub/p2"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("signature  verified by key " + std::string(kIdA)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("UNCHANGED  p1 (" + s.runs + "/p1): verified PASSED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("UNCHANGED  sub/p2"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("RESULT: PASS"), std::string::npos);
  auto root = s.verify({"--root", s.runs});
  EXPECT_EQ(root.exit_code, 0) << root.out;
  EXPECT_NE(root.out.find("UNCHANGED  sub/p2"), std::string::npos) << root.out;
  auto only_signature = s.verify({});
  EXPECT_EQ(only_signature.exit_code, 0) << only_signature.out;
  EXPECT_NE(only_signature.out.find("only the signature"), std::string::npos);
  // A copy of the tree elsewhere is the same packs.
  test::copy_tree(s.runs, s.t / "copy");
  EXPECT_EQ(s.verify({s.t / "copy/sub/p2"}).exit_code, 0);
}

// The checked directory itself a pack without a manifest (a stray
// timeline/ beside packs): named ".", so `--root DIR` finds it at DIR, not at
// DIR/DIR, and a child named like DIR is another subject (QA-36).
TEST(VerifyReceipt, ARootThatIsAStrayPackIsDot) {
  TempDir t;
  const std::string tree = t / "T";
  fs::create_directories(tree + "/timeline");
  test::copy_tree(test::fixture("packs/good-real"), tree + "/p1");
  test::copy_tree(test::fixture("packs/good-real"), tree + "/T");
  auto check = run_tool({"check", "-q", "--receipt", t / "r.jsonl", "--sign-key", key("test-a.key"), tree});
  EXPECT_EQ(check.exit_code, 1) << check.out << check.err;  // the stray root fails
  auto r = run_tool({"verify-receipt", t / "r.jsonl", "--trusted-key", key("test-a.pub"), "--root", tree});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("UNCHANGED  . (" + tree + "): verified FAILED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("UNCHANGED  T (" + tree + "/T): verified PASSED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("UNCHANGED  p1 ("), std::string::npos) << r.out;
}

TEST(VerifyReceipt, TamperingAfterTheReceiptIsCaughtNamingPackAndFile) {
  {
    Signed s;  // one artifact byte changed, nothing resealed: the sums file catches it
    std::string plan = s.runs + "/sub/p2/artifacts/plan.json";
    std::string bytes = test::read_file(plan);
    bytes[bytes.size() / 2] ^= 1;
    test::write_file(plan, bytes);
    auto r = s.verify({s.runs + "/p1", s.runs + "/sub/p2"});
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("UNCHANGED  p1"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("CHANGED    sub/p2 (" + s.runs + "/sub/p2): artifacts/plan.json: sha256 "), std::string::npos)
        << r.out;
  }
  {
    Signed s;  // changed and resealed: the sums file itself differs
    test::write_file(s.runs + "/p1/artifacts/plan.json", "{\"relabelled\": true}\n");
    test::reseal(s.runs + "/p1");
    auto r = s.verify({"--root", s.runs});
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("CHANGED    p1 (" + s.runs + "/p1): integrity/sha256sums.txt: sha256 " +
                         sha256sum(s.runs + "/p1/integrity/sha256sums.txt") + " now"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("CHANGED    p1 (" + s.runs + "/p1): manifest.json"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("UNCHANGED  sub/p2"), std::string::npos) << r.out;
  }
  {
    Signed s;  // the manifest edited only; a pack gone
    test::set_json(s.runs + "/p1/manifest.json", "/pack_id", "\"other\"");
    fs::remove_all(s.runs + "/sub/p2");
    auto r = s.verify({"--root", s.runs});
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("p1 (" + s.runs + "/p1): manifest.json: sha256 "), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("sub/p2 (" + s.runs + "/sub/p2): cannot open the pack"), std::string::npos) << r.out;
  }
  {
    Signed s;  // the pack moved away and a link to it put in its place: not followed
    fs::rename(s.runs + "/sub/p2", s.t / "elsewhere");
    fs::create_directory_symlink(s.t / "elsewhere", s.runs + "/sub/p2");
    auto r = s.verify({"--root", s.runs});
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("CHANGED    sub/p2 (" + s.runs + "/sub/p2): now a symbolic link"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("UNCHANGED  p1"), std::string::npos) << r.out;
    for (const std::string& spelled : {s.runs + "/sub/p2/", s.runs + "/sub/p2/.", s.runs + "/sub/p2/./"}) {
      auto named = s.verify({spelled});
      EXPECT_EQ(named.exit_code, 1) << spelled << "\n" << named.out;
      EXPECT_NE(named.out.find("now a symbolic link"), std::string::npos) << named.out;
    }
  }
}

// A file that is no longer a readable regular file is said to be what it is
// (a link, a FIFO, unreadable), never "absent"; names from the receipt and
// the tree are printed escaped; a lost stdout is exit 2.
TEST(VerifyReceipt, WhatAFileIsNowAndHostileNames) {
  {
    Signed s;
    const std::string plan = s.runs + "/p1/artifacts/plan.json";
    fs::remove(plan);
    fs::create_symlink("trace.json", plan);
    ASSERT_EQ(::mkfifo((s.runs + "/sub/p2/artifacts/plan.json.tmp").c_str(), 0600), 0);
    fs::remove(s.runs + "/sub/p2/artifacts/plan.json");
    fs::rename(s.runs + "/sub/p2/artifacts/plan.json.tmp", s.runs + "/sub/p2/artifacts/plan.json");
    auto r = s.verify({"--root", s.runs});
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.out.find("p1 (" + s.runs + "/p1): artifacts/plan.json: a symbolic link now, sha256 "), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("sub/p2 (" + s.runs + "/sub/p2): artifacts/plan.json: a FIFO now, sha256 "), std::string::npos)
        << r.out;
    EXPECT_EQ(r.out.find("absent now"), std::string::npos) << r.out;
    // QA-41: a directory replaced by a link to a copy of it (same files) was "absent".
    const std::string sub = s.runs + "/sub/p2";
    fs::rename(sub + "/integrity", s.runs + "/copy-of-integrity");
    fs::create_directory_symlink(s.runs + "/copy-of-integrity", sub + "/integrity");
    auto l = s.verify({"--root", s.runs});
    EXPECT_EQ(l.exit_code, 1) << l.out;
    EXPECT_NE(l.out.find("integrity/sha256sums.txt: absent: integrity is a symbolic link now"), std::string::npos)
        << l.out;
    if (::geteuid() != 0) {  // root reads what mode 000 forbids
      fs::permissions(s.runs + "/p1/timeline", fs::perms::none);
      auto u = s.verify({"--root", s.runs});
      fs::permissions(s.runs + "/p1/timeline", fs::perms::owner_all);
      EXPECT_NE(u.out.find("timeline/events.ndjson: unreadable (timeline: "), std::string::npos) << u.out;
    } else {
      std::cout << "[ note ] running as root: the unreadable-directory case needs another user\n";
    }
  }
  {
    TempDir t;
    const std::string name = "p\nUNCHANGED  p: verified PASSED\nRESULT: PASS\n\x1b[2K";
    test::copy_tree(test::fixture("packs/good-real"), t / ("u/" + name));
    const std::string receipt = t / "r.jsonl";
    ASSERT_EQ(run_tool({"check", "-q", "--receipt", receipt, "--sign-key", key("test-a.key"), t / "u"}).exit_code, 0);
    test::write_file(t / ("u/" + name + "/artifacts/plan.json"), "{}\n");
    auto r = run_tool({"verify-receipt", receipt, "--trusted-key", key("test-a.pub"), "--root", t / "u"});
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_EQ(r.out.find("\nUNCHANGED"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("\nRESULT: PASS"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find('\x1b'), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("CHANGED    p\\nUNCHANGED  p: verified PASSED\\nRESULT: PASS\\n\\x1b[2K ("), std::string::npos)
        << r.out;
    std::string out;
    EXPECT_EQ(test::run_shell(test::shell_quote(test::gate_binary()) + " verify-receipt " + test::shell_quote(receipt) +
                                  " --trusted-key " + test::shell_quote(key("test-a.pub")) + " >/dev/full 2>&1; echo rc=$?",
                              out),
              0);
    EXPECT_NE(out.find("rc=2"), std::string::npos) << out;
  }
}

// A pack that had no sums file when the receipt was made: only its manifest
// can be compared, and the verdict says so; a sums file put there since,
// even a link, is a change (QA-51: "UNCHANGED", no word).
TEST(VerifyReceipt, APackWithoutASumsFileSaysWhatWasCompared) {
  TempDir t;
  const std::string p = t / "u/q";
  test::copy_tree(test::fixture("packs/good-real"), p);
  fs::remove_all(p + "/integrity");
  test::set_json(p + "/manifest.json", "/indexability_status", "\"NON_INDEXABLE\"");
  const std::string receipt = t / "r.jsonl";
  auto made = run_tool({"check", "-q", "--skip", "GATE-V2-PACK-STRUCTURE-01", "--receipt", receipt, "--sign-key",
                        key("test-a.key"), p});
  ASSERT_TRUE(made.exit_code == 0 || made.exit_code == 1) << made.err;
  test::write_file(p + "/artifacts/plan.json", "{\"tampered\": true}\n");
  auto r = run_tool({"verify-receipt", receipt, "--trusted-key", key("test-a.pub"), p});
  EXPECT_NE(r.out.find("(it had no sums file: only its manifest was compared)"), std::string::npos) << r.out;
  fs::create_directories(p + "/integrity");
  fs::create_symlink("/etc/hostname", p + "/integrity/sha256sums.txt");
  auto l = run_tool({"verify-receipt", receipt, "--trusted-key", key("test-a.pub"), p});
  EXPECT_EQ(l.exit_code, 1) << l.out;
  EXPECT_NE(l.out.find("integrity/sha256sums.txt: a symbolic link now, absent in the receipt"), std::string::npos)
      << l.out;
}

// A gate that passed only because its errors were accepted (--baseline, a
// policy's suppress) is not a verified level: the receipt records the
// accepted findings, and verify-receipt does not vouch for the pack's files.
TEST(ReceiptCli, AcceptedFindingsAreNotVerifiedLevels) {
  TempDir t;
  test::copy_tree(test::fixture("packs/good-real"), t / "runs/p1");
  test::write_file(t / "runs/p1/artifacts/trace.json", test::read_file(t / "runs/p1/artifacts/trace.json") + "\n");
  ASSERT_EQ(run_tool({"check", "-q", "--report", "json=" + t / "base.json", t / "runs"}).exit_code, 1);
  const std::string receipt = t / "r.jsonl";
  auto r = run_tool({"check", "-q", "--baseline", t / "base.json", "--receipt", receipt, "--sign-key", key("test-a.key"),
                     t / "runs"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  JsonDoc d;
  statement_of(receipt, d);
  auto has = [](const rapidjson::Value& levels, std::string_view l) {
    for (const auto& x : levels.GetArray())
      if (as_view(x) == l) return true;
    return false;
  };
  const auto& pack = ext(d)["packs"][0];
  EXPECT_EQ(as_view(pack["verificationResult"]), "PASSED");
  // The verdict rests on the baseline: the receipt names it by digest.
  EXPECT_EQ(as_view(ext(d)["options"]["baseline"]["sha256"]), sha256sum(t / "base.json"));
  EXPECT_FALSE(has(pack["verifiedLevels"], "MPLP_GATE_V2_INTEGRITY_01"));
  EXPECT_TRUE(has(pack["verifiedLevels"], "MPLP_GATE_V2_PACK_STRUCTURE_01"));
  EXPECT_FALSE(has(d.value["predicate"]["verifiedLevels"], "MPLP_GATE_V2_INTEGRITY_01"));
  ASSERT_TRUE(pack.HasMember("acceptedFindings"));
  EXPECT_GE(pack["acceptedFindings"].GetUint64(), 1u);
  auto v = run_tool({"verify-receipt", receipt, "--trusted-key", key("test-a.pub"), "--root", t / "runs"});
  EXPECT_EQ(v.exit_code, 0) << v.out;
  EXPECT_NE(v.out.find("does not record GATE-V2-INTEGRITY-01 as verified"), std::string::npos) << v.out;
  // Without accepted findings nothing of this is there.
  test::copy_tree(test::fixture("packs/good-real"), t / "clean/p1");
  ASSERT_EQ(run_tool({"check", "-q", "--receipt", t / "c.jsonl", t / "clean"}).exit_code, 0);
  JsonDoc c;
  statement_of(t / "c.jsonl", c);
  EXPECT_FALSE(ext(c)["packs"][0].HasMember("acceptedFindings"));
  EXPECT_TRUE(has(ext(c)["packs"][0]["verifiedLevels"], "MPLP_GATE_V2_INTEGRITY_01"));
}

TEST(VerifyReceipt, ForgedUnsignedOrForeignReceiptsFail) {
  Signed s;
  // Trusting another key.
  auto other = run_tool({"verify-receipt", s.receipt, "--trusted-key", key("test-b.pub"), s.runs + "/p1"});
  EXPECT_EQ(other.exit_code, 1) << other.out;
  EXPECT_NE(other.out.find("FAIL       signature: none of the 1 signature(s) verifies"), std::string::npos) << other.out;
  // The payload rewritten (a subject's digest swapped), signature kept.
  JsonDoc env;
  ASSERT_TRUE(parse_json(test::read_file(s.receipt), {}, env));
  std::string payload;
  ASSERT_TRUE(base64_decode(as_view(env.value["payload"]), payload));
  std::size_t at = payload.find("\"sha256\":\"") + 10;
  payload[at] = payload[at] == 'a' ? 'b' : 'a';
  std::string forged = test::read_file(s.receipt);
  forged.replace(forged.find(as_view(env.value["payload"])), as_view(env.value["payload"]).size(), base64_encode(payload));
  test::write_file(s.t / "forged.jsonl", forged);
  auto f = run_tool({"verify-receipt", s.t / "forged.jsonl", "--trusted-key", key("test-a.pub"), s.runs + "/p1"});
  EXPECT_EQ(f.exit_code, 1) << f.out;
  EXPECT_NE(f.out.find("signature: none"), std::string::npos) << f.out;
  // Unsigned: a bare statement verifies nothing.
  ASSERT_EQ(run_tool({"check", "-q", "--receipt", s.t / "unsigned.json", s.runs + "/p1"}).exit_code, 0);
  auto u = run_tool({"verify-receipt", s.t / "unsigned.json", "--trusted-key", key("test-a.pub"), s.runs + "/p1"});
  EXPECT_EQ(u.exit_code, 1);
  EXPECT_NE(u.out.find("unsigned statement"), std::string::npos) << u.out;
  // Not JSON, not an envelope, another predicate.
  test::write_file(s.t / "garbage", "\x01\x02 not json");
  EXPECT_EQ(run_tool({"verify-receipt", s.t / "garbage", "--trusted-key", key("test-a.pub")}).exit_code, 1);
  test::write_file(s.t / "array.json", "[1, 2]\n");
  EXPECT_EQ(run_tool({"verify-receipt", s.t / "array.json", "--trusted-key", key("test-a.pub")}).exit_code, 1);
  std::string provenance = test::fixture("packs/good-real/integrity/provenance.intoto.jsonl");
  auto prov = run_tool({"verify-receipt", provenance, "--trusted-key", key("test-a.pub")});
  EXPECT_EQ(prov.exit_code, 1) << prov.out;
  EXPECT_NE(prov.out.find("predicateType is not https://slsa.dev/verification_summary/v1"), std::string::npos)
      << prov.out;
  // A pack the receipt does not name.
  auto stray = s.verify({test::fixture("det/fail-mismatch/run-1")});
  EXPECT_EQ(stray.exit_code, 1);
  EXPECT_NE(stray.out.find("not a pack of this receipt"), std::string::npos) << stray.out;
  EXPECT_EQ(stray.out.find("no PACK given"), std::string::npos) << "a PACK was given: " << stray.out;
}

TEST(VerifyReceipt, CannotRunExitsTwoAndRequirePassed) {
  Signed s;
  EXPECT_EQ(run_tool({"verify-receipt", s.receipt}).exit_code, 2) << "a trusted key is required";
  EXPECT_EQ(run_tool({"verify-receipt", "--trusted-key", key("test-a.pub")}).exit_code, 2);
  EXPECT_EQ(run_tool({"verify-receipt", s.t / "nope", "--trusted-key", key("test-a.pub")}).exit_code, 2);
  auto bad_key = run_tool({"verify-receipt", s.receipt, "--trusted-key", key("bad-garbage.key")});
  EXPECT_EQ(bad_key.exit_code, 2);
  EXPECT_NE(bad_key.err.find("bad-garbage.key"), std::string::npos) << bad_key.err;
  EXPECT_EQ(s.verify({"--root", s.t / "nope"}).exit_code, 2);
  // --require-passed: a receipt of a failing run does not pass.
  TempDir t;
  std::string runs = make_tree(t);
  ASSERT_EQ(run_tool({"check", "-q", "--receipt", t / "r.jsonl", "--sign-key", key("test-a.key"), runs}).exit_code, 1);
  std::vector<std::string> base = {"verify-receipt", t / "r.jsonl", "--trusted-key", key("test-a.pub")};
  auto plain = base;
  plain.push_back(runs + "/b/bad");
  auto unchanged = run_tool(plain);
  EXPECT_EQ(unchanged.exit_code, 0) << "unchanged, and the receipt says so truthfully\n" << unchanged.out;
  EXPECT_NE(unchanged.out.find("verified FAILED (its files were not checked against its sums file"), std::string::npos)
      << unchanged.out;
  plain.push_back("--require-passed");
  auto strict = run_tool(plain);
  EXPECT_EQ(strict.exit_code, 1) << strict.out;
  EXPECT_NE(strict.out.find("b/bad: the receipt records FAILED"), std::string::npos) << strict.out;
  base.push_back(runs + "/a/good");
  base.push_back("--require-passed");
  EXPECT_EQ(run_tool(base).exit_code, 0);
}

TEST(ReceiptCli, OptionErrorsExitTwoAndNothingIsWritten) {
  TempDir t;
  std::string good = test::fixture("packs/good-real");
  struct Case {
    std::vector<std::string> args;
    std::string err_has;
  };
  const std::vector<Case> cases = {
      {{"check", "--sign-key", key("test-a.key"), good}, "need --receipt"},
      {{"check", "--receipt-time", good}, "need --receipt"},
      {{"check", "--receipt", t / "r.json", "--sign-key", key("bad-encrypted.key"), good}, "bad-encrypted.key"},
      {{"check", "--receipt", t / "r.json", "--sign-key", key("test-a.pub"), good}, "test-a.pub"},
      {{"check", "--receipt", t / "r.json", "--runners", test::source_root() + "/runners"}, "--runners"},
  };
  for (const Case& c : cases) {
    auto r = run_tool(c.args);
    EXPECT_EQ(r.exit_code, 2) << c.args[1] << "\n" << r.err;
    EXPECT_NE(r.err.find(c.err_has), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(t / "r.json")) << c.err_has;
  }
  // Two packs one name: no receipt, exit 2, both named; the run's other outputs still happen.
  test::copy_tree(good, t / "x/p");
  test::copy_tree(good, t / "y/p");
  auto clash = run_tool({"check", "--receipt", t / "c.json", t / "x/p", t / "y/p"});
  EXPECT_EQ(clash.exit_code, 2);
  EXPECT_NE(clash.err.find("would both be named p"), std::string::npos) << clash.err;
  EXPECT_FALSE(fs::exists(t / "c.json"));
  // An unwritable receipt path: exit 2 naming it, before the run (QA-34).
  auto unwritable = run_tool({"check", "--receipt", t / "no/such/dir/r.json", good});
  EXPECT_EQ(unwritable.exit_code, 2);
  EXPECT_NE(unwritable.err.find("--receipt " + t / "no/such/dir/r.json" + ": the directory " + t / "no/such/dir" +
                                " does not exist"),
            std::string::npos)
      << unwritable.err;
}

// QA-44: a run that ends in exit 2 leaves no receipt: an earlier PASSED one
// at the path (a CI step uploading it `if: always()`) is removed, whether
// the run failed before any pack (a bad policy), during it (two packs one
// name) or writing an output (a full disk). A receipt path inside a checked
// pack, or naming an input, is refused and never removed.
TEST(ReceiptCli, AnErrorRemovesAnEarlierReceiptAtThePath) {
  TempDir t;
  const std::string good = test::fixture("packs/good-real");
  const std::string receipt = t / "r.json";
  test::write_file(t / "bad-policy.yaml", "limits: [\n");
  test::copy_tree(good, t / "x/p");
  test::copy_tree(good, t / "y/p");
  const std::vector<std::vector<std::string>> failing = {
      {"check", "--receipt", receipt, "--policy", t / "bad-policy.yaml", good},
      {"check", "--receipt", receipt, t / "x/p", t / "y/p"},
      {"check", "--receipt", receipt, "--report", "json=/dev/full", good},
  };
  for (const auto& args : failing) {
    ASSERT_EQ(run_tool({"check", "--receipt", receipt, good}).exit_code, 0);
    ASSERT_TRUE(fs::exists(receipt));
    auto r = run_tool(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_FALSE(fs::exists(receipt)) << args[3] << "\n" << r.err;
    EXPECT_NE(r.err.find("removed the receipt of an earlier run at " + receipt), std::string::npos) << r.err;
  }
  // Inside a checked pack: refused, the file there is the pack's and stays.
  test::copy_tree(good, t / "inside");
  test::write_file(t / "inside/artifacts/r.json", "{}\n");
  auto inside = run_tool({"check", "--receipt", t / "inside/artifacts/r.json", t / "inside"});
  EXPECT_EQ(inside.exit_code, 2) << inside.err;
  EXPECT_EQ(test::read_file(t / "inside/artifacts/r.json"), "{}\n");
  // Naming the policy: refused, the policy stays.
  test::write_file(t / "policy.yaml", "limits:\n  max_findings_per_pack: 5\n");
  auto named = run_tool({"check", "--receipt", t / "policy.yaml", "--policy", t / "policy.yaml", good});
  EXPECT_EQ(named.exit_code, 2) << named.err;
  EXPECT_TRUE(fs::exists(t / "policy.yaml"));
}

}  // namespace
}  // namespace mplp

#include "pack_input.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

#include "core/digest.h"
#include "core/json.h"
#include "core/safe_fs.h"

namespace fs = std::filesystem;

namespace mplp::fuzz {

namespace {

constexpr std::string_view kMarker = "=== ";
constexpr std::size_t kMaxRecords = 64;

bool acceptable_path(std::string_view p) {
  if (p.size() > 200 || !is_safe_relative_path(p)) return false;
  return std::count(p.begin(), p.end(), '/') < 6;
}

bool write_file(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return static_cast<bool>(out);
}

std::string read_all(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

// As test_util's reseal() and fixtures/upstream/README.md describe: the sums
// cover every file outside integrity/; the v2 pack_root_hash covers five
// fixed files, in that order, when present.
void reseal(const PackInput& in, const std::string& pack) {
  std::set<std::string> paths;
  for (const auto& [path, content] : in.files)
    if (path.rfind("integrity/", 0) != 0 && fs::is_regular_file(fs::symlink_status(pack + "/" + path)))
      paths.insert(path);

  // The manifest first: the sums cover it.
  JsonDoc doc;
  if (paths.count("manifest.json") != 0 && parse_json(read_all(pack + "/manifest.json"), {}, doc) &&
      doc.value.IsObject()) {
    auto hashes = doc.value.FindMember("hashes");
    if (hashes != doc.value.MemberEnd() && hashes->value.IsObject()) {
      std::string root_text;
      for (const char* f : {"artifacts/context.json", "artifacts/plan.json", "artifacts/confirm.json",
                            "artifacts/trace.json", "timeline/events.ndjson"})
        if (paths.count(f) != 0) root_text += sha256_hex(read_all(pack + "/" + f)) + "  " + f + "\n";
      auto set = [&](const char* key, const std::string& hex) {
        auto h = hashes->value.FindMember(key);
        if (h != hashes->value.MemberEnd())
          h->value.SetString(hex.c_str(), static_cast<rapidjson::SizeType>(hex.size()), doc.value.GetAllocator());
      };
      set("pack_root_hash", sha256_hex(root_text));
      if (paths.count("reports/verify.report.json") != 0)
        set("verify_report_hash", sha256_hex(read_all(pack + "/reports/verify.report.json")));
      write_file(pack + "/manifest.json", to_compact_json(doc.value, SIZE_MAX) + "\n");
    }
  }

  std::string sums;
  for (const std::string& p : paths) sums += sha256_hex(read_all(pack + "/" + p)) + "  " + p + "\n";
  std::error_code ec;
  fs::create_directories(pack + "/integrity", ec);
  write_file(pack + "/integrity/sha256sums.txt", sums);
}

}  // namespace

PackInput parse_pack_input(std::string_view bytes) {
  PackInput in;
  const std::string sep = "\n" + std::string(kMarker);
  // A record starts at a marker at offset 0 or right after a newline.
  auto next_start = [&](std::size_t from) {
    std::size_t n = bytes.find(sep, from);
    return n == std::string_view::npos ? n : n + 1;
  };
  std::size_t start = bytes.substr(0, kMarker.size()) == kMarker ? 0 : next_start(0);
  for (std::size_t records = 0; start != std::string_view::npos && records < kMaxRecords; ++records) {
    std::size_t header_end = bytes.find('\n', start);
    std::size_t name_start = start + kMarker.size();
    std::string_view name = bytes.substr(name_start, header_end == std::string_view::npos
                                                         ? std::string_view::npos
                                                         : header_end - name_start);
    std::string_view content;
    std::size_t next = std::string_view::npos;
    if (header_end != std::string_view::npos) {
      next = next_start(header_end);
      std::size_t content_end = next == std::string_view::npos ? bytes.size() : next;
      content = bytes.substr(header_end + 1, content_end - (header_end + 1));
    }
    start = next;

    if (name == "!policy") {
      in.policy = std::string(content);
    } else if (name == "!registry") {
      in.registry = std::string(content);
    } else if (name == "!reseal") {
      in.reseal = true;
    } else if (acceptable_path(name)) {
      in.files.emplace_back(std::string(name), std::string(content));
      if (name == "manifest.json") in.manifest = std::string(content);
    }
  }
  return in;
}

bool write_pack_input(const PackInput& in, const std::string& repo_root, const std::string& pack) {
  std::error_code ec;
  if (!fs::create_directories(pack, ec)) return false;
  for (const auto& [path, content] : in.files) {
    fs::path p = fs::path(pack) / path;
    fs::create_directories(p.parent_path(), ec);
    if (ec) continue;
    if (fs::is_directory(fs::symlink_status(p))) continue;
    write_file(p.string(), content);
  }
  if (in.registry) {
    fs::create_directories(repo_root + "/producers/_registry", ec);
    write_file(repo_root + "/producers/_registry/substrates.v2.yaml", *in.registry);
  }
  if (in.reseal) reseal(in, pack);
  return true;
}

}  // namespace mplp::fuzz

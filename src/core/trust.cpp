#include "core/trust.h"

#include <filesystem>

#include <algorithm>
#include <map>
#include <set>

namespace mplp {

namespace {

bool listed(const std::optional<std::vector<std::string>>& list, std::string_view id) {
  return !list || std::find(list->begin(), list->end(), id) != list->end();
}

// A scope as a set: [a, b] and [b, a, a] are one scope.
std::optional<std::set<std::string>> as_set(const std::optional<std::vector<std::string>>& list) {
  if (!list) return std::nullopt;
  return std::set<std::string>(list->begin(), list->end());
}

bool same_scope(const TrustedKey& a, const TrustedKey& b) {
  return as_set(a.runners) == as_set(b.runners) && as_set(a.substrates) == as_set(b.substrates);
}

std::string joined(const std::vector<std::string>& ids) {
  std::string out;
  for (const std::string& id : ids) out += (out.empty() ? "" : ", ") + id;
  return "[" + out + "]";
}

}  // namespace

bool TrustedKey::allows(std::string_view runner_id, std::string_view substrate_id) const {
  return listed(runners, runner_id) && listed(substrates, substrate_id);
}

std::string TrustedKey::scope_text() const {
  if (!runners && !substrates) return "any runner and substrate";
  std::string out;
  if (runners) out = "runners " + joined(*runners);
  if (substrates) out += (out.empty() ? "" : ", ") + std::string("substrates ") + joined(*substrates);
  return out;
}

bool load_trust(const std::vector<std::string>& key_files, const Policy& policy, TrustStore& out,
                std::string& error) {
  TrustStore store;
  std::vector<std::string> given;  // where each key was listed, for the error below
  for (const std::string& path : key_files) {
    TrustedKey k;
    if (!load_public_key_file(path, k.key, error)) return error = "--trusted-key: " + error, false;
    k.source = path;
    k.name = std::filesystem::path(path).filename().string();
    store.keys.push_back(std::move(k));
    given.push_back("--trusted-key " + path);
  }
  for (const PolicyTrustedKey& p : policy.trusted_keys) {
    TrustedKey k;
    if (!load_public_key_file(p.path, k.key, error)) return error = p.where + ": " + error, false;
    k.source = p.path;
    k.name = std::filesystem::path(p.path).filename().string();
    k.runners = p.runners;
    k.substrates = p.substrates;
    store.keys.push_back(std::move(k));
    given.push_back(p.where);
  }
  // One key listed twice with two scopes: the wider would win in silence and
  // the narrow one would read as a restriction that holds (QA-37).
  std::map<std::string_view, std::size_t> first;  // key id -> its first listing
  for (std::size_t j = 0; j < store.keys.size(); ++j) {
    const TrustedKey& b = store.keys[j];
    const auto [it, fresh] = first.emplace(b.key.id(), j);
    const TrustedKey& a = store.keys[it->second];
    if (fresh || same_scope(a, b)) continue;
    error = given[j] + ": key " + b.key.id() + " is trusted for " + b.scope_text() + " here and for " +
            a.scope_text() + " by " + given[it->second] + ": list it once, with the scope it should have";
    return false;
  }
  out = std::move(store);
  return true;
}

}  // namespace mplp

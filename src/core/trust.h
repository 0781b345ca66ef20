// The keys a check trusts: `check --trusted-key FILE` (any runner, any
// substrate) and the policy's `trust.keys` (optionally limited to some
// runner and substrate ids). Loaded once per run, before any pack is read;
// a key file that cannot be used stops the run (exit 2) with the file named,
// and for policy keys the policy line too.
//
//   TrustStore trust;
//   if (!load_trust(req.trusted_key_paths, req.policy, trust, err)) ...  // exit 2
//   for (const TrustedKey& k : trust.keys) if (k.allows(runner, substrate)) ...
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/keys.h"
#include "core/policy.h"

namespace mplp {

struct TrustedKey {
  PublicKey key;
  std::string source;  // the key file as it was given (load errors name it)
  // The key file's name without its directory: findings name the key by id
  // and this, so reports read the same from any working directory.
  std::string name;
  std::optional<std::vector<std::string>> runners;     // absent: any runner
  std::optional<std::vector<std::string>> substrates;  // absent: any substrate

  // True when this key may vouch for a pack of `runner_id` and `substrate_id`.
  bool allows(std::string_view runner_id, std::string_view substrate_id) const;
  // "runners [a, b], substrates [x]" or "any runner and substrate".
  std::string scope_text() const;
};

struct TrustStore {
  std::vector<TrustedKey> keys;
  bool empty() const { return keys.empty(); }
};

bool load_trust(const std::vector<std::string>& key_files, const Policy& policy, TrustStore& out,
                std::string& error);

}  // namespace mplp

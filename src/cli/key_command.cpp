// `mplp-gate key generate --out DIR` and `mplp-gate key id FILE`.
//
// generate writes DIR/mplp-gate.key (unencrypted PKCS#8 PEM, mode 0600) and
// DIR/mplp-gate.pub (SubjectPublicKeyInfo PEM). It never replaces a file:
// both names are checked first, and each file is created under a temporary
// name and linked into place with RENAME_NOREPLACE, so a file that appears
// meanwhile is not overwritten either (exit 2, naming it).
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/fd_io.h"
#include "core/keys.h"

namespace mplp::cli {

namespace {

constexpr std::string_view kUsage =
    "usage: mplp-gate key generate --out DIR [--type ed25519|ecdsa-p256]\n"
    "       mplp-gate key id FILE\n\n"
    "generate: writes DIR/mplp-gate.key (private, PKCS#8 PEM, mode 0600) and\n"
    "DIR/mplp-gate.pub (public, SubjectPublicKeyInfo PEM) and prints the key id.\n"
    "It never overwrites a file. Sign with `run`/`seal --sign-key DIR/mplp-gate.key`;\n"
    "verifiers trust DIR/mplp-gate.pub (`check --trusted-key`, or the policy's trust.keys).\n"
    "id: prints the key id of a public or private key file: the lowercase hex SHA-256\n"
    "of its DER SubjectPublicKeyInfo. Ed25519 and ECDSA P-256 keys are accepted.\n"
    "Exit codes: 0 done, 2 could not (the message names the file).\n";

// Creates `path` holding `bytes` with `mode`, failing if it exists.
bool write_new_file(const std::string& path, const std::string& bytes, mode_t mode, std::string& error) {
  std::string tmp = path + ".tmp-XXXXXX";
  int fd = ::mkstemp(tmp.data());  // 0600, O_EXCL
  if (fd < 0) return error = path + ": cannot create: " + std::strerror(errno), false;
  bool ok = write_all(fd, bytes) && ::fchmod(fd, mode) == 0 && ::fsync(fd) == 0;
  int err = errno;
  ok = ::close(fd) == 0 && ok;
  if (ok && ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) != 0) {
    err = errno;
    ok = false;
  }
  if (!ok) {
    ::unlink(tmp.c_str());
    error = path + (err == EEXIST ? ": already exists; mplp-gate never overwrites a key"
                                  : ": cannot write: " + std::string(std::strerror(err)));
  }
  return ok;
}

int generate(const Args& args) {
  std::string out_dir, type_name = "ed25519";
  bool help = false;
  std::vector<std::string> positional;
  std::vector<OptionSpec> specs = {
      {"--out", true, [&](const std::string& v, std::string&) { out_dir = v; return true; },
       "directory for mplp-gate.key and mplp-gate.pub (created, mode 0700, when missing)", "DIR"},
      {"--type", true, [&](const std::string& v, std::string& e) {
         if (v != "ed25519" && v != "ecdsa-p256") return e = "expected ed25519 or ecdsa-p256", false;
         type_name = v;
         return true;
       }, "ed25519 (default) or ecdsa-p256", "TYPE"},
      {"--help", false, [&](const std::string&, std::string&) { help = true; return true; }, "this help", ""},
  };
  std::string error;
  if (!parse_options(args, specs, positional, error)) {
    std::cerr << "mplp-gate key generate: " << error << "\ntry 'mplp-gate key --help'\n";
    return kExitError;
  }
  if (help) {
    std::cout << kUsage << "\noptions of generate:\n" << options_help(specs);
    return kExitPass;
  }
  if (!positional.empty()) error = "unexpected argument '" + positional[0] + "'";
  else if (out_dir.empty()) error = "--out DIR is required";
  if (!error.empty()) {
    std::cerr << "mplp-gate key generate: " << error << "\ntry 'mplp-gate key --help'\n";
    return kExitError;
  }
  const std::string key_path = out_dir + "/mplp-gate.key", pub_path = out_dir + "/mplp-gate.pub";
  std::error_code ec;
  for (const std::string& p : {key_path, pub_path}) {
    const std::filesystem::file_type type = std::filesystem::symlink_status(p, ec).type();
    if (type == std::filesystem::file_type::not_found) continue;
    // Not "already exists" for a path too long to look at (QA-36).
    std::cerr << "mplp-gate key generate: " << p << ": "
              << (ec ? "cannot be used: " + ec.message() : "already exists; mplp-gate never overwrites a key") << "\n";
    return kExitError;
  }
  const bool made_dir = ::mkdir(out_dir.c_str(), 0700) == 0;
  if (!made_dir && errno != EEXIST) {
    std::cerr << "mplp-gate key generate: " << out_dir << ": cannot create: " << std::strerror(errno) << "\n";
    return kExitError;
  }
  // A failure leaves nothing behind: not a key without its public half, not
  // the directory made for them (a rerun would find it and look half done).
  auto fail = [&](bool key_written) {
    if (key_written) ::unlink(key_path.c_str());
    if (made_dir) ::rmdir(out_dir.c_str());
    std::cerr << "mplp-gate key generate: " << error << "\n";
    return kExitError;
  };
  PrivateKey key;
  if (!generate_key(type_name == "ed25519" ? KeyType::Ed25519 : KeyType::EcdsaP256, key, error) ||
      !write_new_file(key_path, key.pem(), 0600, error))
    return fail(false);
  if (!write_new_file(pub_path, key.public_key().pem(), 0644, error)) return fail(true);
  std::cout << "key id: " << key.public_key().id() << "\n"
            << "private key: " << key_path << " (" << to_string(key.type()) << ", mode 0600: keep it secret)\n"
            << "public key: " << pub_path << " (give it to verifiers)\n";
  return kExitPass;
}

int print_id(const Args& args) {
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::cout << "usage: mplp-gate key id FILE\n\nPrints the key id (hex SHA-256 of the DER SubjectPublicKeyInfo) of a public or "
                 "private key file.\n";
    return kExitPass;
  }
  if (args.size() != 1) {
    std::cerr << "usage: mplp-gate key id FILE\n";
    return kExitError;
  }
  if (args[0].empty()) {
    std::cerr << "mplp-gate key id: " << kEmptyArgument << "\n";
    return kExitError;
  }
  PublicKey pub;
  PrivateKey priv;
  std::string error, private_error;
  if (load_public_key_file(args[0], pub, error) || load_private_key_file(args[0], priv, private_error)) {
    std::cout << (pub.valid() ? pub : priv.public_key()).id() << "\n";
    return kExitPass;
  }
  // Say what was wrong as a public key unless it was a private-key file.
  std::cerr << "mplp-gate key id: " << (error.find("holds a private key") != std::string::npos ? private_error : error)
            << "\n";
  return kExitError;
}

}  // namespace

int cmd_key(const Args& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h") {
    (args.empty() ? std::cerr : std::cout) << kUsage;
    return args.empty() ? kExitError : kExitPass;
  }
  Args rest(args.begin() + 1, args.end());
  if (args[0] == "generate") return generate(rest);
  if (args[0] == "id") return print_id(rest);
  std::cerr << "mplp-gate key: "
            << (args[0].empty() ? std::string(kEmptyArgument) : "unknown subcommand '" + args[0] + "'")
            << " (generate or id)\n";
  return kExitError;
}

}  // namespace mplp::cli

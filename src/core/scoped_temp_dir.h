// A private temporary directory that lives as long as the object: created
// with mkdtemp under $TMPDIR (else /tmp), removed with everything in it when
// the object dies. Used for build contexts, smoke packs and scratch space.
//
//   ScopedTempDir tmp("mplp-build");
//   if (tmp.path().empty()) return error = tmp.error(), false;
//   write_file_atomic(tmp.path() + "/build.sh", ...);
#pragma once

#include <string>

namespace mplp {

class ScopedTempDir {
 public:
  explicit ScopedTempDir(const std::string& prefix);  // e.g. "mplp-build" -> /tmp/mplp-build.XXXXXX
  ~ScopedTempDir();
  ScopedTempDir(const ScopedTempDir&) = delete;
  ScopedTempDir& operator=(const ScopedTempDir&) = delete;

  const std::string& path() const { return path_; }    // "" when it could not be created
  const std::string& error() const { return error_; }  // why not

 private:
  std::string path_;
  std::string error_;
};

}  // namespace mplp

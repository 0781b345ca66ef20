// Taps on the one read of a large file.
//
// Pack::load_files reads every file once to hash it. A gate that must look
// at every byte of a file too large to keep in memory (HOST-ALLOW-01's host
// scan) gives a FileTap for it instead of reading it again: the tap is fed
// the very bytes that were hashed, so its verdict is about the hashed file,
// and the hashing and the tap run on two threads over a small ring of
// buffers, so the file costs about max(hash, tap) in time and a few
// megabytes of memory, whatever its size.
//
//   class CountLines : public FileTap {
//     void feed(std::string_view chunk) override { n += std::count(chunk.begin(), chunk.end(), '\n'); }
//     void end() override { done = true; }
//   };
//   bool ended; auto d = sha256_fd_tapped(fd, {&tap}, ended, error);  // tap.end() ran if `ended`
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/digest.h"

namespace mplp {

class FileTap {
 public:
  virtual ~FileTap() = default;
  // The file's bytes, in order, in chunks of any size; on one thread (not
  // the caller's of sha256_fd_tapped), never concurrently.
  virtual void feed(std::string_view chunk) = 0;
  // After the last chunk, only when the whole file was read.
  virtual void end() = 0;
};

// Reads `fd` to its end, hashing each chunk on this thread while a second
// thread feeds it to `taps`. Nullopt (with `error`) on a read error. When a
// tap throws, the hash goes on but no tap is ended: `taps_ended` is true
// only when every tap saw the whole file and its end().
std::optional<Digest> sha256_fd_tapped(int fd, const std::vector<FileTap*>& taps, bool& taps_ended,
                                       std::string& error);

}  // namespace mplp

#include "core/file_tap.h"

#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <system_error>
#include <thread>

#include "core/fd_io.h"

namespace mplp {

namespace {

// Three buffers: one being read and hashed, one being tapped, one spare so
// neither side waits on a chunk boundary.
constexpr std::size_t kSlots = 3;
constexpr std::size_t kChunk = std::size_t{4} << 20;

// The hand-over between the reading thread and the tapping thread.
struct Ring {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::pair<std::size_t, std::size_t>> filled;  // (slot, length), in file order
  std::size_t free_slots = kSlots;
  bool done = false;      // no more chunks will come
  bool complete = false;  // ... and the file was read to its end
};

}  // namespace

std::optional<Digest> sha256_fd_tapped(int fd, const std::vector<FileTap*>& taps, bool& taps_ended,
                                       std::string& error) {
  taps_ended = false;
  std::vector<std::unique_ptr<char[]>> slots;
  for (std::size_t i = 0; i < kSlots; ++i) slots.emplace_back(new char[kChunk]);  // never cleared: read first
  Ring ring;
  bool tap_failed = false, ended = false;  // the tapper's own, read after join
  auto tap_loop = [&] {
    for (;;) {
      std::pair<std::size_t, std::size_t> item;
      {
        std::unique_lock<std::mutex> lock(ring.mu);
        ring.cv.wait(lock, [&] { return !ring.filled.empty() || ring.done; });
        if (ring.filled.empty()) break;  // done, and every chunk was fed
        item = ring.filled.front();
        ring.filled.pop_front();
      }
      bool failed = false;
      try {  // after a failure the rest is only drained: the hash goes on
        if (!tap_failed)
          for (FileTap* t : taps) t->feed(std::string_view(slots[item.first].get(), item.second));
      } catch (...) {
        failed = true;
      }
      std::lock_guard<std::mutex> lock(ring.mu);
      tap_failed = tap_failed || failed;
      ++ring.free_slots;
      ring.cv.notify_all();
    }
    bool complete = false;
    {
      std::lock_guard<std::mutex> lock(ring.mu);
      complete = ring.complete;
    }
    if (!complete || tap_failed) return;
    try {
      for (FileTap* t : taps) t->end();
      ended = true;
    } catch (...) {  // `ended` stays false: the caller does not use the taps
    }
  };
  std::thread tapper;
  try {
    tapper = std::thread(tap_loop);
  } catch (const std::system_error&) {  // no thread to be had: hash alone, taps unused
    std::optional<Digest> d = sha256_fd(fd);
    if (!d) error = std::strerror(errno);
    return d;
  }

  Sha256 h;
  bool ok = true;
  for (std::size_t next = 0;; next = (next + 1) % kSlots) {
    {
      std::unique_lock<std::mutex> lock(ring.mu);
      ring.cv.wait(lock, [&] { return ring.free_slots > 0; });
      --ring.free_slots;
    }
    // Slots are taken round-robin and the tapper returns them in the same
    // order, so slot `next` is the one freed longest ago.
    ssize_t n = read_full(fd, slots[next].get(), kChunk);
    if (n < 0) {
      error = std::strerror(errno);
      ok = false;
      break;
    }
    h.update(std::string_view(slots[next].get(), static_cast<std::size_t>(n)));
    std::lock_guard<std::mutex> lock(ring.mu);
    if (n > 0) ring.filled.emplace_back(next, static_cast<std::size_t>(n));
    else ++ring.free_slots;
    if (static_cast<std::size_t>(n) < kChunk) {
      ring.complete = true;
      break;
    }
    ring.cv.notify_all();
  }
  {
    std::lock_guard<std::mutex> lock(ring.mu);
    ring.done = true;
    ring.cv.notify_all();
  }
  tapper.join();
  if (!ok) return std::nullopt;
  taps_ended = ended;
  return h.finish();
}

}  // namespace mplp

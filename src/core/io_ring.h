// A small io_uring of the calling thread, for batches of file operations.
//
// Why: on the virtual machines this tool was measured on, a system call's
// entry and exit cost about 2 µs whatever it does (more than the open or
// read of a small file itself). A pack of eleven small files took 44 calls
// (open, fstat, read, close each); with the ring, two submissions and the
// eleven fstat calls. (The ring's statx would run on a kernel worker
// thread, which costs more than it saves.) See file_batch.h.
//
//   IoRing* ring = IoRing::of_this_thread();   // nullptr: use plain calls
//   ring->open_beneath(dir_fd, "manifest.json", /*tag=*/0);
//   ring->run([&](std::uint64_t tag, int result) { ... });
//
// io_uring may be refused (an old kernel, a seccomp profile such as
// Docker's default, kernel.io_uring_disabled, or MPLP_GATE_IO_URING=0 in
// the environment): of_this_thread() then returns nullptr and callers take
// the per-call path, which gives the same results.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>

struct io_uring_sqe;
struct io_uring_cqe;

namespace mplp {

class IoRing {
 public:
  // The calling thread's ring, made on first use; nullptr when io_uring
  // cannot be used or is switched off.
  static IoRing* of_this_thread();
  // Tests run both paths: false makes of_this_thread() return nullptr.
  static void set_enabled(bool enabled);
  // Submissions made by all rings so far (tests count them).
  static std::uint64_t submissions();

  ~IoRing();
  IoRing(const IoRing&) = delete;
  IoRing& operator=(const IoRing&) = delete;

  // Operations that fit before run() must be called.
  unsigned room() const;
  // Queue one operation each; `tag` comes back with its result (a count or
  // a descriptor, or -errno). Buffers and paths must live until run()
  // returns.
  // openat2 beneath `dir` with no link followed, as open_regular_beneath.
  void open_beneath(int dir, const char* rel, std::uint64_t tag);
  // pread at `offset`; then `fd` is closed whatever the read gave.
  void read_then_close(int fd, void* buf, unsigned len, std::uint64_t offset, std::uint64_t tag);
  // Submits the queue and waits for all of it; calls on_done(tag, result)
  // for each tagged operation. False (nothing reported) when the kernel
  // refused the submission: the caller then redoes the work without it.
  bool run(const std::function<void(std::uint64_t tag, int result)>& on_done);

 private:
  static IoRing* thread_ring(bool make);  // this thread's, made if `make`
  IoRing() = default;
  static std::unique_ptr<IoRing> make();
  bool setup(unsigned entries);
  io_uring_sqe* next_sqe();

  int fd_ = -1;
  void* rings_ = nullptr;
  std::size_t rings_size_ = 0;
  void* cq_map_ = nullptr;  // only when the kernel maps the completion ring apart
  std::size_t cq_map_size_ = 0;
  io_uring_sqe* sqes_ = nullptr;
  std::size_t sqes_size_ = 0;
  unsigned *sq_head_ = nullptr, *sq_tail_ = nullptr, *sq_mask_ = nullptr, *sq_array_ = nullptr;
  unsigned *cq_head_ = nullptr, *cq_tail_ = nullptr, *cq_mask_ = nullptr;
  io_uring_cqe* cqes_ = nullptr;
  unsigned entries_ = 0;
  unsigned queued_ = 0;   // filled since the last run
  unsigned expected_ = 0; // completions the queued operations will post
  bool broken_ = false;   // a submission failed: not used again
};

}  // namespace mplp

#include "core/io_ring.h"

#include <fcntl.h>
#include <pthread.h>
#include <linux/io_uring.h>
#include <linux/openat2.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>

namespace mplp {

namespace {

// Enough for a batch of 32 files at two operations each.
constexpr unsigned kEntries = 64;

std::atomic<bool> g_enabled{true};
std::atomic<std::uint64_t> g_submissions{0};

bool environment_allows() {
  const char* v = std::getenv("MPLP_GATE_IO_URING");
  return v == nullptr || (std::string_view(v) != "0" && std::string_view(v) != "off");
}

// The open of open_regular_beneath (safe_fs.cpp): no link followed, never
// above `dir`; O_NONBLOCK, so that a FIFO put in a file's place cannot hang.
constexpr open_how kOpenFile = [] {
  open_how how{};
  how.flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  return how;
}();

constexpr std::uint64_t kUntagged = ~std::uint64_t{0};

bool supports_our_operations(int ring) {
  constexpr unsigned kOps = 256;
  std::size_t size = sizeof(io_uring_probe) + kOps * sizeof(io_uring_probe_op);
  auto probe = std::unique_ptr<io_uring_probe, void (*)(void*)>(static_cast<io_uring_probe*>(std::calloc(1, size)), std::free);
  if (!probe || ::syscall(SYS_io_uring_register, ring, IORING_REGISTER_PROBE, probe.get(), kOps) != 0) return false;
  for (unsigned op : {IORING_OP_OPENAT2, IORING_OP_READ, IORING_OP_CLOSE})
    if (op > probe->last_op || (probe->ops[op].flags & IO_URING_OP_SUPPORTED) == 0) return false;
  return true;
}

template <typename T>
T* at(void* base, unsigned offset) {
  return reinterpret_cast<T*>(static_cast<char*>(base) + offset);
}

// A forked child shares its parent's ring memory (the mapping is shared):
// a submission there would run in the parent, into the parent's buffers.
// Each process counts its forks, and a thread's ring serves only the
// process that made it; a child makes its own.
std::atomic<unsigned> g_forks{0};

}  // namespace

IoRing* IoRing::thread_ring(bool make) {
  thread_local std::unique_ptr<IoRing> ring;
  thread_local bool tried = false;
  thread_local unsigned made_after = 0;
  const unsigned forks = g_forks.load(std::memory_order_relaxed);
  if (tried && made_after != forks) {
    ring.reset();  // the parent's: unmapped and closed here only
    tried = false;
  }
  if (!tried && make) {
    static std::once_flag registered;
    std::call_once(registered, [] { ::pthread_atfork(nullptr, nullptr, [] { g_forks.fetch_add(1); }); });
    ring = IoRing::make();  // nullptr when io_uring is refused: not tried again
    tried = true;
    made_after = forks;
  }
  return ring.get();
}

IoRing* IoRing::of_this_thread() {
  static const bool allowed = environment_allows();
  if (!allowed || !g_enabled.load(std::memory_order_relaxed)) return nullptr;
  IoRing* ring = thread_ring(true);
  return ring != nullptr && !ring->broken_ ? ring : nullptr;
}

std::unique_ptr<IoRing> IoRing::make() {
  std::unique_ptr<IoRing> r(new IoRing());
  if (!r->setup(kEntries)) r.reset();
  return r;
}

void IoRing::set_enabled(bool enabled) { g_enabled.store(enabled, std::memory_order_relaxed); }

std::uint64_t IoRing::submissions() { return g_submissions.load(std::memory_order_relaxed); }

bool IoRing::setup(unsigned entries) {
  io_uring_params p{};
  // Completions are handled only when we wait for them, on this thread:
  // the cheapest mode (Linux 6.1); older kernels refuse it with EINVAL.
  for (unsigned flags : {IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN, 0u}) {
    p = io_uring_params{};
    p.flags = flags;
    fd_ = static_cast<int>(::syscall(SYS_io_uring_setup, entries, &p));
    if (fd_ >= 0 || errno != EINVAL) break;
  }
  if (fd_ < 0) return false;
  if (!supports_our_operations(fd_)) return false;
  entries_ = p.sq_entries;
  const std::size_t sq_size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  const std::size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
  const bool one_map = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
  rings_size_ = one_map ? std::max(sq_size, cq_size) : sq_size;
  rings_ = ::mmap(nullptr, rings_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_SQ_RING);
  if (rings_ == MAP_FAILED) return rings_ = nullptr, false;
  void* cq_base = rings_;
  if (!one_map) {
    cq_map_size_ = cq_size;
    cq_map_ = ::mmap(nullptr, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_CQ_RING);
    if (cq_map_ == MAP_FAILED) return cq_map_ = nullptr, false;
    cq_base = cq_map_;
  }
  sqes_size_ = p.sq_entries * sizeof(io_uring_sqe);
  void* sqes = ::mmap(nullptr, sqes_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_SQES);
  if (sqes == MAP_FAILED) return false;
  sqes_ = static_cast<io_uring_sqe*>(sqes);
  sq_head_ = at<unsigned>(rings_, p.sq_off.head);
  sq_tail_ = at<unsigned>(rings_, p.sq_off.tail);
  sq_mask_ = at<unsigned>(rings_, p.sq_off.ring_mask);
  sq_array_ = at<unsigned>(rings_, p.sq_off.array);
  cq_head_ = at<unsigned>(cq_base, p.cq_off.head);
  cq_tail_ = at<unsigned>(cq_base, p.cq_off.tail);
  cq_mask_ = at<unsigned>(cq_base, p.cq_off.ring_mask);
  cqes_ = at<io_uring_cqe>(cq_base, p.cq_off.cqes);
  return true;
}

IoRing::~IoRing() {
  if (sqes_ != nullptr) ::munmap(sqes_, sqes_size_);
  if (cq_map_ != nullptr) ::munmap(cq_map_, cq_map_size_);
  if (rings_ != nullptr) ::munmap(rings_, rings_size_);
  if (fd_ >= 0) ::close(fd_);
}

unsigned IoRing::room() const { return entries_ - queued_; }

io_uring_sqe* IoRing::next_sqe() {
  unsigned index = (*sq_tail_ + queued_) & *sq_mask_;
  sq_array_[index] = index;
  ++queued_;
  io_uring_sqe* sqe = &sqes_[index];
  std::memset(sqe, 0, sizeof *sqe);
  return sqe;
}

void IoRing::open_beneath(int dir, const char* rel, std::uint64_t tag) {
  io_uring_sqe* sqe = next_sqe();
  sqe->opcode = IORING_OP_OPENAT2;
  sqe->fd = dir;
  sqe->addr = reinterpret_cast<std::uintptr_t>(rel);
  sqe->len = sizeof(open_how);
  sqe->off = reinterpret_cast<std::uintptr_t>(&kOpenFile);
  sqe->user_data = tag;
  ++expected_;
}

void IoRing::read_then_close(int fd, void* buf, unsigned len, std::uint64_t offset, std::uint64_t tag) {
  io_uring_sqe* read = next_sqe();
  read->opcode = IORING_OP_READ;
  read->fd = fd;
  read->addr = reinterpret_cast<std::uintptr_t>(buf);
  read->len = len;
  read->off = offset;
  read->user_data = tag;
  // A hard link: the close runs after the read even when the read fails or
  // comes up short (as a read of size + 1 always does).
  read->flags = IOSQE_IO_HARDLINK;
  io_uring_sqe* close = next_sqe();
  close->opcode = IORING_OP_CLOSE;
  close->fd = fd;
  close->user_data = kUntagged;
  expected_ += 2;
}

bool IoRing::run(const std::function<void(std::uint64_t tag, int result)>& on_done) {
  __atomic_store_n(sq_tail_, *sq_tail_ + queued_, __ATOMIC_RELEASE);
  unsigned to_submit = queued_;
  queued_ = 0;
  unsigned waiting = expected_;
  expected_ = 0;
  while (waiting > 0) {
    long r = ::syscall(SYS_io_uring_enter, fd_, to_submit, waiting, IORING_ENTER_GETEVENTS, nullptr, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      // Never seen here: what was queued may have run in part, so the ring
      // is not used again and this thread goes on with plain system calls.
      broken_ = true;
      return false;
    }
    g_submissions.fetch_add(1, std::memory_order_relaxed);
    to_submit -= static_cast<unsigned>(r);
    unsigned head = *cq_head_;
    const unsigned tail = __atomic_load_n(cq_tail_, __ATOMIC_ACQUIRE);
    for (; head != tail; ++head) {
      const io_uring_cqe& cqe = cqes_[head & *cq_mask_];
      --waiting;
      if (cqe.user_data != kUntagged) on_done(cqe.user_data, cqe.res);
    }
    __atomic_store_n(cq_head_, head, __ATOMIC_RELEASE);
  }
  return true;
}

}  // namespace mplp

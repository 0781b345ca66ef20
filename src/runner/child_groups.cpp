#include "runner/child_groups.h"

#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <cerrno>
#include <mutex>

namespace mplp::runner {

namespace {

constexpr int kSlots = 256;
// Lock-free atomics: read by the signal handler, which may not take a lock.
std::atomic<pid_t> g_groups[kSlots];
static_assert(std::atomic<pid_t>::is_always_lock_free);

extern "C" void forward_interrupt(int sig) {
  const int saved = errno;
  for (std::atomic<pid_t>& slot : g_groups)
    if (pid_t g = slot.load(std::memory_order_relaxed); g > 0) ::kill(-g, sig);
  // Then the signal's default action, as if no handler had been installed:
  // raised now, delivered when this handler returns (the signal is blocked
  // while its handler runs).
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(sig, &dfl, nullptr);
  ::raise(sig);
  errno = saved;
}

// Installed once, for each forwarded signal whose action is still the
// default: a program's own handler or an ignored signal is left alone.
void install_handlers() {
  static std::once_flag once;
  std::call_once(once, [] {
    for (int sig : kForwardedSignals) {
      struct sigaction old {};
      if (::sigaction(sig, nullptr, &old) != 0 || old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO) != 0)
        continue;
      struct sigaction act {};
      act.sa_handler = forward_interrupt;
      sigemptyset(&act.sa_mask);
      for (int other : kForwardedSignals) sigaddset(&act.sa_mask, other);
      act.sa_flags = SA_RESTART;
      ::sigaction(sig, &act, nullptr);
    }
  });
}

}  // namespace

BlockedInterrupts::BlockedInterrupts() {
  sigset_t block;
  sigemptyset(&block);
  for (int sig : kForwardedSignals) sigaddset(&block, sig);
  ::pthread_sigmask(SIG_BLOCK, &block, &old_);
}

BlockedInterrupts::~BlockedInterrupts() { ::pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

ChildGroup::ChildGroup(pid_t group) {
  install_handlers();
  for (int i = 0; i < kSlots; ++i) {
    pid_t empty = 0;
    if (g_groups[i].compare_exchange_strong(empty, group)) {
      slot_ = i;
      return;
    }
  }
}

void ChildGroup::release() {
  if (slot_ >= 0) g_groups[slot_].store(0);
  slot_ = -1;
}

}  // namespace mplp::runner

#include "runner/child_groups.h"

#include <pthread.h>
#include <signal.h>
#include <string.h>

#include <atomic>
#include <cerrno>
#include <mutex>
#include <string>

namespace mplp::runner {

namespace {

constexpr int kSlots = 256;
// Lock-free atomics: read by the signal handler, which may not take a lock.
std::atomic<pid_t> g_groups[kSlots];
static_assert(std::atomic<pid_t>::is_always_lock_free);

std::atomic<int> g_pending{0};
std::atomic<int> g_received{0};  // forwarded signals received
static_assert(std::atomic<int>::is_always_lock_free);

// The signal's default action, as if no handler had been installed: raised
// now, delivered when the handler returns (the signal is blocked while its
// handler runs) or, outside one, at once.
void raise_default(int sig) {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  ::sigaction(sig, &dfl, nullptr);
  ::raise(sig);
}

// A slot holds a group's id, negated for a cleanup child's group (removing
// what an interrupted child left), which no signal is forwarded to: a
// second Ctrl-C must not stop the cleanup it waits for.
extern "C" void forward_interrupt(int sig) {
  const int saved = errno;
  bool child_runs = false;
  for (std::atomic<pid_t>& slot : g_groups) {
    const pid_t g = slot.load(std::memory_order_relaxed);
    if (g != 0) child_runs = true;
    if (g > 0) ::kill(-g, sig);
  }
  // The first while a child runs is left pending, and so is a second (a
  // double Ctrl-C) while the cleanup runs, which is bounded; a third, or a
  // first while no child runs, ends the process at once.
  const int before = g_received.fetch_add(1);
  if (before == 0 && child_runs) g_pending.store(sig);
  else if (before == 0 || before >= 2 || g_pending.load() == 0) raise_default(sig);
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

int pending_interrupt() { return g_pending.load(); }

std::string signal_name(int sig) {
  const char* abbrev = ::sigabbrev_np(sig);
  return abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

std::string interrupted_by() {
  const int sig = pending_interrupt();
  return sig == 0 ? "" : "interrupted by " + signal_name(sig);
}

void end_by_pending_interrupt() {
  if (int sig = g_pending.load(); sig != 0) raise_default(sig);
}

BlockedInterrupts::BlockedInterrupts() {
  sigset_t block;
  sigemptyset(&block);
  for (int sig : kForwardedSignals) sigaddset(&block, sig);
  ::pthread_sigmask(SIG_BLOCK, &block, &old_);
}

BlockedInterrupts::~BlockedInterrupts() { ::pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

ChildGroup::ChildGroup(pid_t group, bool cleanup) {
  install_handlers();
  for (int i = 0; i < kSlots; ++i) {
    pid_t empty = 0;
    if (g_groups[i].compare_exchange_strong(empty, cleanup ? -group : group)) {
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

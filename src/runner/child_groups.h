// The process groups of our running children, and the interrupts passed on
// to them. Each child of run_process (process.h) leads a process group of
// its own, so that a time limit ends the child and everything it started
// (a shell's background `sleep`, npm's scripts), not the child alone. The
// price of that group: a terminal's Ctrl-C, a hang-up or a supervisor's
// SIGTERM reach mplp-gate's group and no longer the child's. So while a
// child group is registered here, SIGINT, SIGTERM and SIGHUP received by
// this process are sent on to every registered group. The first such
// signal then leaves this process running as a pending interrupt: the
// waiting run_process stops its child and starts no other (but cleanup, such
// as removing the child's container), the callers unwind (stage and overlay
// removed), and main ends the process by that signal (the default action;
// ninja does the same for its jobs). A second signal is left pending too (a
// double Ctrl-C: the cleanup is bounded); a third, or a first while no child
// is registered, ends the process at once, as before (QA-40: a producer's
// container whose PID 1 ignores SIGTERM ran on for hours after mplp-gate had
// died of it). A signal this process ignores (nohup's SIGHUP) stays
// ignored, and is not forwarded.
//
//   BlockedInterrupts blocked;   // no interrupt between the spawn and the registration
//   pid_t pid = spawn(...);      // the child leads group `pid`
//   ChildGroup group(pid);       // forwarded to from here on
//   ... wait; unregister (group.release()) before reaping the leader, whose
//   unreaped pid keeps the group id from being reused.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <string>

namespace mplp::runner {

// The signals forwarded: SIGINT, SIGTERM, SIGHUP.
inline constexpr int kForwardedSignals[] = {SIGINT, SIGTERM, SIGHUP};

// Blocks the forwarded signals in the calling thread while alive (a signal
// that arrives meanwhile is delivered when the block ends).
class BlockedInterrupts {
 public:
  BlockedInterrupts();
  ~BlockedInterrupts();
  BlockedInterrupts(const BlockedInterrupts&) = delete;
  BlockedInterrupts& operator=(const BlockedInterrupts&) = delete;
  // The thread's mask before: the one a child should start with.
  const sigset_t& previous() const { return old_; }

 private:
  sigset_t old_;
};

// The forwarded signal pending (0: none); see above.
int pending_interrupt();
// Ends this process by the pending interrupt, if any (returns when none).
void end_by_pending_interrupt();
// "SIGTERM" for SIGTERM.
std::string signal_name(int sig);
// "interrupted by SIGTERM" for the pending interrupt (empty when none).
std::string interrupted_by();

// A registered child process group (a no-op when the table of 256 groups
// is full: that child is then not forwarded to). A cleanup child's group
// (ProcessSpec::cleanup) counts as a running child but is never forwarded
// to: a second signal must not stop the cleanup it waits for.
class ChildGroup {
 public:
  explicit ChildGroup(pid_t group, bool cleanup = false);
  ~ChildGroup() { release(); }
  ChildGroup(const ChildGroup&) = delete;
  ChildGroup& operator=(const ChildGroup&) = delete;
  void release();

 private:
  int slot_ = -1;
};

}  // namespace mplp::runner

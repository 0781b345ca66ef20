// The batched load (core/file_batch.h over core/io_ring.h) must give what
// the one-file path gives, file for file; only the count of system calls
// differs. Where io_uring is refused (a seccomp profile, an old kernel) the
// batch tests skip and say so; the equivalence tests then compare the
// one-file path with itself and still pass.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/file_batch.h"
#include "core/io_ring.h"
#include "core/pack.h"
#include "core/thread_pool.h"
#include "test_util.h"

namespace mplp {
namespace {

using test::TempDir;
using test::write_file;

// Switches the ring off for one scope.
struct RingOff {
  RingOff() { IoRing::set_enabled(false); }
  ~RingOff() { IoRing::set_enabled(true); }
};

#define SKIP_WITHOUT_RING()                                                                      \
  if (IoRing::of_this_thread() == nullptr) {                                                      \
    GTEST_SKIP() << "io_uring is not available here (MPLP_GATE_IO_URING=0, a seccomp profile or " \
                    "an old kernel): the one-file path is used, and tested by the Pack tests";     \
  }

// A tree with every kind of thing a pack may hold where a file is listed.
void make_mixed_tree(const TempDir& t) {
  write_file(t / "empty", "");
  write_file(t / "small.json", "{\"a\": 1}\n");
  write_file(t / "mid.bin", std::string(70000, 'm'));  // past one page and one 64 KiB read
  write_file(t / "d/mode0640", std::string(5000, 'b'));
  ASSERT_EQ(::chmod((t / "d/mode0640").c_str(), 0640), 0);
  write_file(t / "d/setuid", "#!/bin/sh\n");
  ASSERT_EQ(::chmod((t / "d/setuid").c_str(), 04755), 0);
  write_file(t / "d/e/odd name\nwith newline", "odd");
  std::filesystem::create_symlink("small.json", t / "link");
  std::filesystem::create_directory(t / "dir");
  ASSERT_EQ(::mkfifo((t / "pipe").c_str(), 0600), 0);
}

std::vector<FileState> loaded_states(const std::string& dir, bool keep_contents) {
  std::string err;
  auto p = Pack::open(dir, "p", Limits{}, err);
  EXPECT_TRUE(p) << err;
  if (!p) return {};
  ThreadPool pool(2);
  p->load_files(pool, nullptr, keep_contents);
  std::vector<FileState> out;
  for (const Entry& e : p->entries())
    if (const FileState* f = p->file(e.path)) out.push_back(*f);
  return out;
}

void expect_same_states(const std::vector<FileState>& a, const std::vector<FileState>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    const FileState& x = a[i];
    const FileState& y = b[i];
    SCOPED_TRACE(x.entry.path);
    EXPECT_EQ(x.entry.path, y.entry.path);
    EXPECT_EQ(x.entry.type, y.entry.type);
    EXPECT_EQ(x.entry.size, y.entry.size);
    EXPECT_EQ(x.entry.mode, y.entry.mode);
    EXPECT_EQ(x.entry.uid, y.entry.uid);
    EXPECT_EQ(x.entry.gid, y.entry.gid);
    EXPECT_EQ(x.entry.ino, y.entry.ino);
    EXPECT_EQ(x.entry.mtime_ns, y.entry.mtime_ns);
    EXPECT_EQ(x.entry.stated, y.entry.stated);
    EXPECT_EQ(x.hashed, y.hashed);
    EXPECT_EQ(to_hex(x.digest), to_hex(y.digest));
    EXPECT_TRUE(x.stamp == y.stamp);
    EXPECT_EQ(x.error, y.error);
    ASSERT_EQ(x.bytes != nullptr, y.bytes != nullptr);
    if (x.bytes) {
      EXPECT_EQ(*x.bytes, *y.bytes);
    }
  }
}

TEST(FileBatch, OpensStatesAndReadsAsTheOneFilePathDoes) {
  SKIP_WITHOUT_RING();
  TempDir t;
  make_mixed_tree(t);
  std::string err;
  std::optional<Dir> dir = Dir::open(t.path(), err);
  ASSERT_TRUE(dir) << err;
  const std::vector<std::string> rels = {"empty", "small.json", "mid.bin",  "d/mode0640", "d/setuid",
                                         "link",  "dir",        "pipe",     "missing",    "../escape",
                                         "d/e/odd name\nwith newline"};
  std::vector<BatchFile> batch(rels.size());
  for (std::size_t i = 0; i < rels.size(); ++i) batch[i].rel = &rels[i];
  ASSERT_TRUE(open_batch(*dir, batch));
  for (std::size_t i = 0; i < rels.size(); ++i) {
    SCOPED_TRACE(rels[i]);
    struct stat st {};
    int fd = open_regular_beneath(*dir, rels[i], err, &st);
    ASSERT_EQ(batch[i].fd >= 0, fd >= 0) << "the batch opens what the one-file path opens";
    if (fd < 0) continue;
    ::close(fd);
    EXPECT_EQ(batch[i].st.st_dev, st.st_dev);
    EXPECT_EQ(batch[i].st.st_ino, st.st_ino);
    EXPECT_EQ(batch[i].st.st_mode, st.st_mode);
    EXPECT_EQ(batch[i].st.st_size, st.st_size);
    EXPECT_EQ(batch[i].st.st_uid, st.st_uid);
    EXPECT_EQ(batch[i].st.st_mtim.tv_nsec, st.st_mtim.tv_nsec);
    EXPECT_EQ(batch[i].st.st_ctim.tv_sec, st.st_ctim.tv_sec);
    batch[i].want_read = rels[i] != "mid.bin";  // that one stays open
  }
  read_batch(batch);
  for (std::size_t i = 0; i < rels.size(); ++i) {
    SCOPED_TRACE(rels[i]);
    if (rels[i] == "mid.bin") {
      ASSERT_GE(batch[i].fd, 0);
      EXPECT_FALSE(batch[i].read);
      ::close(batch[i].fd);
      continue;
    }
    EXPECT_LT(batch[i].fd, 0);
    if (!batch[i].want_read) continue;
    ASSERT_TRUE(batch[i].read);
    EXPECT_EQ(batch[i].bytes, test::read_file(t / rels[i]));
  }
}

// A file that grew or shrank between its stat and its read is not taken
// from the batch: the one-file path reads it again, as a whole.
TEST(FileBatch, FileThatChangedSizeIsLeftToTheOneFilePath) {
  SKIP_WITHOUT_RING();
  TempDir t;
  write_file(t / "grows", "12345");
  write_file(t / "shrinks", "12345");
  write_file(t / "stays", "12345");
  std::string err;
  std::optional<Dir> dir = Dir::open(t.path(), err);
  ASSERT_TRUE(dir) << err;
  const std::vector<std::string> rels = {"grows", "shrinks", "stays"};
  std::vector<BatchFile> batch(rels.size());
  for (std::size_t i = 0; i < rels.size(); ++i) batch[i].rel = &rels[i];
  ASSERT_TRUE(open_batch(*dir, batch));
  for (BatchFile& f : batch) f.want_read = true;
  write_file(t / "grows", "1234567890");  // the same inode: write_file truncates and writes
  write_file(t / "shrinks", "12");
  read_batch(batch);
  EXPECT_FALSE(batch[0].read);
  EXPECT_FALSE(batch[1].read);
  ASSERT_TRUE(batch[2].read);
  EXPECT_EQ(batch[2].bytes, "12345");
  for (const BatchFile& f : batch) EXPECT_LT(f.fd, 0);
}

TEST(FileBatch, WithoutTheRingNothingIsOpened) {
  TempDir t;
  write_file(t / "a", "a");
  std::string err;
  std::optional<Dir> dir = Dir::open(t.path(), err);
  ASSERT_TRUE(dir) << err;
  const std::string rel = "a";
  std::vector<BatchFile> batch(1);
  batch[0].rel = &rel;
  RingOff off;
  EXPECT_FALSE(open_batch(*dir, batch));
  EXPECT_LT(batch[0].fd, 0);
}

// Each file's state, whichever path loaded it: entry, stamp, digest, error
// and kept bytes alike, with and without keeping contents.
TEST(FileBatch, PackLoadsTheSameWithAndWithoutTheRing) {
  TempDir t;
  make_mixed_tree(t);
  for (bool keep : {true, false}) {
    SCOPED_TRACE(keep ? "keep contents" : "keep nothing");
    std::vector<FileState> ringed = loaded_states(t.path(), keep);
    std::vector<FileState> alone;
    {
      RingOff off;
      alone = loaded_states(t.path(), keep);
    }
    EXPECT_EQ(ringed.size(), 6u);
    expect_same_states(ringed, alone);
  }
}

// What the batch is for, counted: a pack of eleven small files loads in
// two submissions (open, read-and-close) and eleven fstat calls, not 44
// system calls.
TEST(FileBatch, ElevenFilesLoadInTwoSubmissions) {
  SKIP_WITHOUT_RING();
  TempDir t;
  for (int i = 0; i < 11; ++i) write_file(t / ("f" + std::to_string(i)), std::string(100 + i, 'x'));
  std::string err;
  auto p = Pack::open(t.path(), "p", Limits{}, err);
  ASSERT_TRUE(p) << err;
  ThreadPool pool(1);  // everything on this thread, which has the ring
  const std::uint64_t before = IoRing::submissions();
  p->load_files(pool);
  EXPECT_EQ(IoRing::submissions() - before, 2u);
  for (int i = 0; i < 11; ++i) {
    const FileState* f = p->file("f" + std::to_string(i));
    ASSERT_NE(f, nullptr);
    EXPECT_TRUE(f->hashed);
    ASSERT_TRUE(f->bytes);
    EXPECT_EQ(f->bytes->size(), 100u + i);
  }
}

// A forked child shares its parent's ring memory: had it used the ring it
// inherited, its reads would have landed in the parent's buffers (freed
// memory, by then). The child makes its own ring; both load correctly.
TEST(FileBatch, ForkedChildUsesARingOfItsOwn) {
  SKIP_WITHOUT_RING();
  TempDir t;
  for (int i = 0; i < 11; ++i) write_file(t / ("f" + std::to_string(i)), std::string(1000 + i, 'a' + i));
  const auto loads_right = [&] {
    std::string err;
    auto p = Pack::open(t.path(), "p", Limits{}, err);
    if (!p) return false;
    ThreadPool pool(1);
    p->load_files(pool);
    for (int i = 0; i < 11; ++i) {
      const FileState* f = p->file("f" + std::to_string(i));
      if (f == nullptr || !f->bytes || *f->bytes != std::string(1000 + i, 'a' + i)) return false;
    }
    return true;
  };
  ASSERT_TRUE(loads_right());  // this thread's ring is made and used
  pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const std::uint64_t before = IoRing::submissions();
    bool ok = true;
    for (int round = 0; round < 20 && ok; ++round) ok = loads_right();
    ::_exit(ok && IoRing::submissions() - before == 20 * 2 ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the child loads through a ring of its own";
  std::vector<std::string> held(64, std::string(4000, 'h'));  // memory a stray write would hit
  for (int round = 0; round < 20; ++round) ASSERT_TRUE(loads_right());
  for (const std::string& h : held) EXPECT_EQ(h, std::string(4000, 'h'));
}

}  // namespace
}  // namespace mplp

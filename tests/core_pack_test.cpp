#include <gtest/gtest.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>

#include "core/pack.h"
#include "core/safe_fs.h"
#include "test_util.h"

namespace mplp {
namespace {

using test::TempDir;
using test::write_file;

std::unique_ptr<Pack> load(const std::string& dir, Limits limits = {}) {
  std::string err;
  auto p = Pack::open(dir, "p", limits, err);
  EXPECT_TRUE(p) << err;
  ThreadPool pool(2);
  p->load_files(pool);
  return p;
}

// Issue 13, point 6: a file read again after its hash read (not kept in
// memory) must be the file that was hashed; written or replaced since, the
// read fails instead of handing gates bytes no digest covers.
TEST(Pack, ReReadOfAChangedFileFails) {
  TempDir t;
  write_file(t / "small.txt", "hashed bytes\n");
  write_file(t / "big.bin", std::string((16u << 20) + 10, 'a'));  // over the keep limit: re-read
  auto p = load(t.path());
  std::string err;
  ASSERT_TRUE(p->bytes("big.bin", err)) << err;
  int fd = p->reopen("big.bin", err);
  ASSERT_GE(fd, 0) << err;
  EXPECT_TRUE(p->unchanged("big.bin", fd, err)) << err;
  // Rewritten in place with bytes of the same size: mtime and ctime move.
  write_file(t / "big.bin", std::string((16u << 20) + 10, 'b'));
  EXPECT_FALSE(p->unchanged("big.bin", fd, err));
  ::close(fd);
  EXPECT_FALSE(p->bytes("big.bin", err));
  EXPECT_NE(err.find("changed since it was hashed"), std::string::npos) << err;
  EXPECT_LT(p->reopen("big.bin", err), 0);
  // Replaced by another file (rename over it).
  write_file(t / "other", "x");
  std::filesystem::rename(t / "other", t / "small.txt");
  // small.txt was kept from its hash read: the hashed bytes, not the new ones.
  auto kept = p->bytes("small.txt", err);
  ASSERT_TRUE(kept) << err;
  EXPECT_EQ(*kept, "hashed bytes\n");
  EXPECT_LT(p->reopen("small.txt", err), 0);
}

TEST(Pack, WalksSortedAndHashesOnce) {
  TempDir t;
  write_file(t / "b/x.txt", "x");
  write_file(t / "a.txt", "abc");
  auto p = load(t.path());
  ASSERT_EQ(p->entries().size(), 3u);
  EXPECT_EQ(p->entries()[0].path, "a.txt");
  EXPECT_EQ(p->entries()[1].path, "b");
  EXPECT_EQ(p->entries()[2].path, "b/x.txt");
  ASSERT_NE(p->digest("a.txt"), nullptr);
  EXPECT_EQ(to_hex(*p->digest("a.txt")), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(p->digest("b"), nullptr);
  EXPECT_EQ(p->digest("missing"), nullptr);
}

// The walk leaves regular files unstated (one system call less a file);
// once loaded, every entry says what an lstat of it says.
TEST(Pack, FileEntriesAreStatedWhenLoaded) {
  TempDir t;
  write_file(t / "a.txt", "abc");
  write_file(t / "d/b.bin", std::string(5000, 'b'));
  write_file(t / "d/e/c.json", "{}");
  ASSERT_EQ(::chmod((t / "d/b.bin").c_str(), 0640), 0);
  std::filesystem::create_symlink("a.txt", t / "link");
  std::string err;
  std::optional<Dir> root = Dir::open(t.path(), err);
  ASSERT_TRUE(root) << err;
  WalkResult deferred = walk(*root, WalkOptions{100, true});
  WalkResult stated = walk(*root, WalkOptions{100, false});
  ASSERT_EQ(deferred.entries.size(), 6u);
  ASSERT_EQ(stated.entries.size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) {
    const Entry& d = deferred.entries[i];
    const Entry& s = stated.entries[i];
    EXPECT_EQ(d.path, s.path);
    EXPECT_EQ(d.type, s.type) << d.path;
    EXPECT_EQ(d.ino, s.ino) << d.path;  // from the listing
    EXPECT_TRUE(s.stated);
    EXPECT_EQ(d.stated, s.type != EntryType::Regular) << d.path;
  }
  auto p = load(t.path());
  ASSERT_EQ(p->entries().size(), 6u);
  for (std::size_t i = 0; i < 6; ++i) {
    const Entry& e = p->entries()[i];
    const Entry& s = stated.entries[i];
    EXPECT_TRUE(e.stated) << e.path;
    EXPECT_EQ(e.path, s.path);
    EXPECT_EQ(e.type, s.type) << e.path;
    EXPECT_EQ(e.size, s.size) << e.path;
    EXPECT_EQ(e.mode, s.mode) << e.path;
    EXPECT_EQ(e.uid, s.uid) << e.path;
    EXPECT_EQ(e.gid, s.gid) << e.path;
    EXPECT_EQ(e.ino, s.ino) << e.path;
    EXPECT_EQ(e.mtime_ns, s.mtime_ns) << e.path;
  }
  EXPECT_EQ(p->find("d/b.bin")->size, 5000u);
  EXPECT_EQ(p->find("d/b.bin")->mode, 0640u);
  EXPECT_EQ(p->file("d/b.bin")->entry.size, 5000u);
}

// A file listed as regular and then replaced (by a link, a directory) or
// removed before it is opened: its entry says what is there now, or at
// least that it was stated, and the file is not hashed.
TEST(Pack, FileReplacedBetweenWalkAndLoad) {
  TempDir t, outside;
  write_file(outside / "secret", "outside");
  write_file(t / "to-link", "x");
  write_file(t / "to-dir", "x");
  write_file(t / "gone", "x");
  write_file(t / "kept", "kept");
  std::string err;
  auto p = Pack::open(t.path(), "p", Limits{}, err);
  ASSERT_TRUE(p) << err;
  std::filesystem::remove(t / "to-link");
  std::filesystem::create_symlink(outside / "secret", t / "to-link");
  std::filesystem::remove(t / "to-dir");
  std::filesystem::create_directory(t / "to-dir");
  std::filesystem::remove(t / "gone");
  ThreadPool pool(2);
  p->load_files(pool);
  EXPECT_EQ(p->find("to-link")->type, EntryType::Symlink);
  EXPECT_EQ(p->digest("to-link"), nullptr);
  EXPECT_NE(p->file("to-link")->error.find("symbolic link"), std::string::npos) << p->file("to-link")->error;
  EXPECT_EQ(p->find("to-dir")->type, EntryType::Directory);
  EXPECT_EQ(p->digest("to-dir"), nullptr);
  EXPECT_TRUE(p->find("gone")->stated);
  EXPECT_EQ(p->digest("gone"), nullptr);
  EXPECT_FALSE(p->file("gone")->error.empty());
  ASSERT_NE(p->digest("kept"), nullptr);
  EXPECT_EQ(p->find("kept")->size, 4u);
  std::string out;
  EXPECT_FALSE(p->read("to-link", out, err));
}

TEST(Pack, NeverFollowsSymlinks) {
  TempDir t, outside;
  write_file(outside / "secret.json", "{\"k\":1}");
  std::filesystem::create_directories(t / "artifacts");
  std::filesystem::create_symlink(outside / "secret.json", t / "artifacts/link.json");
  std::filesystem::create_directory_symlink(outside.path(), t / "dirlink");
  auto p = load(t.path());
  const Entry* e = p->find("artifacts/link.json");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->type, EntryType::Symlink);
  EXPECT_EQ(p->find("dirlink")->type, EntryType::Symlink);
  EXPECT_EQ(p->find("dirlink/secret.json"), nullptr);  // not descended
  std::string out, err;
  EXPECT_FALSE(p->read("artifacts/link.json", out, err));
  EXPECT_FALSE(p->read("dirlink/secret.json", out, err));
  EXPECT_FALSE(p->json("artifacts/link.json").readable);
}

TEST(Pack, FifoNeitherHangsNorIsHashed) {
  TempDir t;
  ASSERT_EQ(::mkfifo((t / "pipe.json").c_str(), 0600), 0);
  auto p = load(t.path());
  EXPECT_EQ(p->find("pipe.json")->type, EntryType::Fifo);
  EXPECT_EQ(p->digest("pipe.json"), nullptr);
  std::string out, err;
  EXPECT_FALSE(p->read("pipe.json", out, err));
}

TEST(Pack, FileLimitTruncatesWalk) {
  TempDir t;
  for (int i = 0; i < 20; ++i) write_file(t / ("f" + std::to_string(i)), "x");
  Limits l;
  l.max_files_per_pack = 10;
  auto p = load(t.path(), l);
  EXPECT_TRUE(p->truncated());
  EXPECT_LE(p->entries().size(), 10u);
}

TEST(Pack, OversizedFileIsNotHashed) {
  TempDir t;
  write_file(t / "big.bin", std::string(1000, 'x'));
  Limits l;
  l.max_file_size = 100;
  auto p = load(t.path(), l);
  EXPECT_EQ(p->digest("big.bin"), nullptr);
  EXPECT_NE(p->file("big.bin")->error.find("over the limit"), std::string::npos);
}

TEST(Pack, ManifestStatesAndIndexability) {
  TempDir t;
  auto missing = load(t.path());
  EXPECT_EQ(missing->manifest_state(), ManifestState::Missing);
  EXPECT_TRUE(missing->is_real());  // strictest reading
  write_file(t / "manifest.json", "[1]");
  EXPECT_EQ(load(t.path())->manifest_state(), ManifestState::NotObject);
  write_file(t / "manifest.json", "{");
  EXPECT_EQ(load(t.path())->manifest_state(), ManifestState::Invalid);
  write_file(t / "manifest.json", R"({"indexability_status":"INDEXABLE_SYNTHETIC"})");
  auto syn = load(t.path());
  EXPECT_EQ(syn->manifest_state(), ManifestState::Ok);
  EXPECT_EQ(syn->indexability(), Indexability::Synthetic);
  EXPECT_FALSE(syn->is_real());
  std::filesystem::remove(t / "manifest.json");
  std::filesystem::create_directory(t / "manifest.json");
  EXPECT_EQ(load(t.path())->manifest_state(), ManifestState::NotRegular);
}

TEST(Pack, OddFileNamesSurvive) {
  TempDir t;
  std::string odd = std::string("we\nird\x01\xff name.json");
  write_file(t / odd, "{}");
  auto p = load(t.path());
  ASSERT_NE(p->find(odd), nullptr);
  EXPECT_TRUE(p->json(odd).parsed);
}

// Expects each directory entry of `w` to say what lstat says of it now;
// returns how many there are.
int directories_stated_as_now(const TempDir& t, const WalkResult& w) {
  int dirs = 0;
  for (const Entry& e : w.entries) {
    if (e.type != EntryType::Directory) continue;
    ++dirs;
    struct stat st {};
    EXPECT_EQ(::lstat((t / e.path).c_str(), &st), 0) << e.path;
    const Entry want = entry_of(e.path, st);
    EXPECT_TRUE(e.stated) << e.path;
    EXPECT_EQ(e.mode, want.mode) << e.path;
    EXPECT_EQ(e.ino, want.ino) << e.path;
    EXPECT_EQ(e.uid, want.uid) << e.path;
    EXPECT_EQ(e.mtime_ns, want.mtime_ns) << e.path;
    EXPECT_EQ(e.size, want.size) << e.path;
  }
  return dirs;
}

// Directories are stated by the fstat of the descriptor that lists them,
// not by an lstat of their own: every walk gives each directory what lstat
// says of it, the root listed through its own descriptor or another.
TEST(Walk, DirectoriesAreStatedByTheDescriptorThatListsThem) {
  TempDir t;
  write_file(t / "d/e/f.txt", "f");
  write_file(t / "g/h.txt", "h");
  ASSERT_EQ(::chmod((t / "d").c_str(), 0750), 0);
  ASSERT_EQ(::chmod((t / "d/e").c_str(), 0700), 0);
  for (bool defer : {false, true}) {
    for (bool own_root : {false, true}) {
      std::string err;
      std::optional<Dir> root = Dir::open(t.path(), err);
      ASSERT_TRUE(root) << err;
      WalkResult w = walk(*root, WalkOptions{100, defer, own_root});
      EXPECT_TRUE(w.errors.empty());
      EXPECT_EQ(directories_stated_as_now(t, w), 3) << "defer " << defer << ", own root " << own_root;
    }
  }
}

// A walk stopped at its entry limit never opens the directories it listed
// last; they are stated all the same.
TEST(Walk, DirectoriesPastTheLimitAreStated) {
  TempDir t;
  for (int i = 0; i < 6; ++i) write_file(t / ("d" + std::to_string(i) + "/x.txt"), "x");
  std::string err;
  std::optional<Dir> root = Dir::open(t.path(), err);
  ASSERT_TRUE(root) << err;
  WalkResult w = walk(*root, WalkOptions{7, true});
  EXPECT_TRUE(w.truncated);
  EXPECT_EQ(directories_stated_as_now(t, w), 6);
}

// Two directories exchanged again and again while the tree is walked: each
// walk lists, under the name, the directory its entry describes, or says
// the directory was replaced; never one directory's entry with the other's
// files.
TEST(Walk, DirectoryExchangedDuringTheWalkIsDescribedAsListed) {
  TempDir t;
  write_file(t / "tree/sub/one", "1");
  write_file(t / "other/two", "2");
  struct stat one {}, two {};
  ASSERT_EQ(::lstat((t / "tree/sub").c_str(), &one), 0);
  ASSERT_EQ(::lstat((t / "other").c_str(), &two), 0);
  test::SwapLoop swap(t / "tree/sub", t / "other");
  std::string err;
  std::optional<Dir> root = Dir::open(t / "tree", err);
  ASSERT_TRUE(root) << err;
  std::map<std::string, int> seen;
  for (auto end = std::chrono::steady_clock::now() + std::chrono::seconds(1); std::chrono::steady_clock::now() < end;) {
    WalkResult w = walk(*root, WalkOptions{100, true});
    if (!w.errors.empty()) {
      ASSERT_EQ(w.errors[0].first, "sub");
      // Our words for the race, never errno's ("Invalid cross-device link"
      // is what openat2 beneath a root answers to a rename mid-lookup).
      const std::string& why = w.errors[0].second;
      ASSERT_TRUE(why == "was replaced by another directory while the tree was read" ||
                  why == "was moved or replaced while the tree was read")
          << why;
      ++seen["replaced: " + why];
      continue;
    }
    ASSERT_EQ(w.entries.size(), 2u);
    ASSERT_EQ(w.entries[0].path, "sub");
    const bool holds_one = w.entries[1].path == "sub/one";
    ASSERT_TRUE(holds_one || w.entries[1].path == "sub/two") << w.entries[1].path;
    ASSERT_EQ(w.entries[0].ino, holds_one ? one.st_ino : two.st_ino);
    ++seen[holds_one ? "one" : "two"];
  }
  swap.stop();
  for (const auto& [what, n] : seen) std::printf("%s: %d walks\n", what.c_str(), n);
  EXPECT_GT(seen["one"] + seen["two"], 0);
}

// A directory that is a mount point: its listing names the inode beneath
// the mount, its open gives the mounted root. The walk takes it for the
// directory it listed (it is what lstat finds there now) and lists the
// mounted tree. Run in a child with a mount namespace of its own.
TEST(Walk, MountPointIsListedAsTheMountedDirectory) {
  TempDir t;
  write_file(t / "tree/sub/hidden", "under the mount");
  const std::string sub = t / "tree/sub";
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
        ::mount("none", sub.c_str(), "tmpfs", 0, "size=64k") != 0)
      ::_exit(77);
    write_file(sub + "/mounted", "on the mount");
    std::string err;
    std::optional<Dir> root = Dir::open(t / "tree", err);
    if (!root) ::_exit(10);
    WalkResult w = walk(*root, WalkOptions{100, true});
    struct stat mounted {};
    if (::stat(sub.c_str(), &mounted) != 0) ::_exit(11);
    if (!w.errors.empty()) {
      std::fprintf(stderr, "walk error at %s: %s\n", w.errors[0].first.c_str(), w.errors[0].second.c_str());
      ::_exit(12);
    }
    if (w.entries.size() != 2 || w.entries[0].path != "sub" || w.entries[1].path != "sub/mounted") ::_exit(13);
    if (w.entries[0].type != EntryType::Directory || w.entries[0].ino != mounted.st_ino) ::_exit(14);
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "the child was killed by signal " << WTERMSIG(status);
  if (WEXITSTATUS(status) == 77) GTEST_SKIP() << "no mount namespace here (unshare and mount need CAP_SYS_ADMIN)";
  EXPECT_EQ(WEXITSTATUS(status), 0) << "see the child's exit code in the test: 12 a walk error, 13 the entries, 14 "
                                       "the mount point's type or inode";
}

TEST(SafeFs, SafeRelativePaths) {
  EXPECT_TRUE(is_safe_relative_path("a/b.json"));
  for (const char* bad : {"", "/a", "a/../b", "..", "./a", "a//b", "a/", "a\\b", "a/./b"})
    EXPECT_FALSE(is_safe_relative_path(bad)) << bad;
  EXPECT_FALSE(is_safe_relative_path(std::string("a\0b", 3)));
  // Each refusal says what it is (QA-49: a trailing '/' was "absolute, empty
  // or leaves the repository").
  EXPECT_EQ(unsafe_path_reason("a/b.json"), "");
  EXPECT_EQ(unsafe_path_reason(""), "it is empty");
  EXPECT_EQ(unsafe_path_reason("/a"), "it is absolute (a leading '/')");
  EXPECT_EQ(unsafe_path_reason("runners/x/Containerfile/"), "an empty component ('//' or a trailing '/')");
  EXPECT_EQ(unsafe_path_reason("a//b"), "an empty component ('//' or a trailing '/')");
  EXPECT_EQ(unsafe_path_reason("a/./b"), "a '.' component");
  EXPECT_EQ(unsafe_path_reason("a/../b"), "a '..' component");
  EXPECT_EQ(unsafe_path_reason("a\\b"), "a backslash");
  EXPECT_EQ(unsafe_path_reason(std::string("a\0b", 3)), "a NUL byte");
}

TEST(SafeFs, AtomicWriteReplacesAndLeavesNoTemp) {
  TempDir t;
  std::string err;
  ASSERT_TRUE(write_file_atomic(t / "f.txt", "one", err)) << err;
  ASSERT_TRUE(write_file_atomic(t / "f.txt", "two", err)) << err;
  EXPECT_EQ(test::read_file(t / "f.txt"), "two");
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator(t.path())) (void)e, ++n;
  EXPECT_EQ(n, 1);
}

}  // namespace
}  // namespace mplp

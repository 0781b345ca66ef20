// PackedLocation (engine/discover.h): a location packed into one string
// unpacks to every field it had, empty ones and odd bytes included, and
// sorts by the views it gives.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <string>

#include "core/scoped_temp_dir.h"
#include "engine/discover.h"

namespace mplp {
namespace {

std::string dump(const PackLocation& l) {
  return l.fs_path + "|" + l.display_path + "|" + l.name + "|" + l.base + "|" + std::to_string(l.stage) + "|" +
         l.stage_note + "|" + std::to_string(l.link) + "|" + l.open_error + "|" + std::to_string(l.identified) +
         "|" + std::to_string(l.identity.device) + ":" + std::to_string(l.identity.inode);
}

TEST(PackedLocation, UnpacksToEveryField) {
  PackLocation full;
  full.fs_path = "/tmp/runs/p\xc3\xa9 1";
  full.display_path = "runs/p\xc3\xa9 1";
  full.name = "p\xc3\xa9 1";
  full.base = "/tmp/runs";
  full.stage = true;
  full.stage_note = "an interrupted seal of 'p1' (pid 12 is gone)";
  full.link = true;
  full.open_error = "'runs/p1' changed while the tree was searched (now a symbolic link)";
  full.identified = true;
  full.identity = {7, 1ull << 40};
  PackLocation bare;
  bare.name = "only-a-name";
  for (const PackLocation& l : {full, bare, PackLocation{}}) {
    const PackedLocation packed(l);
    EXPECT_EQ(dump(packed.unpack()), dump(l));
    EXPECT_EQ(packed.display_path(), l.display_path);
    EXPECT_EQ(packed.name(), l.name);
  }
}

TEST(PackedLocation, ReleasedItHoldsNoTexts) {
  PackLocation l;
  l.fs_path = std::string(100, 'f');
  l.name = "n";
  PackedLocation packed(l);
  packed.release();
  EXPECT_EQ(packed.name(), "");
  EXPECT_EQ(packed.unpack().fs_path, "");
}

// A chain of directories whose full path is longer than PATH_MAX, made and
// removed through descriptors (no path names its bottom).
class DeepChain {
 public:
  DeepChain(const std::string& root, int levels) : root_(root), levels_(levels) {
    int fd = ::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (int i = 0; i < levels && fd >= 0; ++i) {
      ::mkdirat(fd, kName.c_str(), 0700);
      const int next = ::openat(fd, kName.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      ::close(fd);
      fd = next;
    }
    if (fd >= 0) {
      ::mkdirat(fd, "pack", 0700);
      ::close(::openat(fd, "pack/manifest.json", O_CREAT | O_WRONLY | O_CLOEXEC, 0600));
      ::close(fd);
    }
  }
  ~DeepChain() { remove_below(::open(root_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC), levels_); }
  static inline const std::string kName = std::string(200, 'd');

 private:
  static void remove_below(int fd, int levels) {
    if (fd < 0) return;
    if (levels == 0) {
      ::unlinkat(fd, "pack/manifest.json", 0);
      ::unlinkat(fd, "pack", AT_REMOVEDIR);
    } else {
      remove_below(::openat(fd, kName.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC), levels - 1);
      ::unlinkat(fd, kName.c_str(), AT_REMOVEDIR);
    }
    ::close(fd);
  }
  std::string root_;
  int levels_;
};

TEST(DiscoverPacks, APlaceDeeperThanAPathCanNameIsSaidSoNotCalledChanged) {
  ScopedTempDir tmp("mplp-deep");
  ASSERT_EQ(tmp.error(), "");
  const int levels = PATH_MAX / 201 + 2;
  DeepChain chain(tmp.path(), levels);
  PackLocations found;
  std::string error;
  ASSERT_TRUE(discover_packs(tmp.path(), DiscoverOptions{}, found, error)) << error;
  ASSERT_EQ(found.size(), 1u);
  const PackLocation deep = found.front().unpack();
  EXPECT_EQ(deep.open_error.find("changed"), std::string::npos) << deep.open_error;
  EXPECT_NE(deep.open_error.find("longer than the " + std::to_string(PATH_MAX) + " bytes"), std::string::npos)
      << deep.open_error;
}

}  // namespace
}  // namespace mplp

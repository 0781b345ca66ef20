// PackedLocation (engine/discover.h): a location packed into one string
// unpacks to every field it had, empty ones and odd bytes included, and
// sorts by the views it gives.
#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace mplp

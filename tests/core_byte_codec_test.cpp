// ByteWriter and ByteReader (core/byte_codec.h): what is written reads back
// in order, at every size a number or a text can have, and damaged bytes
// throw instead of reading past the end.
#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/byte_codec.h"

namespace mplp {
namespace {

TEST(ByteCodec, NumbersTextsAndFlagsReadBackInOrder) {
  const std::vector<std::uint64_t> numbers = {0, 1, 127, 128, 16383, 16384, 1ull << 32,
                                              std::numeric_limits<std::uint64_t>::max()};
  const std::vector<std::string> texts = {"", "a", std::string("nul\0inside", 10), std::string(200, 'x'),
                                          std::string(70000, 'y')};
  std::string bytes;
  ByteWriter w(bytes);
  for (std::uint64_t n : numbers) w.number(n);
  for (const std::string& t : texts) w.text(t);
  w.flag(true);
  w.flag(false);
  w.raw("end");
  ByteReader r(bytes);
  for (std::uint64_t n : numbers) EXPECT_EQ(r.number(), n);
  for (const std::string& t : texts) EXPECT_EQ(r.text(), t);
  EXPECT_TRUE(r.flag());
  EXPECT_FALSE(r.flag());
  EXPECT_FALSE(r.done());
  EXPECT_EQ(r.raw(3), "end");
  EXPECT_TRUE(r.done());
}

TEST(ByteCodec, SmallNumbersTakeOneByte) {
  std::string bytes;
  ByteWriter w(bytes);
  w.number(127);
  EXPECT_EQ(bytes.size(), 1u);
  w.number(128);
  EXPECT_EQ(bytes.size(), 3u);
}

TEST(ByteCodec, DamagedBytesThrow) {
  std::string bytes;
  ByteWriter w(bytes);
  w.text("hello");
  w.number(300);
  // Cut at every position: each read either succeeds on what is whole or throws.
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    ByteReader r(std::string_view(bytes).substr(0, cut));
    EXPECT_THROW(
        {
          r.text();
          r.number();
        },
        std::logic_error)
        << "cut at " << cut;
  }
  // A number longer than 64 bits.
  const std::string too_long = std::string(11, '\xff') + '\x01';
  ByteReader endless(too_long);
  EXPECT_THROW(endless.number(), std::logic_error);
  // A length past the end.
  std::string lying;
  ByteWriter(lying).number(1000);
  lying += "short";
  ByteReader r(lying);
  EXPECT_THROW(r.text(), std::logic_error);
}

}  // namespace
}  // namespace mplp

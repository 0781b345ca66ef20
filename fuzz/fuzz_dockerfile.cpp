// Fuzzes the Dockerfile reader of HOST-ALLOW-01 (core/dockerfile.h), which
// finds every image a build would pull. Invariants: each image is on a real
// line, carries a known source, and is either resolved (a non-empty image,
// no reason) or unresolved (a reason, no image); images come sorted and
// unique, at most kMaxDockerfileImages of them (truncated says when more were
// there), none longer than the expansion cap; the result is the same when the
// input is read again. And no crash, hang or unbounded memory on any input
// (libFuzzer's -timeout and -rss_limit_mb).
#include <set>
#include <tuple>

#include "core/dockerfile.h"
#include "fuzz_util.h"

using mplp::fuzz::as_text;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in = as_text(data, size);
  mplp::DockerfileImages r = mplp::dockerfile_images(in);
  std::uint64_t lines = 1;
  for (char c : in) lines += c == '\n' ? 1 : 0;
  static const std::set<std::string> kSources = {
      "FROM",          "COPY --from", "ADD --from",          "RUN --mount from", "ONBUILD COPY --from",
      "ONBUILD ADD --from", "ONBUILD RUN --mount from", "heredoc", "# syntax", "// syntax", "JSON syntax"};
  FUZZ_CHECK(r.images.size() <= mplp::kMaxDockerfileImages, std::to_string(r.images.size()));
  for (std::size_t i = 0; i < r.images.size(); ++i) {
    const mplp::DockerfileImage& d = r.images[i];
    std::string what = std::to_string(d.line) + " " + d.source + " " + d.written;
    FUZZ_CHECK(d.line >= 1 && d.line <= lines, what);
    FUZZ_CHECK(kSources.count(d.source) == 1, what);
    FUZZ_CHECK(d.unresolved.empty() != d.image.empty(), what);
    FUZZ_CHECK(d.image.size() <= 64 * 1024 + 1, what);
    if (i > 0) {
      const mplp::DockerfileImage& p = r.images[i - 1];
      FUZZ_CHECK(std::tie(p.line, p.source, p.written, p.image, p.unresolved) <
                     std::tie(d.line, d.source, d.written, d.image, d.unresolved),
                 "not sorted or not unique at " + what);
    }
  }
  mplp::DockerfileImages again = mplp::dockerfile_images(in);
  FUZZ_CHECK(again.images.size() == r.images.size() && again.truncated == r.truncated, "not deterministic");
  return 0;
}

// Every image a container build of a Dockerfile or Containerfile would pull,
// for GATE-V2-HOST-ALLOW-01's registry check of runner definitions.
//
// A registry allow-list is only as good as its reading of the file, so the
// file is read the way the builders read it (BuildKit for `docker build`,
// buildah for `podman build`), not line by line:
//  - parser directives at the top only (`# escape=`` ` changes the
//    continuation and escape character; `# syntax=IMAGE`, also as
//    `// syntax=` or a JSON document's "syntax", makes BuildKit pull and run
//    IMAGE as the frontend, so it is an image reference too);
//  - continuation lines with the escape character, joined without a space,
//    skipping comment and blank lines inside them; leading Unicode spaces;
//  - the two parsers disagree on directives (imagebuilder, podman's, reads
//    only `# escape=` lines, takes the first byte of the value, and stops at
//    the first other line; BuildKit reads every directive and skips only
//    RE2 spaces after '#') and on a doubled escape at a line's end (only
//    imagebuilder continues): the file is read as each reads it, and the
//    images of every reading are reported;
//  - heredocs (`RUN <<EOF ... EOF`): read both as BuildKit reads them and as
//    builders without heredoc support do (their body lines are then
//    instructions), and the images of both readings are reported;
//  - `ARG` before the first FROM: defaults substituted into FROM lines
//    ($NAME, ${NAME}, ${NAME:-x}, ...), quotes removed;
//  - `FROM [--platform=...] IMAGE [AS name]`; `scratch` and earlier stage
//    names are not images; `COPY --from=`, `ADD --from=`, `RUN
//    --mount=...,from=` name a stage (by name or, for COPY, index) or an
//    image; the same inside `ONBUILD` (pulled by builds FROM this image).
// Whatever the file does not fix (an ARG without a default or declared
// again without one, which older builders empty and newer ones keep, a variable in
// --from, a heredoc delimiter the gate does not read) is returned
// unresolved, never skipped.
//
//   for (const DockerfileImage& i : dockerfile_images(bytes).images) {
//     if (!i.unresolved.empty()) ...   // a finding: the registry is unknown
//     else check_registry(i.image);    // e.g. "ghcr.io/acme/tool:1"
//   }
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace mplp {

struct DockerfileImage {
  std::uint64_t line = 0;  // 1-based line of the instruction or directive
  std::string source;      // "FROM", "COPY --from", "RUN --mount from", "ONBUILD COPY --from", "# syntax", ...
  std::string written;     // the reference as written (raw bytes)
  std::string image;       // quotes removed, variables substituted; "" when unresolved
  std::string unresolved;  // non-empty: why the image cannot be known from the file
  bool transport = false;  // named through a transport ("oci-archive:/x"): read from the host, not pulled
};

// A build step that reaches the build host past the container's walls: a
// `RUN --mount` (podman 4.3's buildah resolves a cache id or a bind source
// from another stage on the host: CVE-2024-9675, CVE-2024-1753), any other
// RUN option but `--network=none` (network, security, devices), or an `ADD`
// of a URL or git repository (the builder fetches it on the host's network,
// whatever `--network=none` says of RUN steps), or an image reference with a
// transport (`FROM oci-archive:/path`, `COPY --from=dir:/path`: buildah reads
// it from the host's files).
struct DockerfileHostReach {
  std::uint64_t line = 0;
  std::string step;  // "RUN --mount=type=cache,...", "ADD http://...", "COPY --from oci-archive:/x.tar"
  bool operator<(const DockerfileHostReach& o) const { return std::tie(line, step) < std::tie(o.line, o.step); }
  bool operator==(const DockerfileHostReach& o) const { return line == o.line && step == o.step; }
};

struct DockerfileImages {
  std::vector<DockerfileImage> images;  // by line, each once
  bool truncated = false;               // more than kMaxDockerfileImages; the rest not read
  std::vector<DockerfileHostReach> host_reach;  // by line, each once (in any reading of the file)
};

inline constexpr std::size_t kMaxDockerfileImages = 10000;

DockerfileImages dockerfile_images(std::string_view text);

}  // namespace mplp

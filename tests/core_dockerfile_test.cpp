// Unit tests of core/dockerfile and core/dockerfile_words: the images a
// build would pull, read as BuildKit and buildah read the file.
#include "core/dockerfile.h"

#include <gtest/gtest.h>

#include "core/dockerfile_words.h"

namespace mplp {
namespace {

using namespace std::string_literals;

// "line source image" (or "line source !written" when unresolved), in order.
std::vector<std::string> images(std::string_view text) {
  std::vector<std::string> out;
  for (const DockerfileImage& i : dockerfile_images(text).images)
    out.push_back(std::to_string(i.line) + " " + i.source + " " + (i.unresolved.empty() ? i.image : "!" + i.written));
  return out;
}
using V = std::vector<std::string>;

TEST(Dockerfile, FromStagesAndScratch) {
  EXPECT_EQ(images("FROM node:20 AS build\nFROM build\nFROM scratch\nFROM BUILD\nfrom --platform=linux/amd64 "
                   "python:3.11 as py\n"),
            (V{"1 FROM node:20", "5 FROM python:3.11"}));
  // A stage name counts from the next FROM on: "FROM node AS node" pulls node.
  EXPECT_EQ(images("FROM node AS node\nFROM node\n"), (V{"1 FROM node"}));
  // A name used before its stage is defined is an image.
  EXPECT_EQ(images("FROM later\nFROM alpine AS later\n"), (V{"1 FROM later", "2 FROM alpine"}));
  // A stage name BuildKit refuses never hides an image of the same spelling.
  EXPECT_EQ(images("FROM a AS evil.io/x\nFROM evil.io/x\n"), (V{"1 FROM a", "2 FROM evil.io/x"}));
  EXPECT_EQ(images("FROM\n\n   \n"), V{});
}

TEST(Dockerfile, EscapeDirectiveAndContinuations) {
  EXPECT_EQ(images("# escape=`\nFROM `\nevil.io/x\n"), (V{"2 FROM evil.io/x"}));
  // Joined without a space; comment and blank lines inside are skipped.
  EXPECT_EQ(images("FROM ev\\\n# note\n\n    \nil.io/y\n"), (V{"1 FROM evil.io/y"}));
  // The directive only counts at the top: after a comment it is a comment,
  // so the backslash still continues.
  EXPECT_EQ(images("# hello\n# escape=`\nFROM a\\\nb\n"), (V{"3 FROM ab"}));
  // Directive names in any case, blanks around '=', leading blanks on the line.
  EXPECT_EQ(images("  #  ESCAPE = `\nFROM a`\nb\n"), (V{"2 FROM ab"}));
  // An escaped escape does not continue for BuildKit, and does for podman's
  // parser (imagebuilder): both readings count. CRLF line ends are fine.
  EXPECT_EQ(images("FROM a\\\\\r\nFROM b\r\n"), (V{"1 FROM aFROM", "1 FROM a\\", "2 FROM b"}));
  // A continuation at the end of the file ends the instruction.
  EXPECT_EQ(images("FROM a \\"), (V{"1 FROM a"}));
  // A byte order mark and leading Unicode spaces (U+00A0, U+3000) are skipped.
  EXPECT_EQ(images("\xEF\xBB\xBF\xC2\xA0\xE3\x80\x80" "FROM evil.io/z\n"), (V{"1 FROM evil.io/z"}));
}

// The two parsers a runner's file meets disagree on directives and
// continuations; an image either would pull is reported (found by an
// adversarial pass: each of these hid evil.example/x from HOST-ALLOW-01).
TEST(Dockerfile, WhatEitherParserWouldPullIsReported) {
  auto has_evil = [](const std::string& text) {
    for (const std::string& i : images(text))
      if (i.find("evil.example/x") != std::string::npos) return true;
    return false;
  };
  // \v or U+00A0 after '#': neither parser sees a directive, so '\' stays the escape.
  EXPECT_TRUE(has_evil("#\vescape=`\nFROM node:20-slim\nRUN echo `\nFROM evil.example/x\n"));
  EXPECT_TRUE(has_evil("#\xC2\xA0" "escape=`\nFROM node:20-slim\nRUN echo `\nFROM evil.example/x\n"));
  // A doubled escape at the end continues for imagebuilder.
  EXPECT_TRUE(has_evil("FROM node:20-slim\nFROM \\\\\nevil.example/x\n"));
  // imagebuilder takes the first byte after '=' ("`;" is `), BuildKit refuses it.
  EXPECT_TRUE(has_evil("# escape=`;\nFROM node:20-slim\nRUN echo \\\nFROM evil.example/x\n"));
  // imagebuilder stops at the first line that is not an escape directive.
  EXPECT_TRUE(has_evil("# syntax=docker/dockerfile:1\n# escape=`\nFROM node:20-slim\nRUN echo `\nFROM evil.example/x\n"));
  // Both parsers agree on a plain escape directive: the FROM is swallowed.
  EXPECT_FALSE(has_evil("# escape=`\nFROM node:20-slim\nRUN echo `\nFROM evil.example/x\n"));
  // An ARG declared again without a default is not fixed by the file.
  DockerfileImages redeclared = dockerfile_images("ARG REG=docker.io\nARG REG\nFROM ${REG:-evil.example}/library/node:20\n");
  ASSERT_EQ(redeclared.images.size(), 1u);
  EXPECT_NE(redeclared.images[0].unresolved.find("declared again without a default"), std::string::npos)
      << redeclared.images[0].unresolved;
}

TEST(Dockerfile, SyntaxDirectiveNamesTheFrontendImage) {
  EXPECT_EQ(images("# syntax=evil.io/fe:1 --opt\nFROM a\n"), (V{"1 # syntax evil.io/fe:1", "2 FROM a"}));
  EXPECT_EQ(images("#!/usr/bin/env buildctl\n// syntax = evil.io/fe\nFROM a\n"),
            (V{"2 // syntax evil.io/fe", "3 FROM a"}));
  EXPECT_EQ(images("{\"syntax\": \"evil.io/json\"}"), (V{"1 JSON syntax evil.io/json"}));
  // Not at the top, or after another comment: not a directive.
  EXPECT_EQ(images("FROM a\n# syntax=evil.io/fe\n"), (V{"1 FROM a"}));
  EXPECT_EQ(images("# note\n# syntax=evil.io/fe\nFROM a\n"), (V{"3 FROM a"}));
}

TEST(Dockerfile, BuildArgumentsBeforeTheFirstFrom) {
  EXPECT_EQ(images("ARG REG=ghcr.io TAG=1\nARG IMG=\"${REG}/org/x:$TAG\"\nFROM $IMG\nFROM ${REG}/y\n"),
            (V{"3 FROM ghcr.io/org/x:1", "4 FROM ghcr.io/y"}));
  EXPECT_EQ(images("ARG R\nFROM ${R:-docker.io}/x\nFROM $R/y\n"), (V{"2 FROM !${R:-docker.io}/x", "3 FROM !$R/y"}));
  // Undeclared: a plain $X is unresolved; a default is what an unset one gives.
  EXPECT_EQ(images("FROM $NOPE/x\nFROM ${NOPE:-mcr.microsoft.com/a}\nFROM x${NOPE+evil}\n"),
            (V{"1 FROM !$NOPE/x", "2 FROM mcr.microsoft.com/a", "3 FROM x"}));
  // Set by the builder for the platform.
  EXPECT_EQ(images("FROM ${TARGETARCH}/x\n"), (V{"1 FROM !${TARGETARCH}/x"}));
  // Set by mplp-gate's own builds (--build-arg), whatever the default says:
  // read as the default, this FROM named python and the build pulled evil.io.
  EXPECT_EQ(images("ARG SOURCE_DATE_EPOCH=\nFROM ${SOURCE_DATE_EPOCH:+evil.io/}python\n"),
            (V{"2 FROM !${SOURCE_DATE_EPOCH:+evil.io/}python"}));
  EXPECT_EQ(images("ARG SOURCE_DATE_EPOCH=1\nFROM python:${SOURCE_DATE_EPOCH}\n"), (V{"2 FROM !python:${SOURCE_DATE_EPOCH}"}));
  // ARGs inside a stage do not reach later FROM lines.
  EXPECT_EQ(images("FROM a\nARG R=evil.io\nFROM $R/x\n"), (V{"1 FROM a", "3 FROM !$R/x"}));
  // Forms the gate does not evaluate are unresolved.
  EXPECT_EQ(images("ARG R=a\nFROM ${R#a}\nFROM ${R/a/b}\nFROM $1\n"),
            (V{"2 FROM !${R#a}", "3 FROM !${R/a/b}", "4 FROM !$1"}));
}

TEST(Dockerfile, CopyAddAndMountFrom) {
  EXPECT_EQ(images("FROM a AS base\nCOPY --from=base /x /y\nCOPY --from=BASE /x /y\nCOPY --from=0 /x /y\n"
                   "COPY --chown=1 --from=evil.io/t /x /y\nADD --from=evil.io/u /x /y\n"),
            (V{"1 FROM a", "5 COPY --from evil.io/t", "6 ADD --from evil.io/u"}));
  EXPECT_EQ(images("FROM a AS b\nRUN --mount=type=bind,from=b,target=/m --mount=type=cache,FROM=evil.io/c,target=/c "
                   "true\nRUN --mount=\"type=bind,from=evil.io/q\" x\n"),
            (V{"1 FROM a", "2 RUN --mount from evil.io/c", "3 RUN --mount from evil.io/q"}));
  // Quotes and escapes inside a flag are removed as BuildKit removes them.
  EXPECT_EQ(images("FROM a\nCOPY --from=\"evil.io/\"x /a /b\nCOPY --from=ev\\il.io/y /a /b\n"),
            (V{"1 FROM a", "2 COPY --from evil.io/x", "3 COPY --from evil.io/y"}));
  EXPECT_EQ(images("FROM a\nCOPY --from=$X /a /b\n"), (V{"1 FROM a", "2 COPY --from !$X"}));
  // Flag names in any case (BuildKit fails on them; other builders may not).
  EXPECT_EQ(images("FROM a\nCOPY --FROM=evil.io/u /x /y\nRUN --Mount=from=evil.io/v true\n"),
            (V{"1 FROM a", "2 COPY --from evil.io/u", "3 RUN --mount from evil.io/v"}));
  // "--" ends the flags.
  EXPECT_EQ(images("FROM a\nCOPY -- --from=evil.io/x /b\n"), (V{"1 FROM a"}));
}

// Steps that reach the build host, each "LINE STEP", in every reading.
V host_reach(std::string_view text) {
  V out;
  for (const DockerfileHostReach& r : dockerfile_images(text).host_reach) out.push_back(std::to_string(r.line) + " " + r.step);
  return out;
}

TEST(Dockerfile, StepsThatReachTheBuildHost) {
  // QA-32: a cache id or a bind source that buildah 4.3 resolves on the host.
  EXPECT_EQ(host_reach("FROM a\nRUN --mount=type=cache,id=../../../../tmp/x,target=/c true\n"),
            (V{"2 RUN --mount=type=cache,id=../../../../tmp/x,target=/c"}));
  EXPECT_EQ(host_reach("FROM a\nRUN --network=host --security=insecure true\nRUN --Mount=type=tmpfs,target=/t x\n"),
            (V{"2 RUN --network=host", "2 RUN --security=insecure", "3 RUN --Mount=type=tmpfs,target=/t"}));
  // ADD fetches URLs and git repositories on the host's network.
  EXPECT_EQ(host_reach("FROM a\nADD http://127.0.0.1:8765/secret /s\nADD [\"https://x.io/a\", \"/b\"]\n"
                       "ADD git@github.com:o/r.git /r\nADD --chown=1 local.tgz /opt/\n"),
            (V{"2 ADD http://127.0.0.1:8765/secret /s", "3 ADD [\"https://x.io/a\", \"/b\"]",
               "4 ADD git@github.com:o/r.git /r"}));
  // QA-35: whatever a quote, escape or variable may turn into a URL, and git
  // addresses in any form: only plain local paths pass.
  for (const char* add : {"ADD [\"https:\\/\\/evil.example/x\", \"/x\"]", "ADD [\"\\u0067it@evil.example:r.git\", \"/x\"]",
                          "ADD https:/\\/evil.example/x /x", "ADD $U /x", "ADD 'git@evil.example:r.git' /x",
                          "ADD g\\it@evil.example:r /x", "ADD root@evil.example:r.git /x", "ADD evil.example/r.git /x",
                          "ADD <<EOF /x", "ADD a.tgz b.GIT /x/"})
    EXPECT_EQ(host_reach(std::string("FROM a\n") + add + "\n").size(), 1u) << add;
  EXPECT_EQ(host_reach("FROM a\nADD node-linux-x64.tgz /opt/node/\nADD [\"a b.tgz\", \"/o\"]\nADD x_1/y-2.tar.gz z/ /d\n"),
            (V{"3 ADD [\"a b.tgz\", \"/o\"]"}));
  // Continuations, ONBUILD and heredoc bodies read as instructions by podman.
  EXPECT_EQ(host_reach("FROM a\nRUN \\\n --mount=type=bind,source=/,target=/h true\nONBUILD RUN --mount=type=ssh x\n"
                       "RUN <<EOF\nADD https://evil.io/p /p\nEOF\n"),
            (V{"2 RUN --mount=type=bind,source=/,target=/h", "4 ONBUILD RUN --mount=type=ssh", "6 ADD https://evil.io/p /p"}));
  // What stays inside the build: none.
  EXPECT_EQ(host_reach("FROM a\nRUN --network=none true\nRUN echo --mount=x\nCOPY --from=a /x /y\nADD f.tgz /o/\n"
                       "COPY http://x /y\n"),
            V{});
}

// QA-40: a containers-image transport makes buildah read an image from the
// build host's files (`COPY --from=oci-archive:/host.tar` put a host file in
// the image), wherever an image is named, and after ARG substitution.
TEST(Dockerfile, ImageTransportsReachTheBuildHost) {
  EXPECT_EQ(host_reach("FROM a\nCOPY --from=oci-archive:/tmp/s.tar /secret /s\n"),
            (V{"2 COPY --from oci-archive:/tmp/s.tar"}));
  for (const char* step :
       {"FROM oci-archive:/tmp/img.tar", "FROM dir:/var/lib/x", "FROM docker-archive:img.tar", "FROM oci:layout:tag",
        "FROM containers-storage:localhost/x", "FROM docker://evil.io/x", "FROM docker-daemon:x:1", "FROM OCI-Archive:x",
        "FROM tarball:/t.tar", "FROM sif:/x.sif", "FROM ostree:x@/repo", "FROM atomic:host/ns/img:tag",
        "FROM a\nONBUILD COPY --from=oci-archive:/x.tar / /", "ARG B=oci-archive:/host.tar\nFROM $B",
        "FROM a\nADD --from=dir:/root /x /y"})
    EXPECT_EQ(host_reach(step).size(), 1u) << step;
  // A RUN --mount is refused as a RUN option already; its transport too.
  EXPECT_EQ(host_reach("FROM a\nRUN --mount=from=dir:/etc,target=/e true\n"),
            (V{"2 RUN --mount from dir:/etc", "2 RUN --mount=from=dir:/etc,target=/e"}));
  // Image names that only look alike: Docker Hub's "docker" image, a
  // registry with a port, a tag.
  EXPECT_EQ(host_reach("FROM docker:24-dind\nFROM localhost:5000/oci:1\nFROM ghcr.io/dir/x:oci\n"
                       "COPY --from=docker:cli /usr/local/bin/docker /d\n"),
            V{});
}

TEST(Dockerfile, OnbuildNamesImagesOfLaterBuilds) {
  EXPECT_EQ(images("FROM a AS b\nONBUILD COPY --from=b /x /y\nONBUILD RUN --mount=from=evil.io/m true\n"),
            (V{"1 FROM a", "2 ONBUILD COPY --from b", "3 ONBUILD RUN --mount from evil.io/m"}));
}

TEST(Dockerfile, HeredocsAreReadBothWays) {
  // BuildKit reads the body as data; podman 4 reads it as instructions.
  EXPECT_EQ(images("FROM a\nRUN <<EOF\nFROM evil.io/x\nEOF\nFROM b\n"),
            (V{"1 FROM a", "3 FROM evil.io/x", "5 FROM b"}));
  // With heredocs, a body line ending in "\" does not swallow what follows.
  EXPECT_EQ(images("FROM a\nRUN <<EOF\necho \\\nEOF\nFROM evil.io/y\n"), (V{"1 FROM a", "5 FROM evil.io/y"}));
  EXPECT_EQ(images("FROM a\nCOPY <<-'END' <<\"TWO\" /d\n\tx\n\tEND\ny\nTWO\nFROM b\n"), (V{"1 FROM a", "7 FROM b"}));
  // A delimiter the gate does not read is unresolved.
  EXPECT_EQ(images("FROM a\nRUN <<$X\nbody\n$X\n"), (V{"1 FROM a", "2 heredoc !$X"}));
  // Not heredocs: JSON form, here-strings, quoted.
  EXPECT_EQ(images("FROM a\nRUN [\"sh\", \"-c\", \"cat <<EOF\"]\nRUN cat <<< x\nRUN echo \"<<EOF\"\nFROM b\n"),
            (V{"1 FROM a", "5 FROM b"}));
}

TEST(Dockerfile, BoundedOnHostileInput) {
  // Each ARG doubles the last: values are capped, never exponential.
  std::string text = "ARG A0=xxxxxxxx\n";
  for (int i = 1; i < 64; ++i)
    text += "ARG A" + std::to_string(i) + "=$A" + std::to_string(i - 1) + "$A" + std::to_string(i - 1) + "\n";
  text += "FROM $A63\n";
  auto r = dockerfile_images(text);
  ASSERT_EQ(r.images.size(), 1u);
  EXPECT_NE(r.images[0].unresolved.find("64 KiB"), std::string::npos) << r.images[0].unresolved;
  // Many ARGs each copying a large one: past the budget for all values
  // nothing more is expanded or kept (40,000 such lines took 2.5 GB).
  std::string copies = "ARG A=" + std::string(65000, 'x') + "\n";
  for (int i = 0; i < 20000; ++i) copies += "ARG B" + std::to_string(i) + "=$A\n";
  copies += "FROM $B0\nFROM $B19999\n";
  auto c = dockerfile_images(copies);
  ASSERT_EQ(c.images.size(), 2u);
  EXPECT_TRUE(c.images[0].unresolved.empty());
  EXPECT_EQ(c.images[1].unresolved, "$B19999: ARG values too large");
  // A chain of ARGs each naming the last, from one without a default: the
  // reasons count against the budget too (each one name longer than the
  // last: 20,000 lines took 2.5 GB and a minute).
  std::string chain = "ARG A0\n";
  for (int i = 1; i < 40000; ++i) chain += "ARG A" + std::to_string(i) + "=$A" + std::to_string(i - 1) + "\n";
  chain += "FROM $A3\nFROM $A39999\n";
  auto ch = dockerfile_images(chain);
  ASSERT_EQ(ch.images.size(), 2u);
  EXPECT_EQ(ch.images[0].unresolved, "$A3: $A2: $A1: $A0: ARG A0 has no default");
  EXPECT_EQ(ch.images[1].unresolved, "$A39999: ARG values too large");
  // Deep nesting is refused, not a stack overflow.
  std::string deep = "FROM ";
  for (int i = 0; i < 100000; ++i) deep += "${A:-";
  EXPECT_FALSE(dockerfile_images(deep).images.at(0).unresolved.empty());
  // Too many images: the first ones and a flag.
  std::string many;
  for (std::size_t i = 0; i < kMaxDockerfileImages + 10; ++i) many += "FROM x" + std::to_string(i) + "\n";
  auto m = dockerfile_images(many);
  EXPECT_TRUE(m.truncated);
  EXPECT_EQ(m.images.size(), kMaxDockerfileImages);
}

TEST(DockerfileWords, FlagsWordsAndExpansion) {
  auto f = dockerfile::extract_flags("--from=\"a b\" --link  rest of\xA0line", '\\');
  EXPECT_EQ(f.flags, (std::vector<std::string>{"--from=a b", "--link"}));
  EXPECT_EQ(f.rest, "rest of\xA0line");
  // Byte 0xA0 splits flags (BuildKit tests bytes as runes there).
  EXPECT_EQ(dockerfile::extract_flags("--from=a\xA0--x=b c", '\\').flags,
            (std::vector<std::string>{"--from=a", "--x=b"}));
  EXPECT_EQ(dockerfile::parse_words("A=\"x y\" B='z' C=\\ d", '\\'), (std::vector<std::string>{"A=\"x y\"", "B='z'",
                                                                                                 "C=\\ d"}));
  dockerfile::Scope s{{"K", {true, "v", ""}}, {"E", {true, "", ""}}, {"U", {false, "", "unknown"}}};
  auto x = [&](const char* w) {
    dockerfile::Word r = dockerfile::expand_word(w, '\\', s);
    return r.unresolved.empty() ? r.value : "!" + r.unresolved;
  };
  EXPECT_EQ(x("a$K-${K}'$K'\"$K\"\\$K"), "av-v$Kv$K");
  EXPECT_EQ(x("${E:-d}${E-d}${K:+p}${E:+p}${E+p}"), "dpp");
  EXPECT_EQ(x("$U"), "!$U: unknown");
  EXPECT_EQ(x("${U:-x}"), "!$U: unknown");
  EXPECT_EQ(x("${E:?must}"), "!${E} is unset or empty, which fails the build");
  EXPECT_EQ(x("'open"), "!no closing single quote");
  EXPECT_EQ(x("${K"), "!no closing '}'");
  EXPECT_EQ(x("$"), "$");
  EXPECT_EQ(x("a$/b"), "a$/b");
  EXPECT_EQ(dockerfile::raw_shell_words("RUN cat << EOF 2<<-'X' \"a b\""),
            (std::vector<std::string>{"RUN", "cat", "<< EOF", "2<<-'X'", "\"a b\""}));
  EXPECT_EQ(dockerfile::trim_space("\xE2\x80\x83 x \xC2\xA0"), "x");
}

}  // namespace
}  // namespace mplp

// `meson install` puts the binary, the man page, the schemas, the default
// policy and the bash completion where they belong; the installed binary runs.
#include <gtest/gtest.h>

#include <cstdlib>

#include "report_cases.h"
#include "test_util.h"

namespace mplp::test {
namespace {

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "";
}

TEST(Install, IntoATempDestdirAndRunTheInstalledBinary) {
  std::string build = env("MPLP_BUILD_ROOT"), prefix = env("MPLP_INSTALL_PREFIX");
  ASSERT_FALSE(build.empty());
  ASSERT_FALSE(prefix.empty());
  TempDir dest;
  std::string out;
  int rc = run_shell("meson install -C " + shell_quote(build) + " --no-rebuild --quiet --destdir " +
                         shell_quote(dest.path()),
                     out);
  ASSERT_EQ(rc, 0) << out;
  std::string root = dest.path() + prefix;
  std::string bin = root + "/bin/mplp-gate";
  for (const std::string& f :
       {bin, root + "/share/man/man1/mplp-gate.1", root + "/share/bash-completion/completions/mplp-gate",
        root + "/share/mplp-gate/policy/default.yaml", root + "/share/mplp-gate/schemas/gate-report.schema.json",
        root + "/share/mplp-gate/schemas/manifest.v2.schema.json"})
    EXPECT_EQ(run_shell("test -s " + shell_quote(f), out), 0) << "not installed: " << f;

  // The installed binary works on its own.
  EXPECT_EQ(run_shell(shell_quote(bin) + " --version", out), 0) << out;
  EXPECT_EQ(out.rfind("mplp-gate 0.", 0), 0u) << out;
  EXPECT_EQ(run_shell(shell_quote(bin) + " check -q " + shell_quote(fixture("packs/good-real")), out), 0) << out;
  EXPECT_EQ(out, "");
  EXPECT_EQ(run_shell(shell_quote(bin) + " check --format sarif " + shell_quote(fixture("report/fail-mixed")), out),
            1);
  EXPECT_NE(out.find("\"version\": \"2.1.0\""), std::string::npos);

  // The man page is roff made by scdoc, and names every format.
  std::string man = read_file(root + "/share/man/man1/mplp-gate.1");
  EXPECT_NE(man.find(".TH \"mplp-gate\" \"1\""), std::string::npos) << man.substr(0, 300);
  for (const char* word : {"sarif", "junit", "github", "html", "GITHUB_STEP_SUMMARY", "NO_COLOR", "EXIT STATUS",
                           "verify-receipt", "RECEIPTS", "diff"})
    EXPECT_NE(man.find(word), std::string::npos) << word;

  // The completion script loads and completes.
  std::string complete = "source " + shell_quote(root + "/share/bash-completion/completions/mplp-gate") +
                         "; COMP_WORDS=(mplp-gate check --format ''); COMP_CWORD=3; _mplp_gate; "
                         "echo \"${COMPREPLY[*]}\"; COMP_WORDS=(mplp-gate ex); COMP_CWORD=1; _mplp_gate; "
                         "echo \"${COMPREPLY[*]}\"; COMP_WORDS=(mplp-gate run --engine ''); COMP_CWORD=3; _mplp_gate; "
                         "echo \"run: ${COMPREPLY[*]}\"; COMP_WORDS=(mplp-gate check --eng); COMP_CWORD=2; _mplp_gate; "
                         "echo \"check: ${COMPREPLY[*]}\"; COMP_WORDS=(mplp-gate verify-receipt r --); COMP_CWORD=3; _mplp_gate; "
                         "echo \"${COMPREPLY[*]}\"";
  ASSERT_EQ(run_shell("bash -c " + shell_quote(complete), out), 0) << out;
  EXPECT_NE(out.find("github html json junit sarif text"), std::string::npos) << out;
  EXPECT_NE(out.find("explain"), std::string::npos) << out;
  EXPECT_NE(out.find("run: auto podman docker\n"), std::string::npos) << out;
  EXPECT_NE(out.find("check: --engine\n"), std::string::npos) << out;
  EXPECT_NE(out.find("--trusted-key --root --require-passed"), std::string::npos) << out;
}

}  // namespace
}  // namespace mplp::test

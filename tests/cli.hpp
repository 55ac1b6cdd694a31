#pragma once
// Running the orgsim binary as a user would, for the command-line and fault tests: one helper
// instead of a copy per test file. ORGSIM_BINARY is the built binary's path (tests/CMakeLists).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "helpers.hpp"

namespace orgsim::test {

/// What a run of the binary gave: its exit status (128 + the signal's number when a signal
/// ended it, -1 when the shell could not run it), stdout and stderr.
struct CliResult {
  int code = -1;
  std::string out, err;
  bool has(const std::string& s) const {
    return out.find(s) != std::string::npos || err.find(s) != std::string::npos;
  }
};

/// The whole content of a file ("" when it cannot be read).
inline std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Runs `<prefix> ORGSIM_BINARY <args>` through the shell (`prefix`: environment settings or a
/// wrapper such as "timeout 30"), capturing stdout and stderr. ctest runs test cases in parallel
/// processes: every call gets capture files of its own.
inline CliResult run_cli(const std::string& args, const std::string& prefix = "") {
  static int calls = 0;
  const std::string tag = std::to_string(getpid()) + "-" + std::to_string(++calls);
  const std::string out = tmp_path("cli-" + tag + ".out");
  const std::string err = tmp_path("cli-" + tag + ".err");
  const std::string cmd = prefix + " " + ORGSIM_BINARY + " " + args + " >" + out + " 2>" + err;
  const int status = std::system(cmd.c_str());
  CliResult r;
  if (status != -1 && WIFEXITED(status)) r.code = WEXITSTATUS(status);
  if (status != -1 && WIFSIGNALED(status)) r.code = 128 + WTERMSIG(status);
  r.out = slurp(out);
  r.err = slurp(err);
  std::remove(out.c_str());
  std::remove(err.c_str());
  return r;
}

/// Writes `text` to the test folder under `name`; its path.
inline std::string write_file(const std::string& name, const std::string& text) {
  const std::string p = tmp_path(name);
  std::ofstream(p) << text;
  return p;
}

}  // namespace orgsim::test

// run_pilot (engine/pilot.hpp): the child process runs the simulation and reports each milestone
// on a pipe; the parent reads until the budget is spent or the run ends, then kills the child.
#include "engine/pilot.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "engine/simulation.hpp"

namespace orgsim {

Pilot run_pilot(const ModelConfig& cfg, std::uint64_t seed, const Network* edges,
                double budget_seconds) {
  std::cout.flush();
  std::cerr.flush();
  int fd[2];
  if (pipe(fd) != 0) throw RunError("orgsim check: cannot start the pilot run (pipe)");
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid < 0) throw RunError("orgsim check: cannot start the pilot run (fork)");
  if (pid == 0) {  // the child: one line per milestone, "setup T", "step K T", "error TEXT"
    close(fd[0]);
    auto say = [&](const std::string& line) {
      const std::string l = line + "\n";
      if (write(fd[1], l.data(), l.size()) < 0) _exit(1);
    };
    auto since = [&] {
      return std::to_string(
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    };
    try {
      Simulation sim(cfg, seed, edges);
      say("setup " + since());
      for (std::int64_t k = 1; k <= cfg.steps; ++k) {
        sim.step();
        say("step " + std::to_string(k) + " " + since());
      }
    } catch (const InputError& e) {
      // An input error stays one (exit 2): its parts travel separated by a unit separator.
      std::string parts;
      for (const std::string* f : {&e.file(), &e.where(), &e.expected(), &e.found(), &e.hint()}) {
        std::string v = *f;
        std::replace(v.begin(), v.end(), '\n', ' ');
        std::replace(v.begin(), v.end(), '\x1f', ' ');
        parts += "\x1f" + v;
      }
      say("input" + parts);
    } catch (const std::exception& e) {
      std::string what = e.what();
      std::replace(what.begin(), what.end(), '\n', ' ');
      say("error " + what);
    }
    _exit(0);
  }
  close(fd[1]);
  Pilot p;
  std::string pending, error;
  std::vector<std::string> input;  // an input error's file, where, expected, found, hint
  const auto deadline = t0 + std::chrono::duration<double>(budget_seconds);
  for (;;) {
    const double left =
        std::chrono::duration<double>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) break;
    pollfd pfd{fd[0], POLLIN, 0};
    const int ready = poll(&pfd, 1, static_cast<int>(std::ceil(left * 1000.0)));
    if (ready <= 0) break;  // the budget is spent
    char buf[4096];
    const ssize_t got = read(fd[0], buf, sizeof buf);
    if (got <= 0) break;  // the run finished (or died)
    pending.append(buf, static_cast<std::size_t>(got));
    for (auto nl = pending.find('\n'); nl != std::string::npos; nl = pending.find('\n')) {
      std::istringstream line(pending.substr(0, nl));
      pending.erase(0, nl + 1);
      std::string what;
      line >> what;
      if (what == "setup") {
        line >> p.setup_seconds;
        p.seconds = p.setup_seconds;
        p.setup_done = true;
      } else if (what == "step") {
        line >> p.steps_done >> p.seconds;
      } else if (what == "error") {
        std::getline(line, error);
      } else if (what.rfind("input", 0) == 0) {
        std::string rest = what.substr(5), more;
        std::getline(line, more);
        rest += more;  // ">>" stopped at the first space
        input.clear();
        std::size_t at = 0;
        while (at < rest.size() && rest[at] == '\x1f') {
          const std::size_t next = rest.find('\x1f', at + 1);
          input.push_back(rest.substr(at + 1, next == std::string::npos ? std::string::npos
                                                                        : next - at - 1));
          at = next == std::string::npos ? rest.size() : next;
        }
      }
    }
  }
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  close(fd[0]);
  if (input.size() == 5) throw InputError(input[0], input[1], input[2], input[3], input[4]);
  if (!error.empty()) throw RunError("the pilot run of `orgsim check` failed:" + error);
  return p;
}

}  // namespace orgsim

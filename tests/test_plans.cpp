// Honest plans (issue 9): `orgsim check` bounds every count, refuses plans that cannot fit in
// memory (naming the parameters), warns about time over an hour and output over the free disk
// space, and its pilot run has a time budget. Each case reproduces an input of the audit.
#include <catch2/catch.hpp>

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "cli.hpp"
#include "helpers.hpp"

namespace {
using Result = orgsim::test::CliResult;
Result run_orgsim(const std::string& args) { return orgsim::test::run_cli(args); }
using orgsim::test::write_file;
/// A sweep over an inline scenario of `scenario_body` (JSON members) with `rest` (members).
std::string sweep(const std::string& name, const std::string& scenario_body,
                  const std::string& design, const std::string& rest) {
  // The body's keys replace the defaults here (a key written twice would be an input error).
  nlohmann::json scenario = {{"population", {{"size", 20}}}, {"steps", 5}};
  scenario.merge_patch(nlohmann::json::parse("{" + scenario_body + "}"));
  return write_file(name, R"({"scenario": )" + scenario.dump() + R"(, "design": )" + design +
                         (rest.empty() ? "" : ", ") + rest + "}");
}
const std::string kGrid = R"({"type": "grid", "parameters": {"campaign.hours_per_step": [5, 10]}})";
// Nothing may print an overflowed count.
void no_overflow(const Result& r) {
  CHECK_FALSE(r.has("-2 runs"));
  CHECK_FALSE(r.has("4294967294"));
}
}  // namespace

TEST_CASE("check: replicates 2^63-1 in a sweep is an input error naming replicates", "[cli][plans]") {
  const auto r = run_orgsim("check " + sweep("plans_rep_max.json", "", kGrid,
                                          R"("replicates": 9223372036854775807)"));
  INFO(r.out << r.err);
  CHECK(r.code == 2);
  CHECK(r.err.find("replicates") != std::string::npos);
  CHECK(r.err.find("10000000") != std::string::npos);  // the bound
  CHECK(r.out.find("valid") == std::string::npos);
  no_overflow(r);
}

TEST_CASE("check: 10^12 replicates is refused with the bound, never a negative count",
          "[cli][plans]") {
  const auto r = run_orgsim("check " + sweep("plans_rep_1e12.json", "", kGrid,
                                          R"("replicates": 1000000000000)"));
  INFO(r.out << r.err);
  CHECK(r.code == 2);
  CHECK(r.err.find("replicates") != std::string::npos);
  CHECK(r.err.find("1000000000000") != std::string::npos);
  no_overflow(r);
}

TEST_CASE("check: a plan too big for the disk and for an hour is valid with both warnings",
          "[cli][plans]") {
  // 2 points x 1 arm x 10^7 replicates of 10^5 steps: tens of TiB, far more than an hour.
  const auto r = run_orgsim("check " +
                        sweep("plans_huge.json", R"("steps": 100000, "population": {"size": 200})",
                              kGrid, R"("replicates": 10000000)") +
                        " --threads 2");
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.has("= 20000000 runs of 100000 steps"));
  CHECK(r.has("warning: output: ~"));
  CHECK(r.has("free where"));
  CHECK(r.has("warning: time: "));
  CHECK(r.has("more than an hour"));
  CHECK(r.has("2 thread(s)"));
  no_overflow(r);
}

TEST_CASE("check: a sweep whose population range reaches 2^31-1 is refused, naming the point",
          "[cli][plans]") {
  // The default workplace at 2^31 - 1 agents has more tie entries than the graph's 32-bit
  // offsets hold: the network's own check refuses the point when the sweep loads.
  const auto r = run_orgsim(
      "check " + sweep("plans_pop.json", "",
                       R"({"type": "grid", "parameters": {"population.size": {"min": 100, "max": 2147483647, "num": 2}}})",
                       R"("replicates": 2)"));
  INFO(r.out << r.err);
  CHECK(r.code == 2);
  CHECK(r.err.find("design point 1: population.size = 2147483647") != std::string::npos);
  CHECK(r.err.find("32-bit") != std::string::npos);
  CHECK(r.out.find("valid") == std::string::npos);
  // Without ties (a complete network is never stored), the same range is refused by the
  // memory check, naming the design's key and the size that does not fit.
  const auto m = run_orgsim(
      "check " + sweep("plans_pop_complete.json", R"("network": {"type": "complete"})",
                       R"({"type": "grid", "parameters": {"population.size": {"min": 100, "max": 2147483647, "num": 2}}})",
                       R"("replicates": 2)"));
  INFO(m.out << m.err);
  CHECK(m.code == 2);
  CHECK(m.err.find("design.parameters.population.size") != std::string::npos);
  CHECK(m.err.find("2147483647 agents") != std::string::npos);
  CHECK(m.err.find("fits in memory") != std::string::npos);
  CHECK(m.out.find("valid") == std::string::npos);
}

TEST_CASE("check: the pilot of a scenario with 10^9 rounds per step stops within its budget",
          "[cli][plans]") {
  const std::string sc =
      write_file("plans_rounds.json",
            R"({"population": {"size": 2000}, "steps": 156, "replicates": 20,
                "participation": {"rounds": 1000000000,
                                  "contagion": {"probability": 0.000001, "attempts": "every_round"}}})");
  const auto t0 = std::chrono::steady_clock::now();
  const auto r = run_orgsim("check " + sc);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(s < 10.0);
  CHECK(r.has("time: more than "));
}

TEST_CASE("check: a sweep's bootstrap of 10^8 is refused", "[cli][plans]") {
  const auto r = run_orgsim("check " + sweep("plans_boot.json", "", kGrid, R"("bootstrap": 100000000)"));
  INFO(r.out << r.err);
  CHECK(r.code == 2);
  CHECK(r.err.find("bootstrap") != std::string::npos);
  CHECK(r.err.find("100000]") != std::string::npos);
}

TEST_CASE("check prints the threads actually used", "[cli][plans]") {
  const std::string sc = write_file("plans_one.json", R"({"population": {"size": 200}, "steps": 3,
                                                     "replicates": 1})");
  const auto r = run_orgsim("check " + sc + " --threads 8");
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.has("with 1 thread(s)"));
  CHECK(r.has("time: ~"));
}

namespace {
/// Peak resident memory (bytes) of `orgsim run` of scenario `rel` (a path in the source tree)
/// with `sets`, one replicate on one thread, as the kernel counts it for the child (wait4's
/// ru_maxrss).
double peak_rss_of(const std::string& rel, const std::vector<std::string>& sets,
                   const std::string& tag) {
  const std::string out = orgsim::test::tmp_path("rss-" + tag + ".h5");
  std::vector<std::string> args = {ORGSIM_BINARY, "run", orgsim::test::source_path(rel)};
  for (const auto& s : sets) {
    args.push_back("--set");
    args.push_back(s);
  }
  for (const char* a : {"--replicates", "1", "--threads", "1", "-o"}) args.push_back(a);
  args.push_back(out);
  args.push_back("--quiet");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    execv(argv[0], argv.data());
    _exit(127);
  }
  int status = 0;
  struct rusage ru {};
  REQUIRE(wait4(pid, &status, 0, &ru) == pid);
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  std::remove(out.c_str());
  return static_cast<double>(ru.ru_maxrss) * 1024.0;  // Linux: kilobytes
}

/// The same for the default scenario at `n` agents (departments of 30), 20 steps.
double peak_rss_of_run(std::int32_t n) {
  return peak_rss_of("scenarios/default.json",
                     {"population.size=" + std::to_string(n),
                      "network.departments=" + std::to_string(n / 30), "steps=20"},
                     std::to_string(n));
}
}  // namespace

TEST_CASE("check: the memory estimate of a run is within 25% of its measured peak", "[plans]") {
  ORGSIM_NORMAL_BUILD_ONLY();
  // A mid-size run (2 x 10^5 agents, about 9 x 10^5 ties) against a tiny one: the difference of
  // their peaks is what the agents and ties cost, without the binary and its libraries.
  const auto estimate = [](std::int32_t n) {
    const auto plan = orgsim::test::plan_for(
        "scenarios/default.json", {"population.size=" + std::to_string(n),
                                   "network.departments=" + std::to_string(n / 30), "steps=20",
                                   "replicates=1"});
    return orgsim::estimate_resources(plan, 1).per_run_bytes;
  };
  const double measured = peak_rss_of_run(200000) - peak_rss_of_run(1000);
  const double estimated = estimate(200000) - estimate(1000);
  INFO("estimated " << estimated / 1048576.0 << " MiB, measured " << measured / 1048576.0
                    << " MiB");
  REQUIRE(measured > 0);
  CHECK(std::fabs(estimated - measured) <= 0.25 * measured);
}

TEST_CASE("check: the memory estimate of a classic run counts only what it allocates",
          "[plans]") {
  ORGSIM_NORMAL_BUILD_ONLY();
  // The benchmark's product path (the Watts workload on the classic base: no campaign, no
  // employer, no decay, no turnover), whose run holds far fewer arrays than the default
  // scenario's: the estimate must follow what the run allocates, not every array there is.
  const std::string rel = "bench/watts_product.json";
  const auto sets = [](std::int32_t n) {
    return std::vector<std::string>{"population.size=" + std::to_string(n)};
  };
  const auto estimate = [&](std::int32_t n) {
    auto s = sets(n);
    s.push_back("replicates=1");
    return orgsim::estimate_resources(orgsim::test::plan_for(rel, s), 1).per_run_bytes;
  };
  const double measured =
      peak_rss_of(rel, sets(200000), "watts-200000") - peak_rss_of(rel, sets(1000), "watts-1000");
  const double estimated = estimate(200000) - estimate(1000);
  INFO("estimated " << estimated / 1048576.0 << " MiB, measured " << measured / 1048576.0
                    << " MiB");
  REQUIRE(measured > 0);
  CHECK(std::fabs(estimated - measured) <= 0.25 * measured);
  // Fewer bytes per agent than the default scenario's run, which keeps the campaign's state.
  const auto def = orgsim::test::plan_for("scenarios/default.json", {"population.size=1000"});
  const auto classic = orgsim::test::plan_for(rel, sets(1000));
  CHECK(orgsim::run_footprint(classic.arms[0]).per_agent <
        orgsim::run_footprint(def.arms[0]).per_agent - 40.0);
}

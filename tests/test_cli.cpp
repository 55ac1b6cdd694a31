// The command line as a user meets it: exit codes, error messages on stderr, nothing written
// under the output name when input is invalid.
#include <catch2/catch.hpp>

#include <hdf5.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "cli.hpp"
#include "h5poke.hpp"
#include "helpers.hpp"

using namespace orgsim;
namespace fs = std::filesystem;

namespace {
using Result = test::CliResult;
Result sh(const std::string& args, const std::string& prefix = "") {
  return test::run_cli(args, prefix);
}
using test::write_file;
}  // namespace

TEST_CASE("orgsim run writes the results file and prints the summary", "[cli]") {
  const std::string out = test::tmp_path("cli_granovetter.h5");
  fs::remove(out);
  const auto r = sh("run " + test::source_path("scenarios/validation/granovetter.json") + " -o " +
                    out + " --threads 2 --quiet");
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(fs::exists(out));
  CHECK_FALSE(fs::exists(out + ".partial"));
  CHECK(r.out.find("final_turnout") != std::string::npos);
  // The trainer shows the room the backfire count: the terminal summary carries it too.
  CHECK(r.out.find("backfires_total") != std::string::npos);
}

namespace {
/// What a shell command printed on stdout (trailing newline dropped) and its exit status.
std::pair<int, std::string> shell_output(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return {-1, out};
  char buf[256];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  const int status = pclose(p);
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}
}  // namespace

// The commit is read at every build (cmake/git_info.cmake), not only when CMake configures: a
// binary built after a commit names that commit. (Run the tests after building.)
TEST_CASE("orgsim --version and a results file name the commit the sources were built from",
          "[cli][version]") {
  const std::string src = ORGSIM_SOURCE_DIR;
  const std::string git = "git -C '" + src + "' ";
  const auto [top_status, top] = shell_output(git + "rev-parse --show-toplevel 2>/dev/null");
  const auto version = sh("--version");
  REQUIRE(version.code == 0);
  const std::string out = test::tmp_path("cli_commit.h5");
  const auto r = sh("run " + test::source_path("scenarios/default.json") + " -o " + out +
                    " --steps 2 --replicates 1 --quiet");
  REQUIRE(r.code == 0);
  std::error_code ec;
  if (top_status != 0 || !fs::equivalent(top, src, ec)) {
    WARN("the sources are not a git checkout: the commit is \"unknown\"");
    CHECK_THAT(version.out, Catch::Contains("(unknown, "));
    CHECK(test::root_attr(out, "git_commit") == "unknown");
    return;
  }
  const auto [head_status, head] = shell_output(git + "rev-parse --short=12 HEAD");
  REQUIRE(head_status == 0);
  INFO("HEAD is " << head << "; orgsim --version says: " << version.out);
  CHECK_THAT(version.out, Catch::StartsWith("orgsim ") && Catch::Contains("(" + head + ", "));
  CHECK(test::root_attr(out, "git_commit") == head);
  const std::string dirty = test::root_attr(out, "git_dirty");
  CHECK((dirty == "true" || dirty == "false"));
}

TEST_CASE("the summary's title and footer fit the number of replicates", "[cli][summary]") {
  const std::string sc = test::source_path("scenarios/default.json");
  const std::string out = test::tmp_path("cli_summary_words.h5");
  // One replicate: "1 replicate", no interval in any cell, and no footer about one.
  auto r = sh("run " + sc + " -o " + out + " --steps 3 --replicates 1 --quiet");
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  CHECK(r.out.rfind("default (1 replicate per arm)\n", 0) == 0);
  CHECK(r.out.find("±") == std::string::npos);
  CHECK(r.out.find("confidence interval over replicates") == std::string::npos);
  CHECK(r.out.find("(no confidence interval: each value is from a single run; 2 or more "
                   "replicates give one)\n") != std::string::npos);
  auto s = sh("summarize " + out);
  REQUIRE(s.code == 0);
  CHECK(s.out.find("(no confidence interval: each value") != std::string::npos);
  // Two: the plural, the intervals and their footer.
  r = sh("run " + sc + " -o " + out + " --steps 3 --replicates 2 --quiet");
  REQUIRE(r.code == 0);
  CHECK(r.out.rfind("default (2 replicates per arm)\n", 0) == 0);
  CHECK(r.out.find("±") != std::string::npos);
  CHECK(r.out.find("(mean ± half-width of the 95% confidence interval over replicates)\n") !=
        std::string::npos);
  // No cell in exponent form, and the run ends by naming the command that tells it in words.
  CHECK(r.out.find("e+0") == std::string::npos);
  CHECK(r.out.find("e-0") == std::string::npos);
  CHECK(r.out.find("results: " + out + "\nthe story in words: orgsim report " + out) !=
        std::string::npos);
}

TEST_CASE("a sweep does not replace a run's results without --force", "[cli]") {
  const std::string sc = test::source_path("scenarios/default.json");
  const std::string sweep = test::source_path("scenarios/sweeps/hours_vs_turnover.json");
  const std::string out = test::tmp_path("cli_kind.h5");
  auto r = sh("run " + sc + " -o " + out + " --steps 2 --replicates 1 --quiet");
  REQUIRE(r.code == 0);
  const auto size = fs::file_size(out);
  r = sh("sweep " + sweep + " -o " + out + " --quiet");
  INFO(r.out << r.err);
  CHECK(r.code == 2);
  CHECK(r.err.find("holds a run's results and this is a sweep") != std::string::npos);
  CHECK(fs::file_size(out) == size);
  // The same kind may be replaced: a run over a run.
  r = sh("run " + sc + " -o " + out + " --steps 3 --replicates 1 --quiet");
  CHECK(r.code == 0);
}

TEST_CASE("invalid input exits 2, names the problem and writes nothing", "[cli]") {
  const std::string out = test::tmp_path("cli_bad.h5");
  fs::remove(out);
  const std::string bad = write_file("bad_scenario.json",
                                R"({"population": {"size": 100, "thresold": 0.3}})");
  auto r = sh("run " + bad + " -o " + out);
  CHECK(r.code == 2);
  CHECK(r.err.find("bad_scenario.json") != std::string::npos);
  CHECK(r.err.find("population.thresold") != std::string::npos);
  CHECK(r.err.find("did you mean `population.threshold`") != std::string::npos);
  CHECK_FALSE(fs::exists(out));
  CHECK_FALSE(fs::exists(out + ".partial"));

  r = sh("run " + test::source_path("scenarios/validation/granovetter.json") + " -o " + out +
         " --set population.size=-5");
  CHECK(r.code == 2);
  CHECK(r.err.find("population.size") != std::string::npos);
  CHECK_FALSE(fs::exists(out));

  const std::string edges = write_file("bad_edges.csv", "source,target\n0,1\n1,1\n");
  const std::string el = write_file("edge_scenario.json",
                               R"({"population": {"size": 3}, "steps": 1, "replicates": 1,
                                   "network": {"type": "edge_list", "path": "bad_edges.csv"}})");
  r = sh("run " + el + " -o " + out);
  CHECK(r.code == 2);
  CHECK(r.err.find("bad_edges.csv") != std::string::npos);
  CHECK(r.err.find("line 3") != std::string::npos);
  CHECK_FALSE(fs::exists(out));

  CHECK(sh("frobnicate").code == 2);
  CHECK(sh("run").code == 2);
  CHECK(sh("run x.json --threads=many").code == 2);
}

TEST_CASE("orgsim check validates and prints the plan", "[cli]") {
  const auto r = sh("check " + test::source_path("scenarios/validation/centola_macy.json"));
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(r.out.find("3 arm(s) x 20 replicate(s) = 60 runs") != std::string::npos);
  CHECK(r.out.find("time:") != std::string::npos);
}

TEST_CASE("every command has --help", "[cli]") {
  for (const char* c : {"run", "check", "params", "outputs", "summarize"}) {
    INFO(c);
    const auto r = sh(std::string(c) + " --help");
    CHECK(r.code == 0);
    CHECK(r.out.find("usage") != std::string::npos);
  }
}

TEST_CASE("a bad edge list stops check and run before anything is planned, run or written",
          "[cli][edge_list]") {
  const std::string out = test::tmp_path("cli_bad_edges.h5");
  fs::remove(out);
  write_file("cli_edges_bad.csv", "source,target,trust\n0,1,0.5\n1,2,1.5\n");
  const std::string sc = write_file("cli_edges_scenario.json",
                               R"({"population": {"size": 3}, "steps": 1, "replicates": 1,
                                   "network": {"type": "edge_list", "path": "cli_edges_bad.csv"}})");
  for (const std::string& cmd : {"check " + sc, "run " + sc + " -o " + out}) {
    INFO(cmd);
    const auto r = sh(cmd);
    CHECK(r.code == 2);
    // The scenario file, the JSON path, the CSV file and line, expected and found.
    CHECK(r.err.find("cli_edges_scenario.json: network.path: expected a trust value") !=
          std::string::npos);
    CHECK(r.err.find("found '1.5' (cli_edges_bad.csv line 3)") != std::string::npos);
    CHECK(r.out.find("plan:") == std::string::npos);
    CHECK(r.err.find("orgsim run") == std::string::npos);  // the run never started
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(fs::exists(out + ".partial"));
  }
  const std::string missing = write_file("cli_edges_missing.json",
                                    R"({"population": {"size": 3},
                                        "network": {"type": "edge_list", "path": "nowhere.csv"}})");
  const auto r = sh("check " + missing);
  CHECK(r.code == 2);
  CHECK(r.err.find("cli_edges_missing.json: network.path: expected a readable CSV edge list") !=
        std::string::npos);
  CHECK(r.err.find("no such file (nowhere.csv)") != std::string::npos);
  // A path set in a base: the message says which base set it.
  const std::string child = write_file("cli_edges_child.json",
                                       R"({"extends": "cli_edges_scenario.json"})");
  const auto c = sh("check " + child);
  CHECK(c.code == 2);
  CHECK(c.err.find("cli_edges_child.json: network.path (set in base cli_edges_scenario.json): "
                   "expected a trust value") != std::string::npos);
}

TEST_CASE("an impossible network stops check, run and sweep at load: exit 2, nothing written",
          "[cli][network]") {
  // Three networks the generators refuse only once they are built: one agent per department
  // with ties inside departments, more cross-department ties than pairs, and swaps on a
  // complete lattice. Each is an input error before a plan is printed or a pilot is run.
  struct Case {
    const char* name;
    const char* network;
    const char* where;
  };
  const Case cases[] = {
      {"cli_net_one_each", R"({"type": "workplace", "departments": 10, "within_degree": 1,
                              "between_degree": 2})",
       "network.within_degree"},
      {"cli_net_cross", R"({"type": "workplace", "departments": 2, "within_degree": 2,
                           "between_degree": 15})",
       "network.between_degree"},
      {"cli_net_swap", R"({"type": "ring_lattice", "degree": 8, "rewire": 0.5,
                          "rewire_method": "swap"})",
       "network.rewire"},
  };
  for (const Case& c : cases) {
    const std::string sc = write_file(std::string(c.name) + ".json",
                                      std::string(R"({"population": {"size": )") +
                                          (std::string(c.name) == "cli_net_swap" ? "9" : "10") +
                                          R"(}, "steps": 2, "replicates": 1, "network": )" +
                                          c.network + "}");
    const std::string out = test::tmp_path(std::string(c.name) + ".h5");
    fs::remove(out);
    for (const std::string& cmd : {"check " + sc, "run " + sc + " -o " + out}) {
      INFO(cmd);
      const auto r = sh(cmd);
      CHECK(r.code == 2);
      CHECK(r.err.find(std::string(c.name) + ".json: " + c.where + ": expected") !=
            std::string::npos);
      CHECK(r.out.find("plan:") == std::string::npos);
      CHECK(r.err.find("pilot") == std::string::npos);
      CHECK_FALSE(fs::exists(out));
    }
  }
  // A sweep whose design makes a department of one: refused at load, naming the design point.
  const std::string sweep = write_file("cli_net_sweep.json", R"({"name": "cli-net-sweep",
      "scenario": {"steps": 2, "population": {"size": 40},
                   "network": {"type": "workplace", "departments": 10, "within_degree": 1,
                               "between_degree": 1}},
      "design": {"type": "grid", "parameters": {"population.size": [40, 10]}},
      "replicates": 1, "seed": 1})");
  const std::string out = test::tmp_path("cli_net_sweep.h5");
  fs::remove(out);
  fs::remove_all(out + ".parts");
  const auto r = sh("sweep " + sweep + " -o " + out + " --quiet");
  INFO(r.err);
  CHECK(r.code == 2);
  CHECK(r.err.find("network.within_degree") != std::string::npos);
  CHECK(r.err.find("design point 1") != std::string::npos);
  CHECK_FALSE(fs::exists(out));
  CHECK_FALSE(fs::exists(out + ".parts"));
}

TEST_CASE("orgsim check --explain says where every value came from", "[cli][extends]") {
  const auto r = sh("check " + test::source_path("scenarios/validation/centola_macy.json") +
                    " --explain --set population.size=500");
  INFO(r.err);
  REQUIRE(r.code == 0);
  auto has = [&](const std::string& key, const std::string& origin) {
    for (std::size_t pos = r.out.find("\n  " + key + " "); pos != std::string::npos;
         pos = r.out.find("\n  " + key + " ", pos + 1)) {
      const std::string line = r.out.substr(pos + 1, r.out.find('\n', pos + 1) - pos - 1);
      if (line.size() >= origin.size() + 2 &&
          line.compare(line.size() - origin.size() - 2, origin.size() + 2, "(" + origin + ")") == 0)
        return true;
    }
    return false;
  };
  CHECK(has("decay.trust", "base classic"));
  CHECK(has("employer.firing", "base classic"));
  CHECK(has("participation.threshold_rule", "file"));
  CHECK(has("population.size", "--set"));
  CHECK(has("network.mean_degree", "default"));
  CHECK(has("network.rewire", "arm random"));
  CHECK_FALSE(has("decay.trust", "default"));
}

TEST_CASE("orgsim check SWEEP --explain names the sweep and its design as sources",
          "[cli][explain]") {
  // The sweep's own replicates and seed, and the values the design gives each parameter, are
  // what the runs use; the scenario's values of them are not (they used to be shown as if).
  const std::string sweep = write_file("cli_explain_sweep.json", R"({"name": "cli-explain",
      "scenario": ")" + test::source_path("scenarios/default.json") + R"(",
      "design": {"type": "grid",
                 "parameters": {"population.threshold.mean": [0.3, 0.35, 0.4],
                                "campaign.hours_per_step": {"min": 4, "max": 12, "num": 3}}},
      "replicates": 3, "seed": 7})");
  auto r = sh("check " + sweep + " --explain");
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  const auto line_of = [](const std::string& out, const std::string& key) {
    const auto pos = out.find("\n  " + key + " ");
    if (pos == std::string::npos) return std::string();
    std::string l = out.substr(pos + 3, out.find('\n', pos + 1) - pos - 3);
    l.erase(0, key.size());
    return l.erase(0, l.find_first_not_of(' '));  // the value and the origin
  };
  CHECK(r.out.find("3 replicate(s)") != std::string::npos);
  CHECK(line_of(r.out, "replicates") == "3  (sweep file)");
  CHECK(line_of(r.out, "seed") == "7  (sweep file)");
  CHECK(line_of(r.out, "population.threshold.mean") ==
        "[0.3, 0.35, 0.4]  (sweep design: 3 levels)");
  CHECK(line_of(r.out, "campaign.hours_per_step") == "[4.0, 8.0, 12.0]  (sweep design: 3 levels)");
  CHECK(line_of(r.out, "steps") == "156  (scenario file)");  // the scenario's, as before

  // A sampled design shows its range; a swept choice its levels by name; a sweep without its own
  // replicates and seed takes the scenario's, shown with the scenario's source.
  const std::string sampled = write_file("cli_explain_lhs.json", R"({"name": "cli-explain-lhs",
      "scenario": {"steps": 2, "population": {"size": 200}},
      "design": {"type": "lhs", "samples": 4,
                 "parameters": {"environment.turnover": {"min": 0.001, "max": 0.01}}}})");
  r = sh("check " + sampled + " --explain");
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  CHECK(line_of(r.out, "environment.turnover") ==
        R"({"max":0.01,"min":0.001}  (sweep design: lhs, 4 points sampled in the range))");
  CHECK(line_of(r.out, "replicates") == "20  (default)");
  const std::string choice = write_file("cli_explain_choice.json", R"({"name": "cli-explain-ch",
      "scenario": {"steps": 2, "population": {"size": 200}},
      "design": {"type": "points",
                 "parameters": {"participation.update": ["random_sequential", "synchronous",
                                                         "random_sequential"]}}})");
  r = sh("check " + choice + " --explain");
  INFO(r.out << r.err);
  REQUIRE(r.code == 0);
  CHECK(line_of(r.out, "participation.update") ==
        R"(["random_sequential", "synchronous"]  (sweep design: 3 points, 2 levels))");
}

TEST_CASE("a --set that every arm overrides is a warning, once per key, in run and check",
          "[cli][set]") {
  // Each arm of the default scenario sets campaign.strategy, after --set: the --set changes no
  // run. It used to pass in silence. (A key set twice is an error now: see "a key given twice
  // with --set".)
  const std::string sc = test::source_path("scenarios/default.json");
  const std::string out = test::tmp_path("cli_set_overridden.h5");
  const std::string warning =
      "orgsim: warning: --set campaign.strategy=hybrid is overridden by every arm "
      "(relationship_first, big_messaging); an arm's own \"set\" comes after --set\n";
  for (const std::string& cmd :
       {"check " + sc, "run " + sc + " -o " + out + " --steps 2 --replicates 1 --quiet"}) {
    INFO(cmd);
    const auto r = sh(cmd + " --set population.size=200 --set campaign.strategy=hybrid");
    INFO(r.err);
    CHECK(r.code == 0);
    const auto at = r.err.find(warning);
    CHECK(at != std::string::npos);
    CHECK(r.err.find("orgsim: warning:", at + 1) == std::string::npos);  // once, for one key
  }
  // Not warned: a --set no arm overrides, or one that only some arms (or part of it) override.
  const std::string partial = write_file("cli_set_partial.json", R"({"steps": 2,
      "population": {"size": 200}, "arms": [
        {"name": "a", "set": {"population.threshold.value": 0.3}},
        {"name": "b", "set": {"campaign.hours_per_step": 5}}]})");
  const auto r = sh("check " + partial +
                    " --set campaign.hours_per_step=8 --set "
                    R"('population.threshold={"distribution": "constant", "value": 0.2}')");
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(r.err.find("warning") == std::string::npos);
  // Overridden through the object that holds it: the arm sets all of population.threshold.
  const std::string whole = write_file("cli_set_whole.json", R"({"steps": 2,
      "population": {"size": 200}, "arms": [
        {"name": "only", "set": {"population.threshold": {"distribution": "constant",
                                                          "value": 0.3}}}]})");
  const auto w = sh("check " + whole + " --set population.threshold.value=0.2");
  INFO(w.err);
  CHECK(w.code == 0);
  CHECK(w.err.find("orgsim: warning: --set population.threshold.value=0.2 is overridden by the "
                   "only arm (only)") != std::string::npos);
}

TEST_CASE("check refuses --set and the scenario options for a sweep file, which ignored them",
          "[cli][set]") {
  const std::string sweep = write_file("cli_set_sweep.json", R"({"name": "cli-set-sweep",
      "scenario": {"steps": 2, "population": {"size": 200}},
      "design": {"type": "grid", "parameters": {"environment.turnover": [0.0, 0.01]}}})");
  for (const char* opt : {"--set population.size=-5", "--replicates 3", "--steps 4", "--seed 2"}) {
    INFO(opt);
    const auto r = sh("check " + sweep + " " + opt);
    INFO(r.out << r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find("orgsim check: error: --set, --replicates, --steps and --seed change a "
                     "scenario") != std::string::npos);
    CHECK(r.out.find("valid") == std::string::npos);
  }
}

TEST_CASE("a run written from an extends scenario reruns bit-identically after its base changes",
          "[cli][extends]") {
  write_file("cli_rerun_base.json", R"({"extends": "classic", "population": {"size": 200,
      "threshold": {"distribution": "uniform", "min": 0, "max": 0.5}},
      "network": {"type": "erdos_renyi", "mean_degree": 6}, "steps": 5, "replicates": 3,
      "actions": {"seed": {"random": 3}}})");
  const std::string sc = write_file("cli_rerun_top.json",
                               R"({"extends": "cli_rerun_base.json", "seed": 9})");
  const std::string out = test::tmp_path("cli_rerun_extends.h5");
  fs::remove(out);
  auto r = sh("run " + sc + " -o " + out + " --quiet");
  INFO(r.err);
  REQUIRE(r.code == 0);
  // The base file changes (a different population and network) after the run was written.
  write_file("cli_rerun_base.json", R"({"extends": "classic", "population": {"size": 50},
      "network": {"type": "complete"}})");
  for (int k : {0, 2}) {
    r = sh("rerun " + out + " --run " + std::to_string(k));
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.out.find("bit-identical to the file") != std::string::npos);
  }
}

TEST_CASE("a sweep over distribution and seed fields reruns bit-identically from its file",
          "[cli][subpath]") {
  const std::string sweep = write_file("cli_subpath_sweep.json", R"({"name": "cli-subpath",
      "scenario": {"extends": "classic", "steps": 2, "population": {"size": 300,
                   "threshold": {"distribution": "normal", "mean": 0.2, "sd": 0.05}},
                   "network": {"type": "erdos_renyi", "mean_degree": 5}},
      "design": {"type": "lhs", "samples": 4,
                 "parameters": {"population.threshold.mean": {"min": 0.1, "max": 0.3},
                                "actions.seed.random": {"min": 1, "max": 4}}},
      "replicates": 2, "seed": 4})");
  const std::string out = test::tmp_path("cli_subpath_sweep.h5");
  fs::remove(out);
  fs::remove_all(out + ".parts");
  auto r = sh("sweep " + sweep + " -o " + out + " --threads 2 --quiet");
  INFO(r.err);
  REQUIRE(r.code == 0);
  for (int k : {0, 5}) {
    r = sh("rerun " + out + " --run " + std::to_string(k));
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.out.find("bit-identical to the file") != std::string::npos);
  }
}

TEST_CASE("rerun names the run's arm and its design point's values, choices by name",
          "[cli][rerun]") {
  const std::string sweep = write_file("cli_rerun_names.json", R"({"name": "cli-rerun-names",
      "scenario": {"steps": 2, "population": {"size": 200},
                   "arms": [{"name": "steady", "set": {"campaign.hours_per_step": 10}},
                            {"name": "pushed", "set": {"campaign.hours_per_step": 20}}]},
      "design": {"type": "grid",
                 "parameters": {"participation.update": ["synchronous", "random_sequential"],
                                "environment.turnover": [0.0, 0.01]}},
      "replicates": 2, "seed": 5})");
  const std::string out = test::tmp_path("cli_rerun_names.h5");
  fs::remove(out);
  fs::remove_all(out + ".parts");
  auto r = sh("sweep " + sweep + " -o " + out + " --quiet");
  INFO(r.err);
  REQUIRE(r.code == 0);
  // Run 7 = ((point 1) x 2 arms + arm 1) x 2 replicates + replicate 1; point 1 of the grid
  // (parameters in alphabetical order, the first slowest): turnover 0.0, random_sequential.
  for (const std::string& file : {out, sweep}) {
    r = sh("rerun " + file + " --run 7");
    INFO(r.out << r.err);
    CHECK(r.code == 0);
    CHECK(r.out.find("run 7 (point 1, arm 1 \"pushed\", replicate 1, seed ") != std::string::npos);
    CHECK(r.out.find("\n  point 1: environment.turnover=0.0, "
                     "participation.update=random_sequential\n") != std::string::npos);
  }
  // A run file has arms but no design point.
  const std::string run_out = test::tmp_path("cli_rerun_names_run.h5");
  r = sh("run " + test::source_path("scenarios/default.json") + " -o " + run_out +
         " --steps 2 --replicates 1 --quiet");
  REQUIRE(r.code == 0);
  r = sh("rerun " + run_out + " --run 1");
  INFO(r.out << r.err);
  CHECK(r.code == 0);
  CHECK(r.out.find("run 1 (point 0, arm 1 \"big_messaging\", replicate 0, seed ") !=
        std::string::npos);
  CHECK(r.out.find("point 0:") == std::string::npos);
}

TEST_CASE("the summary a sweep prints is the one its file gives, with or without a read-back",
          "[cli]") {
  // A fresh sweep prints its summary from what it kept while it built the file; a resumed one
  // (which merges its parts) reads the file back. Both must print what `orgsim summarize` reads
  // from the file: every outcome, the paired differences and the win durability. The default
  // scenario's two arms over 2 points x 4 replicates, with wins and reversals.
  const std::string root = fs::path(ORGSIM_BINARY).parent_path().parent_path().string();
  const std::string sweep = write_file("cli_recap_sweep.json", R"({"name": "cli-recap",
      "scenario": ")" + root + R"(/scenarios/default.json",
      "design": {"type": "grid", "parameters": {"campaign.hours_per_step": [8, 12]}},
      "replicates": 4, "seed": 3})");
  const std::string out = test::tmp_path("cli_recap_sweep.h5");
  const auto body = [](const std::string& text) {  // without the title and the results line
    std::string b = text.substr(text.find('\n') + 1);
    const auto r = b.find("results: ");
    return r == std::string::npos ? b : b.substr(0, r);
  };
  for (const bool resumed : {false, true}) {
    INFO((resumed ? "resumed" : "fresh"));
    fs::remove(out);
    fs::remove_all(out + ".parts");
    test::CliResult r;
    if (resumed) {
      // Half the runs (a shard, left in the parts), then --resume without --shard merges them.
      r = sh("sweep " + sweep + " -o " + out + " --shard 0/2 --quiet");
      REQUIRE(r.code == 0);
      r = sh("sweep " + sweep + " -o " + out + " --resume --quiet");
    } else {
      r = sh("sweep " + sweep + " -o " + out + " --threads 2 --quiet");
    }
    INFO(r.out << r.err);
    REQUIRE(r.code == 0);
    const test::CliResult s = sh("summarize " + out);
    REQUIRE(s.code == 0);
    CHECK(r.out.rfind("cli-recap (16 runs, pooled over the design points)\n", 0) == 0);
    // summarize says the same of the sweep's file (it said "(16 runs)" only).
    CHECK(s.out.rfind(out + " (16 runs, pooled over the design points)\n", 0) == 0);
    CHECK(s.out.find("win durability") != std::string::npos);
    CHECK(body(r.out) == body(s.out));
  }
}

// ---- issue 9: strict input at the command line -------------------------------------------------

namespace {
using test::poke;

/// A small results file written by `orgsim run` (3 runs), copied to `name`.
std::string small_results(const std::string& name) {
  static std::string made;
  if (made.empty()) {
    // One file per process: ctest runs test cases in parallel processes that each make it.
    const std::string tag = std::to_string(::getpid());
    const std::string sc = write_file("cli_strict_small_" + tag + ".json",
                                 R"({"population": {"size": 60}, "steps": 3, "replicates": 3,
                                     "network": {"type": "erdos_renyi", "mean_degree": 4}})");
    made = test::tmp_path("cli_strict_small_" + tag + ".h5");
    fs::remove(made);
    const auto r = sh("run " + sc + " -o " + made + " --quiet --threads 1");
    INFO(r.err);
    REQUIRE(r.code == 0);
  }
  const std::string p = test::tmp_path(name);
  fs::copy_file(made, p, fs::copy_options::overwrite_existing);
  return p;
}
}  // namespace

TEST_CASE("negative, NaN or malformed numeric options are usage errors naming option and value",
          "[cli][strict]") {
  const std::string sc = test::source_path("scenarios/validation/granovetter.json");
  const std::string out = test::tmp_path("cli_strict_opts.h5");
  struct Case {
    std::string args, option, value;
  };
  const std::vector<Case> cases = {
      {"run " + sc + " --replicates -5 -o " + out, "--replicates", "-5"},
      {"run " + sc + " --steps -1 -o " + out, "--steps", "-1"},
      {"run " + sc + " --steps 2.5 -o " + out, "--steps", "2.5"},
      {"run " + sc + " --threads -1 -o " + out, "--threads", "-1"},
      {"check " + sc + " --replicates 0", "--replicates", "0"},
      {"check " + sc + " --threads x", "--threads", "x"},
      {"check " + sc + " --max-output-gb nan", "--max-output-gb", "nan"},
      {"check " + sc + " --max-output-gb -1", "--max-output-gb", "-1"},
      {"check " + sc + " --max-output-gb inf", "--max-output-gb", "inf"},
      {"sweep x.json --part-runs 0", "--part-runs", "0"},
      {"sweep x.json --threads -2", "--threads", "-2"},
      {"sweep x.json --max-output-gb -0.5", "--max-output-gb", "-0.5"},
      {"rerun x.h5 --run -1", "--run", "-1"},
  };
  for (const auto& c : cases) {
    INFO(c.args);
    fs::remove(out);
    const auto r = sh(c.args);
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find(c.option) != std::string::npos);
    CHECK(r.err.find("\"" + c.value + "\"") != std::string::npos);
    CHECK_FALSE(fs::exists(out));
  }
}

TEST_CASE("the fuzzing reproducers and hostile JSON exit 2 with a message, never a signal",
          "[cli][strict]") {
  auto r = sh("check " + test::source_path("fuzz/regressions/scenario/seed_agent_id_2pow31.json"));
  CHECK(r.code == 2);
  CHECK(r.err.find("actions.seed.agents[0]") != std::string::npos);
  r = sh("check " + test::source_path("fuzz/regressions/scenario/number_overflow_1e309.json"));
  CHECK(r.code == 2);
  CHECK(r.err.find("number_overflow_1e309.json: steps (line 1") != std::string::npos);
  CHECK(r.err.find("json.exception") == std::string::npos);

  const std::string sc = test::source_path("scenarios/validation/granovetter.json");
  r = sh("check " + sc + " --set steps=1e309");
  CHECK(r.code == 2);
  CHECK(r.err.find("--set: steps") != std::string::npos);
  CHECK(r.err.find("steps=1e309") != std::string::npos);
  r = sh("check " + sc + " --set 'population.threshold.~=1'");
  CHECK(r.code == 2);
  CHECK(r.err.find("population.threshold.~") != std::string::npos);
  CHECK(r.err.find("json.exception") == std::string::npos);

  // Found by fuzz_scenario on 2026-12-02: once "failed" with exit 1 (nlohmann's type_error.316,
  // std::length_error).
  r = sh("check " + sc + " --set 'network.type=\xff'");
  CHECK(r.code == 2);
  CHECK(r.err.find("--set: network.type: expected key=value in UTF-8") != std::string::npos);
  CHECK(r.err.find("json.exception") == std::string::npos);
  r = sh("check " + sc + " --set '\xc0=1'");
  CHECK(r.code == 2);
  CHECK(r.err.find("the byte 0xC0") != std::string::npos);
  r = sh("check " + test::source_path("fuzz/regressions/scenario/arm_set_index_1e18.json"));
  CHECK(r.code == 2);
  CHECK(r.err.find("arm_set_index_1e18.json: arms[0].set.actions.seed.agents.1000000000000000000")
        != std::string::npos);
  r = sh("check " + sc + " --set actions.seed.agents.300000000=1");
  CHECK(r.code == 2);
  CHECK(r.err.find("--set: actions.seed.agents.300000000: expected the index 0") !=
        std::string::npos);

  const std::string dup = write_file("cli_strict_dup.json",
                                "{\"population\": {\"size\": 100},\n\"population\": {\"size\": 9}}");
  r = sh("check " + dup);
  CHECK(r.code == 2);
  CHECK(r.err.find("cli_strict_dup.json: population") != std::string::npos);
  CHECK(r.err.find("line 2") != std::string::npos);

  write_file("cli_strict_binary.csv", std::string("\x89PNG\r\n\x1a\n", 8));
  const std::string el = write_file("cli_strict_binary.json",
                               R"({"population": {"size": 3},
                                   "network": {"type": "edge_list", "path": "cli_strict_binary.csv"}})");
  r = sh("check " + el);
  CHECK(r.code == 2);
  CHECK(r.err.find("cli_strict_binary.csv line 1") != std::string::npos);

  const std::string fifo = test::tmp_path("cli_strict_fifo.json");
  fs::remove(fifo);
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  for (const std::string& cmd : {"check " + fifo, "run " + fifo, "sweep " + fifo,
                                 "summarize " + fifo, "rerun " + fifo + " --run 0"}) {
    INFO(cmd);
    r = sh(cmd, "timeout 30 ");  // a hang fails (124) instead of blocking the suite
    CHECK(r.code == 2);
    CHECK(r.err.find("a FIFO") != std::string::npos);
  }
  fs::remove(fifo);
}

TEST_CASE("summarize and rerun refuse damaged results files, naming file and problem",
          "[cli][strict]") {
  auto f = small_results("cli_strict_arm.h5");
  poke<std::int32_t>(f, "arm", H5T_NATIVE_INT32, 1, 7);
  auto r = sh("summarize " + f);
  CHECK(r.code == 2);
  CHECK(r.err.find("cli_strict_arm.h5: /arm[1]") != std::string::npos);
  CHECK(r.err.find("found 7") != std::string::npos);

  f = small_results("cli_strict_dup_run.h5");
  poke<std::int64_t>(f, "run", H5T_NATIVE_INT64, 2, 0);
  r = sh("summarize " + f);
  CHECK(r.code == 2);
  CHECK(r.err.find("/run[2]") != std::string::npos);
  CHECK(r.err.find("each once") != std::string::npos);

  f = small_results("cli_strict_neg_run.h5");
  poke<std::int64_t>(f, "run", H5T_NATIVE_INT64, 0, -4);
  r = sh("summarize " + f);
  CHECK(r.code == 2);
  CHECK(r.err.find("found -4") != std::string::npos);

  f = small_results("cli_strict_noprov.h5");
  {
    const hid_t h = H5Fopen(f.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    REQUIRE(h >= 0);
    REQUIRE(H5Ldelete(h, "provenance/resolved_params_json", H5P_DEFAULT) >= 0);
    H5Fclose(h);
  }
  r = sh("rerun " + f + " --run 1");
  CHECK(r.code == 2);
  CHECK(r.err.find("cli_strict_noprov.h5: /provenance/resolved_params_json") != std::string::npos);
  CHECK(r.err.find("no provenance") != std::string::npos);
}

TEST_CASE("a truncated results file is invalid input: exit 2 naming the file, what was found",
          "[cli][strict]") {
  // A copy that stopped early (head -c): HDF5 refuses to open it. That is the user's file, not a
  // failure while running (docs/RELIABILITY.md): exit 2 and `orgsim: error:`, not 1 and `failed`.
  const std::string whole = test::slurp(small_results("cli_trunc_whole.h5"));
  REQUIRE(whole.size() > 4096);
  const std::string f = test::tmp_path("cli_trunc.h5");
  std::ofstream(f, std::ios::binary) << whole.substr(0, whole.size() / 2);
  for (const std::string& cmd : {"summarize " + f, "rerun " + f + " --run 1"}) {
    INFO(cmd);
    const auto r = sh(cmd);
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK(r.err.rfind("orgsim: error: " + f + ": expected an orgsim results file", 0) == 0);
    CHECK(r.err.find("found a truncated HDF5 file") != std::string::npos);
  }
}

TEST_CASE("a results file given to check or run is named as one, with the command that reads it",
          "[cli][strict]") {
  const std::string f = small_results("cli_check_h5.h5");
  for (const std::string& cmd : {"check " + f, "run " + f + " -o " + f + ".out.h5"}) {
    INFO(cmd);
    const auto r = sh(cmd);
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find(f + ": expected a JSON scenario or sweep file, found an HDF5 file") !=
          std::string::npos);
    CHECK(r.err.find("orgsim summarize " + f) != std::string::npos);
    CHECK(r.err.find("valid JSON") == std::string::npos);
  }
}

TEST_CASE("sweep --resume with an odd part name in the parts folder names the file", "[cli][strict]") {
  const std::string sweep = write_file("cli_strict_resume.json", R"({"name": "cli-strict-resume",
      "scenario": {"steps": 2, "population": {"size": 50},
                   "network": {"type": "erdos_renyi", "mean_degree": 4}},
      "design": {"type": "grid", "parameters": {"population.size": {"min": 40, "max": 50, "num": 2}}},
      "replicates": 1, "seed": 3})");
  const std::string out = test::tmp_path("cli_strict_resume.h5");
  fs::remove(out);
  fs::remove_all(out + ".parts");
  fs::create_directories(out + ".parts");
  std::ofstream(out + ".parts/part-s0of1-gX-000001.h5") << "";
  const auto r = sh("sweep " + sweep + " -o " + out + " --resume --quiet");
  INFO(r.err);
  CHECK(r.code == 2);
  CHECK(r.err.find("part-s0of1-gX-000001.h5") != std::string::npos);
  CHECK(r.err.find("stoi") == std::string::npos);
}

TEST_CASE("a key given twice with --set is an input error naming both values", "[cli][set]") {
  // It used to pass, the last value winning, while a key given twice in a JSON file is an error.
  const std::string sc = test::source_path("scenarios/validation/granovetter.json");
  const std::string out = test::tmp_path("cli_set_twice.h5");
  fs::remove(out);
  for (const std::string& cmd : {"run " + sc + " -o " + out + " --quiet", "check " + sc}) {
    INFO(cmd);
    const auto r = sh(cmd + " --set population.size=200 --set steps=2 --set population.size=300");
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find("--set: population.size: expected each key set at most once") !=
          std::string::npos);
    CHECK(r.err.find("`population.size=200` and `population.size=300`") != std::string::npos);
    CHECK_FALSE(fs::exists(out));
    CHECK_FALSE(fs::exists(out + ".partial"));
  }
  // --replicates N is --set replicates=N: both at once are the same key twice.
  const auto r = sh("check " + sc + " --set replicates=5 --replicates 3");
  INFO(r.err);
  CHECK(r.code == 2);
  CHECK(r.err.find("`replicates=5` and `replicates=3`") != std::string::npos);
  CHECK(r.err.find("--replicates N, --steps T and --seed S are --set replicates=N") !=
        std::string::npos);
}

TEST_CASE("an output path under a file is an input error naming -o, the file and the folder",
          "[cli][output]") {
  // It used to end as exit 1 with the raw filesystem error ("cannot create directories: Not a
  // directory").
  const std::string file = write_file("cli_notafolder", "just a file\n");
  const std::string out = file + "/deeper/x6.h5";
  const std::string sc = test::source_path("scenarios/validation/granovetter.json");
  const std::string sweep = write_file("cli_notafolder_sweep.json", R"({"name": "cli-notafolder",
      "scenario": {"steps": 2, "population": {"size": 50},
                   "network": {"type": "erdos_renyi", "mean_degree": 4}},
      "design": {"type": "grid", "parameters": {"environment.turnover": [0.0, 0.01]}}})");
  for (const std::string& cmd :
       {"run " + sc + " -o " + out, "sweep " + sweep + " -o " + out, "check " + sc + " -o " + out,
        "check " + sweep + " -o " + out,
        "merge " + test::tmp_path("cli_no_parts.h5.parts") + " -o " + out,
        "report " + test::tmp_path("cli_no_results.h5") + " -o " + out,
        "calibrate " + sc + " -o " + out, "calibrate " + sc + " --output=" + out}) {
    INFO(cmd);
    const auto q = sh(cmd);
    INFO(q.out << q.err);
    CHECK(q.code == 2);
    CHECK(q.err.find("orgsim: error: -o: " + out + ": expected a folder at " + file +
                     " (or nothing there yet) to hold the results, found a file") !=
          std::string::npos);
    CHECK(q.err.find("filesystem error") == std::string::npos);
    CHECK(fs::is_regular_file(file));
  }
  // A sweep's parts folder taken by a file: the same kind of error, not a filesystem error.
  const std::string out2 = test::tmp_path("cli_parts_file.h5");
  fs::remove(out2);
  std::ofstream(out2 + ".parts") << "not a folder\n";
  const auto r = sh("sweep " + sweep + " -o " + out2 + " --quiet");
  INFO(r.err);
  CHECK(r.code == 2);
  CHECK(r.err.find("-o: " + out2 + ": expected nothing at " + out2 + ".parts") !=
        std::string::npos);
  CHECK_FALSE(fs::exists(out2));
}

TEST_CASE("a sweep file given to run, or a scenario given to sweep, is named as such",
          "[cli][strict]") {
  // They used to say only "unknown key `design`" (with the 35 scenario keys) and "unknown key
  // `actions`".
  const std::string sweep = test::source_path("scenarios/sweeps/hours_vs_turnover.json");
  fs::remove(test::tmp_path("cli_wrong_kind.h5"));
  auto r = sh("run " + sweep + " -o " + test::tmp_path("cli_wrong_kind.h5"));
  INFO(r.err);
  CHECK(r.code == 2);
  CHECK(r.err.find("this looks like a sweep file (it has `design`): run it with `orgsim sweep " +
                   sweep + "`") != std::string::npos);
  CHECK(r.err.find("population.size") == std::string::npos);  // not the list of every key
  const std::string sc = test::source_path("scenarios/default.json");
  r = sh("sweep " + sc + " -o " + test::tmp_path("cli_wrong_kind.h5"));
  INFO(r.err);
  CHECK(r.code == 2);
  CHECK(r.err.find("unknown key `actions`") != std::string::npos);
  CHECK(r.err.find("this looks like a scenario file (it has no `design` but scenario keys): run "
                   "it with `orgsim run " +
                   sc + "`") != std::string::npos);
  CHECK_FALSE(fs::exists(test::tmp_path("cli_wrong_kind.h5")));
}

TEST_CASE("sweep refuses --set and the scenario options, saying the sweep file sets them",
          "[cli][set]") {
  // It used to say only "unrecognised option '--set'"; check explained it already.
  const std::string sweep = write_file("cli_sweep_set.json", R"({"name": "cli-sweep-set",
      "scenario": {"steps": 2, "population": {"size": 50}},
      "design": {"type": "grid", "parameters": {"environment.turnover": [0.0, 0.01]}}})");
  const std::string out = test::tmp_path("cli_sweep_set.h5");
  fs::remove(out);
  for (const char* opt : {"--set population.size=60", "--replicates 3", "--steps 4", "--seed 2"}) {
    INFO(opt);
    const auto r = sh("sweep " + sweep + " -o " + out + " " + opt);
    INFO(r.err);
    CHECK(r.code == 2);
    CHECK(r.err.find("orgsim sweep: error: --set, --replicates, --steps and --seed change a "
                     "scenario; " +
                     sweep + " is a sweep file: set them in it") != std::string::npos);
    CHECK_FALSE(fs::exists(out));
  }
  // --help does not list them (the sweep takes none).
  const auto h = sh("sweep --help");
  CHECK(h.out.find("--set") == std::string::npos);
}

TEST_CASE("error messages name their option or command once", "[cli][strict]") {
  const std::string sweep = write_file("cli_prefix_sweep.json", R"({"name": "cli-prefix",
      "scenario": {"steps": 2, "population": {"size": 50}},
      "design": {"type": "grid", "parameters": {"environment.turnover": [0.0, 0.01]}}})");
  auto r = sh("sweep " + sweep + " --shard 2/2");
  INFO(r.err);
  CHECK(r.code == 2);
  CHECK(r.err.find(
            "orgsim: error: --shard: expected i/N with 0 <= i < N (e.g. 0/4), found \"2/2\"") !=
        std::string::npos);
  CHECK(r.err.find("--shard: --shard") == std::string::npos);
  r = sh("run");
  CHECK(r.code == 2);
  CHECK(r.err.find("orgsim run: error: missing SCENARIO.json") != std::string::npos);
  CHECK(r.err.find("orgsim: error: orgsim") == std::string::npos);
}

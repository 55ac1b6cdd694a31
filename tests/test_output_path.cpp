// Where the CLI writes its results (io/output_path.hpp): the default name results/<name>.h5 and
// the rule that only an earlier results file is replaced without --force.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "core/errors.hpp"
#include "helpers.hpp"
#include "io/memory_results.hpp"
#include "io/output_path.hpp"
#include "io/results_file.hpp"
#include "io/scenario.hpp"

using namespace orgsim;

TEST_CASE("default_output: results/<name>.h5 for a plain stem", "[io]") {
  CHECK(default_output("default", "s.json") == "results/default.h5");
  CHECK(default_output("year-1_hot.v2", "s.json") == "results/year-1_hot.v2.h5");
  const std::string longest(200, 'a');
  CHECK(default_output(longest, "s.json") == "results/" + longest + ".h5");
}

TEST_CASE("default_output: a name that is not a plain stem is an InputError", "[io]") {
  const std::vector<std::string> bad_names = {"",           ".hidden",    "../escape",
                                             "a/b",        "with space", "semi;colon",
                                             std::string(201, 'a'), std::string("nul\0cut", 7)};
  for (const std::string& bad : bad_names) {
    INFO("name \"" << bad << "\"");
    CHECK_THROWS_AS(default_output(bad, "s.json"), InputError);
  }
  // The message names the file and the path, what was expected and the hint.
  CHECK_THROWS_WITH(default_output("../x", "scen.json"),
                    Catch::Contains("scen.json") && Catch::Contains("name") &&
                        Catch::Contains("a plain file name stem") && Catch::Contains("\"../x\"") &&
                        Catch::Contains("give the output path with -o"));
  // A NUL is shown, not cut short at.
  CHECK_THROWS_WITH(default_output(std::string("a\0b", 3), "s.json"),
                    Catch::Contains("\"a\\u0000b\""));
}

TEST_CASE("check_replaceable: nothing there, or a results file, may be written", "[io][hdf5]") {
  const std::string absent = test::tmp_path("replaceable_absent.h5");
  std::filesystem::remove(absent);
  CHECK_NOTHROW(check_replaceable(absent, false, "run"));

  const Scenario sc = load_scenario(test::source_path("scenarios/default.json"),
                                    {"replicates=1", "steps=2", "population.size=100"});
  const auto image = run_to_image(sc, 1, "test");
  const std::string results = test::tmp_path("replaceable_results.h5");
  {
    std::ofstream out(results, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(image.data()),
              static_cast<std::streamsize>(image.size()));
  }
  CHECK(results_file_kind(results) == "run");
  CHECK_NOTHROW(check_replaceable(results, false, "run"));
  // A run's results are not replaced by a sweep's, nor a sweep's by a run's, without --force.
  CHECK_THROWS_AS(check_replaceable(results, false, "sweep"), UsageError);
  CHECK_THROWS_WITH(check_replaceable(results, false, "sweep"),
                    Catch::Contains("holds a run's results and this is a sweep") &&
                        Catch::Contains("--force"));
  CHECK_NOTHROW(check_replaceable(results, true, "sweep"));
}

TEST_CASE("check_replaceable: another file only with force, a directory never", "[io]") {
  const std::string other = test::tmp_path("replaceable_notes.txt");
  {
    std::ofstream out(other, std::ios::trunc);
    out << "my notes\n";
  }
  CHECK_THROWS_AS(check_replaceable(other, false, "run"), UsageError);
  CHECK_THROWS_WITH(check_replaceable(other, false, "run"),
                    Catch::Contains("exists and is not an orgsim results file") &&
                        Catch::Contains("--force"));
  CHECK(results_file_kind(other).empty());
  CHECK_NOTHROW(check_replaceable(other, true, "run"));

  const std::string dir = test::tmp_path("replaceable_dir.h5");
  std::filesystem::create_directories(dir);
  CHECK_THROWS_WITH(check_replaceable(dir, false, "run"), Catch::Contains("is a directory"));
  CHECK_THROWS_WITH(check_replaceable(dir, true, "run"), Catch::Contains("is a directory"));
}

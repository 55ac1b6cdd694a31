// Generated documents must match the tables they come from.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "helpers.hpp"
#include "io/outputs.hpp"
#include "model/parameters.hpp"

using namespace orgsim;

namespace {
std::string read(const std::string& rel) {
  std::ifstream in(test::source_path(rel));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("scenarios/PARAMETERS.md is generated from the parameter table", "[docs]") {
  INFO("regenerate with: build/orgsim params --markdown > scenarios/PARAMETERS.md");
  CHECK(read("scenarios/PARAMETERS.md") == parameters_markdown());
}

TEST_CASE("docs/OUTPUTS.md is generated from the output dictionary", "[docs]") {
  INFO("regenerate with: build/orgsim outputs --markdown > docs/OUTPUTS.md");
  CHECK(read("docs/OUTPUTS.md") == outputs_markdown());
}

TEST_CASE("every output has a short plain label and a description apart", "[docs][outputs]") {
  // The label (long_name) is what xarray puts on an axis and the trainer's page offers in its
  // picker: short, plain words, no formula and no parameter key. The explanation is the
  // description.
  for (const auto& o : output_dictionary()) {
    INFO(o.name << ": long_name '" << o.long_name << "'");
    CHECK(o.long_name.size() > 8);  // a few words, not a code
    CHECK(o.long_name.size() <= kLabelMaxChars);
    CHECK(o.long_name.find_first_of("=<>_.;") == std::string::npos);
    CHECK(std::isupper(static_cast<unsigned char>(o.long_name[0])));
    CHECK(o.description.size() > o.long_name.size() / 2);
    CHECK(o.description != o.long_name);
  }
}

TEST_CASE("the dictionary does not say power above the resistance wins for certain",
          "[docs][outputs]") {
  // With actions.win_width > 0 (0.03 by default) a win is drawn: its chance rises smoothly with
  // power around employer.resistance. An output's words must not say the line decides.
  for (const auto& o : output_dictionary()) {
    INFO(o.name);
    CHECK(o.description.find("(power >= employer.resistance)") == std::string::npos);
  }
  const auto& wins = output_dictionary()[per_step_outputs().size() + per_run_index("wins")];
  REQUIRE(wins.name == "wins");
  CHECK(wins.description.find("actions.win_width") != std::string::npos);
  CHECK(wins.description.find("luck") != std::string::npos);
}

TEST_CASE("the parameter table is well formed", "[docs][parameters]") {
  std::set<std::string> keys;
  for (const auto& p : parameter_table()) {
    INFO(p.key);
    CHECK(keys.insert(p.key).second);  // unique
    CHECK_FALSE(p.meaning.empty());
    if ((p.type == ParamType::number || p.type == ParamType::integer) && !p.default_value.is_null()) {
      CHECK(p.min <= p.max);
      CHECK(p.default_value.get<double>() >= p.min);
      CHECK(p.default_value.get<double>() <= p.max);
    }
    if (p.type == ParamType::choice && !p.default_value.is_null())
      CHECK(std::find(p.choices.begin(), p.choices.end(), p.default_value.get<std::string>()) !=
            p.choices.end());
  }
}

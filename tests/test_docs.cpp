// Generated documents must match the tables they come from.
#include <catch2/catch.hpp>

#include <algorithm>
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

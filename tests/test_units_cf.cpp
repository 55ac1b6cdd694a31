// Units as CF wants them: every `units` a results file carries comes from one table (the output
// dictionary, the event tables' and /durability's ColumnDefs, the parameter table through
// udunits_of) and is a string UDUNITS-2 parses. tests/python/test_cf_units.py runs the real
// parser (`udunits2`, Debian's udunits-bin) on every units attribute of written files; here each
// source is checked against the short list of strings docs/HDF5_LAYOUT.md ("Units and CF")
// allows, so that a new unit fails fast, without HDF5 files or udunits2, and is added to the
// docs' rule on purpose.
#include <catch2/catch.hpp>

#include <set>
#include <string>

#include "io/layout.hpp"
#include "io/outputs.hpp"
#include "io/scenario.hpp"
#include "model/parameters.hpp"

using namespace orgsim;

namespace {
// docs/HDF5_LAYOUT.md, "Units and CF": every string here parses with udunits2 (the pytest
// checks the ones files hold). "" is no units attribute at all.
const std::set<std::string> kAllowed = {"1", "count",    "week", "week-1",
                                        "h", "h week-1", "s",    "rad"};
}  // namespace

TEST_CASE("every output's units is a UDUNITS string, a count's words apart", "[outputs][units]") {
  for (const auto& o : output_dictionary()) {
    INFO(o.name << ": units '" << o.units << "', unit_words '" << o.unit_words << "'");
    CHECK(kAllowed.count(o.units) == 1);
    // A count says what it counts; "1" and "h" say all there is.
    if (o.units == "count") CHECK_FALSE(o.unit_words.empty());
    if (o.units == "1" || o.units == "h") CHECK(o.unit_words.empty());
  }
  const auto& win_weeks =
      output_dictionary()[per_step_outputs().size() + per_run_index("win_weeks")];
  CHECK(win_weeks.units == "week");
  CHECK(win_weeks.unit_words == "win-weeks");
  CHECK(units_text(win_weeks) == "week (win-weeks)");
}

TEST_CASE(
    "the event tables' and /durability's columns have short labels, descriptions and "
    "UDUNITS units",
    "[outputs][units]") {
  auto check = [](const layout::ColumnDef& c) {
    INFO(c.name << ": long_name '" << c.long_name << "'");
    CHECK(std::string(c.long_name).size() <= kLabelMaxChars);
    CHECK(std::string(c.long_name).find_first_of("_.;=") == std::string::npos);
    CHECK(std::string(c.description).size() > std::string(c.long_name).size());
    if (c.units) CHECK(kAllowed.count(c.units) == 1);
    // A count says what it counts (docs/HDF5_LAYOUT.md, "Units and CF"); nothing else does.
    const bool count = c.units && std::string(c.units) == "count";
    CHECK(count == (c.unit_words != nullptr));
    if (c.unit_words) CHECK(!std::string(c.unit_words).empty());
  };
  check(layout::win_events::kIndex);
  for (const auto& c : layout::win_events::kColumns) check(c);
  check(layout::action_events::kIndex);
  for (const auto& c : layout::action_events::kColumns) check(c);
  check(layout::failures::kIndex);
  for (const auto& c : layout::failures::kColumns) check(c);
  namespace du = layout::durability;
  check(du::kArmIndex);
  for (const auto& c : du::kArmColumns) check(c);
  check(du::kKmIndex);
  for (const auto& c : du::kKmColumns) check(c);
  CHECK(std::string(du::kArmColumns[du::kWins].units) == "count");
  CHECK(std::string(du::kArmColumns[du::kWins].unit_words) == "wins");
  CHECK(std::string(du::kArmColumns[du::kReversals].unit_words) == "reversals");
  CHECK(std::string(du::kKmColumns[du::kAtRisk].unit_words) == "wins");
  CHECK(std::string(du::kKmColumns[du::kEvents].unit_words) == "reversals");
  CHECK(std::string(du::kArmColumns[du::kMedian].units) == layout::kStepUnits);
  CHECK(std::string(du::kKmColumns[du::kTime].units) == layout::kStepUnits);
  CHECK(std::string(du::kKmColumns[du::kSurvival].units) == "1");
  CHECK(du::kKmColumns[du::kKmArm].units == nullptr);  // a code
  // Steps are weeks wherever they are counted.
  CHECK(std::string(layout::kStepUnits) == "week");
  CHECK(std::string(layout::win_events::kColumns[layout::win_events::kDuration].units) == "week");
  CHECK(std::string(layout::action_events::kColumns[layout::action_events::kNoticeWeeks].units) ==
        "week");
  CHECK(layout::win_events::kColumns[layout::win_events::kCensored].units == nullptr);  // a flag
}

TEST_CASE("every unit of the parameter table has a UDUNITS string", "[parameters][units]") {
  for (const auto& p : parameter_table()) {
    INFO(p.key << ": unit '" << p.unit << "'");
    std::string u;
    REQUIRE_NOTHROW(u = udunits_of(p.unit));
    CHECK((u.empty() ? p.unit.empty() : kAllowed.count(u) == 1));
  }
  CHECK(udunits_of("1 per step") == "week-1");
  CHECK(udunits_of("h per step") == "h week-1");
  CHECK(udunits_of("step") == "week");
  CHECK(udunits_of("agents") == "count");
  CHECK_THROWS_AS(udunits_of("fortnights"), std::logic_error);
  // The provenance's copy of the table carries both: the words and the UDUNITS string.
  const auto table = parameters_json();
  for (const auto& row : table) {
    INFO(row.at("key"));
    CHECK(row.at("udunits") == udunits_of(row.at("unit").get<std::string>()));
  }
}

TEST_CASE("a swept parameter's words come from the table: a short label, its meaning, its units",
          "[parameters][units]") {
  const ParamText turnover = param_text("environment.turnover");
  CHECK(turnover.long_name == "Environment turnover");
  CHECK(turnover.description == find_param("environment.turnover")->meaning);
  CHECK(turnover.units == "week-1");
  const ParamText value = param_text("population.threshold.value");
  CHECK(value.long_name == "Population threshold value");
  CHECK(value.description ==
        "`value` of population.threshold: " + find_param("population.threshold")->meaning);
  CHECK(value.units == "1");
  CHECK(param_text("campaign.hours_per_step").units == "h week-1");
  CHECK(param_text("campaign.staff_organizers").units == "count");
  CHECK_THROWS_AS(param_text("no.such.key"), std::logic_error);
  // Every key of the table gives a label that fits an axis, in words (no dots, no underscores).
  for (const auto& p : parameter_table()) {
    const ParamText t = param_text(p.key);
    INFO(p.key << " -> '" << t.long_name << "'");
    CHECK(!t.long_name.empty());
    CHECK(t.long_name.size() <= kLabelMaxChars);
    CHECK(t.long_name.find_first_of("._") == std::string::npos);
    CHECK(t.description == p.meaning);
  }
}

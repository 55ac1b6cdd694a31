#pragma once
// The parameter table: the ONLY place that names a parameter. Its key (dotted JSON path), type,
// default, range, unit, meaning and source drive scenario validation, `--set`, `orgsim params`,
// scenarios/PARAMETERS.md and the provenance stored in every results file.
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace orgsim {

enum class ParamType {
  number,        // a JSON number in [min, max]
  integer,       // a JSON integer in [min, max]
  boolean,
  choice,        // a string among `choices`
  text,          // free text (names, descriptions)
  path,          // a file path, relative to the scenario file
  distribution,  // a distribution object (model/distributions.hpp); values it yields in [min,max]
  seed_set,      // who starts an action: {"random": k} | {"fraction": f} | {"agents": [...]}
  rounds,        // "until_stable" or an integer >= 1
};

struct ConfigDraft;  // model/config.hpp
struct BindContext;
/// A row's binding: stores the row's (already validated) JSON value in its member of the typed
/// config (model/config.hpp), so that the table is the only place that pairs a key with a member.
using ParamBinding = std::function<void(ConfigDraft&, const nlohmann::json&, const BindContext&)>;

struct ParamSpec {
  std::string key;
  ParamType type;
  nlohmann::json default_value;
  double min = 0.0, max = 0.0;
  std::string unit;                  // "1" dimensionless, "step", "agents", ...
  std::vector<std::string> choices;  // for choice
  std::string meaning;               // one line
  std::string source;                // literature or rationale
  ParamBinding bind;                 // where make_config stores the value
};

const std::vector<ParamSpec>& parameter_table();
/// nullptr when `key` is not a parameter.
const ParamSpec* find_param(const std::string& key);
/// Every key, in table order.
std::vector<std::string> parameter_keys();

/// The UDUNITS-2 string of a unit as the parameter table says it (ParamSpec::unit), for the
/// `units` attribute of a swept parameter's column: "1 per step" -> "week-1", "step" -> "week",
/// a number of things ("agents", "ties") -> "count", "" -> "" (no units). Throws
/// std::logic_error for a unit it does not know (a test maps every unit of the table).
std::string udunits_of(const std::string& unit);

/// `orgsim params`: a plain-text table.
std::string parameters_text();
/// `orgsim params --markdown`: scenarios/PARAMETERS.md.
std::string parameters_markdown();
/// The table as JSON (stored in every results file).
nlohmann::json parameters_json();

/// Built-in bases a scenario can name in `"extends"`: name -> a scenario object (nested keys,
/// validated like any scenario file when it is used). The ONLY definition of each base.
/// `classic` is the participation core alone: every other mechanism that moves state from step
/// to step is off, trust is 1 and only the social weight counts.
const nlohmann::json& builtin_bases();

/// What a JSON value is, for error messages: "the integer 3", "a string (\"x\")", "an object".
std::string json_value_text(const nlohmann::json& v);

}  // namespace orgsim

#pragma once
// Loading and validating scenario files (JSON) against the parameter table, applying `--set`
// overrides and arms. Everything here throws InputError naming the file, the JSON path, what was
// expected and what was found.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace orgsim {

/// One variant to compare: a name and the overrides that define it (dotted key -> value).
struct Arm {
  std::string name;
  std::string description;
  nlohmann::json overrides = nlohmann::json::object();
};

struct Scenario {
  std::string file;      // as given on the command line (used in messages)
  std::string dir;       // directory of the file: relative paths in it are resolved from here
  std::string raw_text;  // verbatim file contents (stored in the results file)
  std::string name;      // `name`, or the file's stem
  /// Flat map dotted key -> value: defaults, then the file, then --set.
  nlohmann::json base = nlohmann::json::object();
  std::vector<Arm> arms;  // at least one ("baseline" when the file lists none)
  /// One flat map per arm: base with the arm's overrides applied last.
  std::vector<nlohmann::json> arm_params;
};

/// Reads, parses and validates `path`; `sets` are "key=value" strings from --set.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& sets = {});

/// Same from an already parsed document (sweeps with an inline scenario; tests).
Scenario scenario_from_json(const nlohmann::json& doc, const std::string& file,
                            const std::string& dir, std::string raw_text,
                            const std::vector<std::string>& sets = {});

/// Parses JSON text, turning syntax errors into InputError with line and column.
nlohmann::json parse_json_text(const std::string& text, const std::string& file);

/// Validates `value` for parameter `key` (or a sub-path inside a distribution / seed object) and
/// stores it in the flat map. `file`/`where` name the origin for error messages.
void set_parameter(nlohmann::json& flat, const std::string& key, const nlohmann::json& value,
                   const std::string& file, const std::string& where);

/// Splits "key=value" and parses value as JSON (falling back to a plain string).
std::pair<std::string, nlohmann::json> parse_set_argument(const std::string& arg);

/// What a JSON value is, for error messages: "the integer 3", "a string (\"x\")", "an object".
std::string json_value_text(const nlohmann::json& v);

/// Defaults of every parameter as a flat map.
nlohmann::json default_parameters();

}  // namespace orgsim

#pragma once
// Loading and validating scenario files (JSON) against the parameter table, applying `--set`
// overrides and arms. Everything here throws InputError naming the file, the JSON path, what was
// expected and what was found.
//
// Resolution order: defaults < base(s) < file < --set < arm. `"extends"` names a built-in base
// (model/parameters.hpp: builtin_bases()) or another scenario file, relative to the file that
// names it, or an array of them (applied in order); a base may extend another. A base gives
// every value but `name` and `description`, and its arms when the file lists none. Relative
// `path` values in a base file are made absolute (they are relative to the base file).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "model/network.hpp"
#include "model/parameters.hpp"

namespace orgsim {

/// One variant to compare: a name and the overrides that define it (dotted key -> value).
struct Arm {
  std::string name;
  std::string description;
  nlohmann::json overrides = nlohmann::json::object();
};

/// One of a scenario's "things to try": what to tell the room, and the parameter values that try
/// it (dotted key -> value, validated as `--set` values are; empty when the change is told only
/// in words). The trainer's page turns a non-empty `set` into a button.
struct TryThis {
  std::string text;
  nlohmann::json set = nlohmann::json::object();
  bool operator==(const TryThis&) const = default;
};

struct Scenario {
  std::string file;      // as given on the command line (used in messages)
  std::string dir;       // directory of the file: relative paths in it are resolved from here
  std::string raw_text;  // verbatim file contents (stored in the results file)
  std::string name;      // `name`, or the file's stem
  /// Optional teaching notes of the file itself (never inherited from a base): `"discussion"`,
  /// points to discuss with the room, and `"try"`, changes to try (docs/SCENARIOS.md).
  std::vector<std::string> discussion;
  std::vector<TryThis> try_this;
  /// Flat map dotted key -> value: defaults, then the bases, then the file, then --set.
  nlohmann::json base = nlohmann::json::object();
  std::vector<Arm> arms;  // at least one ("baseline" when the file lists none)
  /// One flat map per arm: base with the arm's overrides applied last.
  std::vector<nlohmann::json> arm_params;
  /// Every base applied, in resolution order, as named ("classic", "../watts.json").
  std::vector<std::string> bases;
  /// Provenance of each key of `base`: "default", "base NAME", "file" or "--set".
  std::map<std::string, std::string> origin;
  /// Per arm, the same with "arm NAME" for the keys the arm sets.
  std::vector<std::map<std::string, std::string>> arm_origin;
  /// What is valid but probably not meant, for the command line to print as warnings: a
  /// `--set` that every arm overrides (it changes no run).
  std::vector<std::string> warnings;
  /// Per arm, its edge list (network.type = edge_list), read and validated at load; arms with the
  /// same file and population share one. nullptr for generated networks.
  std::vector<std::shared_ptr<const Network>> arm_networks;
};

/// Rethrows an error of arm `arm`'s edge list (`written`: network.path as the file gave it) as an
/// error of the scenario: its file, the JSON path that names the list (the arm's override, or the
/// base that set it), then `context` (a sweep's design point), the list and its line.
[[noreturn]] void throw_edge_list_error(const Scenario& sc, std::size_t arm,
                                        const std::string& written, const InputError& e,
                                        const std::string& context = "");

/// Whether `key` may stand at the top level of a scenario file (a parameter or section, `arms`,
/// `extends`, `discussion`, `try`): how the sweep command tells a scenario given in its place.
bool is_scenario_key(const std::string& key);

/// Reads, parses and validates `path`; `sets` are "key=value" strings from --set.
Scenario load_scenario(const std::string& path, const std::vector<std::string>& sets = {});

/// Same from an already parsed document (sweeps with an inline scenario; tests).
Scenario scenario_from_json(const nlohmann::json& doc, const std::string& file,
                            const std::string& dir, std::string raw_text,
                            const std::vector<std::string>& sets = {});

/// Parses JSON text: the one JSON parser of input files (scenarios, bases, sweeps). Syntax
/// errors, numbers beyond the double range (1e309) and a key given twice in one object are
/// InputError naming `file`, the JSON path and the line and column (both places for a duplicate).
nlohmann::json parse_json_text(const std::string& text, const std::string& file);

/// Validates `value` for parameter `key` (or a sub-path inside a distribution / seed object) and
/// stores it in the flat map. `file`/`where` name the origin for error messages.
void set_parameter(nlohmann::json& flat, const std::string& key, const nlohmann::json& value,
                   const std::string& file, const std::string& where);

/// Splits "key=value" and parses value as JSON (falling back to a plain string when it is not
/// JSON; a number beyond the double range is an InputError naming the argument).
std::pair<std::string, nlohmann::json> parse_set_argument(const std::string& arg);

// json_value_text (what a JSON value is, for messages) is in model/parameters.hpp.

/// The data files the scenario's arms read (an edge list for network.type = edge_list; the roster
/// and its friendships for roster), each once with the SHA-256 of its contents, sorted:
/// [{"key": "network.path", "path": as in the parameters, "sha256": hex}]. A sweep records them
/// with its resolved parameters, so that a resume or a merge can tell that a file changed.
nlohmann::json input_files(const Scenario& sc);

/// Defaults of every parameter as a flat map.
nlohmann::json default_parameters();

/// The table key holding dotted path `key`: the key itself, or for a path inside a distribution
/// or seed object (population.threshold.value) that object's key; "" when there is none.
std::string table_key_of(const std::string& key);

/// A swept path in words, from the parameter table (what a results file says of its column):
/// `long_name`, a short label made from the path ("environment.turnover" -> "Environment
/// turnover", at most kLabelMaxChars: leading sections dropped until it fits); `description`,
/// the table's meaning (for a path inside a distribution or seed object, which field of it);
/// `units`, udunits_of the table's unit. Throws std::logic_error when no table key holds `key`.
struct ParamText {
  std::string long_name, description, units;
};
ParamText param_text(const std::string& key);

/// Paths whose values must be integers: the table's integer parameters and the integer fields of
/// seed sets (actions.seed.random). Sweep designs round these.
std::vector<std::string> integer_parameter_paths();

}  // namespace orgsim

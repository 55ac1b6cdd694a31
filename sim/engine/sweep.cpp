#include "engine/sweep.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <sstream>
#include <set>
#include <thread>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include "core/errors.hpp"
#include "core/files.hpp"
#include "core/rng.hpp"
#include "core/text.hpp"
#include "engine/simulation.hpp"
#include "engine/summary.hpp"
#include "io/layout.hpp"
#include "io/memory_results.hpp"
#include "io/outputs.hpp"
#include "model/config.hpp"
#include "model/parameters.hpp"
#include "orgsim_version.hpp"

namespace orgsim {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string read_text(const std::string& path, const char* what) {
  return read_input_file(path, what);  // a directory, FIFO or device is refused, not read
}

/// Whether a parameter of the table is a choice or a switch (varied by its levels only).
bool has_levels(const ParamSpec& spec) {
  return spec.type == ParamType::choice || spec.type == ParamType::boolean;
}

/// A choice's or switch's levels as a JSON list: ["schedule", "continuous", ...], [true, false].
std::string levels_text(const ParamSpec& spec) {
  if (spec.type == ParamType::boolean) return "[true, false]";
  std::string out;
  for (const auto& c : spec.choices) out += (out.empty() ? "" : ", ") + json(c).dump();
  return "[" + out + "]";
}

/// A design parameter that is not a number (a range, or numbers listed, for a choice, a switch,
/// a distribution, ...): what a design can vary instead. A choice or switch only by its levels
/// listed in a grid or points design (all of them are shown); a distribution or seed by a
/// number inside it (those of the scenario's value are named).
[[noreturn]] void throw_not_numeric(const Scenario& sc, const ParamSpec& spec,
                                    const std::string& path, const std::string& where) {
  const std::string expected =
      "a number or integer parameter, or a number inside a distribution or seed";
  const std::string& key = spec.key;
  if (has_levels(spec)) {
    const std::string kind = spec.type == ParamType::choice ? "a choice" : "a switch";
    throw InputError(path, where, expected, "`" + key + "`, " + kind + ", which is not numeric",
                     kind +
                         " can be swept only by listing its levels in a grid or points "
                         "design, e.g. \"" +
                         key + "\": " + levels_text(spec) +
                         ", keeping those to compare; or compare them as arms");
  }
  std::string hint;
  const auto value = sc.base.find(key);
  if (value != sc.base.end() && value->is_object()) {
    std::vector<std::string> numbers;
    for (auto it = value->begin(); it != value->end(); ++it)
      if (it->is_number()) numbers.push_back("`" + key + "." + it.key() + "`");
    if (!numbers.empty()) hint = "the numbers inside the scenario's value: " + join_or(numbers);
  }
  throw InputError(path, where, expected, "`" + key + "`, which is not numeric", hint);
}

/// Before the design is parsed: a choice or switch given a range (any design), or its levels
/// listed in a sampled design, is told straight away how it can be varied and what its levels
/// are, rather than what the range lacks (`num`) or that lists are for grid designs.
void check_level_params(const Scenario& sc, const json& design, const std::string& path) {
  if (!design.is_object() || !design.contains("type") || !design.at("type").is_string() ||
      !design.contains("parameters") || !design.at("parameters").is_object())
    return;  // parse_design says what is wrong
  const std::string type = design.at("type").get<std::string>();
  const bool sampled = type == "random" || type == "lhs" || type == "sobol" || type == "morris";
  if (!sampled && type != "grid" && type != "points") return;
  const json& params = design.at("parameters");
  for (auto it = params.begin(); it != params.end(); ++it) {
    const ParamSpec* spec = find_param(it.key());
    if (!spec || !has_levels(*spec)) continue;
    const std::string where = "design.parameters." + it.key();
    if (it->is_object()) throw_not_numeric(sc, *spec, path, where);
    if (sampled && it->is_array()) {
      const std::string kind = spec->type == ParamType::choice ? "a choice" : "a switch";
      throw InputError(
          path, where,
          "a range {\"min\": a, \"max\": b} of a number or integer parameter (" +
              std::string(type == "lhs" ? "an " : "a ") + type + " design samples ranges)",
          "a list of levels of `" + it.key() + "`, " + kind,
          "lists of values are for grid designs, and a choice or switch can be varied only by "
          "a grid or points design (it cannot be sampled): its levels are " +
              levels_text(*spec) + "; list those to compare in a grid or points design, or "
              "compare them as arms");
    }
  }
}

}  // namespace

Sweep load_sweep(const std::string& path) {
  return sweep_from_text(read_text(path, "sweep file"), path,
                         fs::absolute(path).parent_path().string());
}

Sweep sweep_from_text(const std::string& text, const std::string& path, const std::string& dir) {
  Sweep s;
  s.file = path;
  s.raw_text = text;
  const json doc = parse_json_text(s.raw_text, path);
  if (!doc.is_object()) throw InputError(path, "(top level)", "a JSON object", doc.dump());
  const std::vector<std::string> keys = {"name",     "title",      "description", "scenario",
                                         "design",   "replicates", "seed",        "outputs",
                                         "bootstrap"};
  for (auto it = doc.begin(); it != doc.end(); ++it)
    if (std::find(keys.begin(), keys.end(), it.key()) == keys.end()) {
      // A scenario file given where a sweep belongs: say so (the CLI and orgsim.sweep alike).
      if (!doc.contains("design") && is_scenario_key(it.key()))
        throw InputError(path, it.key(), "one of the keys " + join_or(keys),
                         "unknown key `" + it.key() + "`",
                         "this looks like a scenario file (it has no `design` but scenario "
                         "keys): run it with `orgsim run " +
                             path + "`, or orgsim.run in Python");
      const auto guess = did_you_mean(it.key(), keys);
      throw InputError(path, it.key(), "one of the keys " + join_or(keys),
                       "unknown key `" + it.key() + "`",
                       guess.empty() ? "" : "did you mean `" + guess + "`?");
    }

  // The base scenario: a path relative to the sweep file, or an inline object.
  if (!doc.contains("scenario"))
    throw InputError(path, "scenario", "a scenario path or an inline scenario object", "none");
  const json& sc = doc.at("scenario");
  if (sc.is_string()) {
    fs::path p(sc.get<std::string>());
    if (!p.is_absolute()) p = fs::path(dir) / p;
    try {
      s.scenario = load_scenario(p.string());
    } catch (const InputError& e) {
      if (e.where().empty())  // the file itself is missing: say where it was named
        throw InputError(path, "scenario", "the path of a readable scenario file",
                         sc.dump() + " (" + e.what() + ")");
      throw;
    }
  } else if (sc.is_object()) {
    s.scenario = scenario_from_json(sc, path + " (inline scenario)", dir, sc.dump(2));
  } else {
    throw InputError(path, "scenario", "a scenario path or an inline scenario object", sc.dump());
  }

  auto positive_int = [&](const char* key, std::int64_t fallback) -> std::int64_t {
    if (!doc.contains(key)) return fallback;
    const json& v = doc.at(key);
    if (!v.is_number_integer() || v.get<double>() < 1)
      throw InputError(path, key, "an integer >= 1", v.dump());
    return v.get<std::int64_t>();
  };
  s.replicates = positive_int("replicates", s.scenario.base.at("replicates").get<std::int64_t>());
  s.sets_replicates = doc.contains("replicates");
  s.sets_seed = doc.contains("seed");
  // The same range as a scenario's `replicates` (the parameter table): records count replicates
  // in 32 bits, and 10^7 replicates of one point is already far past any useful precision.
  const double max_replicates = find_param("replicates")->max;
  if (static_cast<double>(s.replicates) > max_replicates)
    throw InputError(path, "replicates",
                     "an integer in [1, " + format_count(static_cast<long double>(max_replicates)) +
                         "] (the range of a scenario's `replicates`)",
                     doc.at("replicates").dump(), "lower `replicates`");
  // Bootstrap resamples of the Sobol rows: each costs a full Saltelli estimate at merge time;
  // 10^5 gives intervals far finer than the estimates themselves.
  constexpr std::int64_t kMaxBootstrap = 100000;
  const std::int64_t bootstrap = positive_int("bootstrap", 200);
  if (bootstrap > kMaxBootstrap)
    throw InputError(path, "bootstrap",
                     "an integer in [1, " + std::to_string(kMaxBootstrap) +
                         "] (resamples for the Sobol confidence intervals; 200 is usual)",
                     doc.at("bootstrap").dump(), "lower `bootstrap`");
  s.bootstrap = static_cast<int>(bootstrap);
  if (doc.contains("seed")) {
    const json& v = doc.at("seed");
    if (!v.is_number_integer() || v.get<double>() < 0)
      throw InputError(path, "seed", "a non-negative integer", v.dump());
    s.seed = v.get<std::uint64_t>();
  } else {
    s.seed = s.scenario.base.at("seed").get<std::uint64_t>();
  }
  // The words: strings, the name as an output file's name takes it (checked where it is used).
  for (const char* key : {"name", "title", "description"})
    if (doc.contains(key) && !doc.at(key).is_string())
      throw InputError(path, key, "a string", json_value_text(doc.at(key)));
  s.name = doc.value("name", std::string());
  if (s.name.empty()) s.name = fs::path(path).stem().string();

  // The design: every path `--set` accepts (a numeric parameter, a number inside a distribution
  // or seed object, e.g. population.threshold.value, or, listed by a grid or points design, the
  // strings or booleans of a choice or switch), validated like a --set at every grid value and
  // at the extremes.
  if (!doc.contains("design")) throw InputError(path, "design", "a design object", "none");
  check_level_params(s.scenario, doc.at("design"), path);
  s.design = parse_design(doc.at("design"), path, "design", integer_parameter_paths());
  for (auto& p : s.design.params) {
    const std::string where = "design.parameters." + p.key;
    const std::string head = table_key_of(p.key);
    const ParamSpec* spec = find_param(head);
    if (!spec) {
      // The same message --set gives (unknown key with a did-you-mean, a section, no sub-keys).
      json probe = s.scenario.base;
      set_parameter(probe, p.key, 0.0, path, where);
      throw InputError(path, where, "a parameter key (see `orgsim params`)",
                       "`" + p.key + "`");  // not reached: set_parameter rejects it
    }
    // A list of strings or booleans (levels) varies a choice, a switch or a text: each level is
    // validated below like a --set of it.
    if (p.levels.empty() && head == p.key && spec->type != ParamType::number &&
        spec->type != ParamType::integer)
      throw_not_numeric(s.scenario, *spec, path, where);
    // steps, replicates and seed are study-level settings: every run of a sweep shares them (one
    // step axis in the file, replicate k's seed shared across points). Varying one used to pass
    // here and fail only when the results file was written.
    if (p.key.find('.') == std::string::npos)
      throw InputError(path, where,
                       "a model parameter (a dotted path such as `environment.turnover`; steps, "
                       "replicates and seed are the same for every run of a sweep)",
                       "`" + p.key + "`",
                       p.key == "steps" ? "run the longest horizon and read the shorter ones off "
                                          "the per-step series: a run's first T steps do not "
                                          "depend on its length"
                                        : "set it in the scenario or the sweep file");
    const auto ints = integer_parameter_paths();
    p.integer = std::find(ints.begin(), ints.end(), p.key) != ints.end();
    // Validate the extremes (and every grid value) like a --set.
    json probe = s.scenario.base;
    // A range's ends first, each named by its own JSON path: a grid value between them (1.125
    // of {"min": 0, "max": 1.5, "num": 5}) is one the file never wrote. Only where the scenario
    // has a number at the key (a distribution's field may be missing: that error is the key's).
    const json& written = doc.at("design").at("parameters").at(p.key);
    json own;
    if (s.scenario.base.contains(p.key)) {
      own = s.scenario.base.at(p.key);
    } else if (s.scenario.base.contains(head) && s.scenario.base.at(head).is_object()) {
      std::string pointer = "/" + p.key.substr(head.size() + 1);
      std::replace(pointer.begin(), pointer.end(), '.', '/');
      try {
        own = s.scenario.base.at(head).at(json::json_pointer(pointer));
      } catch (const json::exception&) {
      }
    }
    if (written.is_object() && own.is_number())
      for (const std::string end : {"min", "max"}) {
        try {
          set_parameter(probe, p.key, varied_value(p, end == "min" ? p.min : p.max, path), path,
                        where);
        } catch (const InputError& e) {
          if (e.where() != where) throw;  // another field's rule (at ...): as it is
          throw InputError(path, where + "." + end,
                           "a " + end + " within the values `" + p.key + "` takes (" +
                               e.expected() + ")",
                           written.at(end).dump(),
                           "the range's values run from min to max, each one a value of `" +
                               p.key + "`: " + (end == "min" ? "raise" : "lower") + " `" + end +
                               "`");
        }
      }
    std::vector<double> check = p.values;
    check.push_back(p.min);
    check.push_back(p.max);
    for (double v : check) set_parameter(probe, p.key, varied_value(p, v, path), path, where);
    // An arm may not set the varied value, the object holding it, or a value inside it.
    auto overlaps = [](const std::string& a, const std::string& b) {
      const auto inside = [](const std::string& x, const std::string& y) {
        return x.size() > y.size() && x.compare(0, y.size(), y) == 0 && x[y.size()] == '.';
      };
      return a == b || inside(a, b) || inside(b, a);
    };
    for (std::size_t a = 0; a < s.scenario.arms.size(); ++a) {
      const auto& ov = s.scenario.arms[a].overrides;
      for (auto it = ov.begin(); it != ov.end(); ++it)
        if (overlaps(it.key(), p.key) || (head != p.key && it.key() == head))
          throw InputError(path, where, "a parameter that no arm of the scenario overrides",
                           "arm \"" + s.scenario.arms[a].name + "\" sets `" + it.key() + "`");
    }
    for (std::size_t q = 0; &s.design.params[q] != &p; ++q)
      if (overlaps(s.design.params[q].key, p.key))
        throw InputError(path, where, "a parameter not varied twice",
                         "`" + p.key + "` overlaps `" + s.design.params[q].key + "`");
  }
  // Snapshots grow with every run; a sweep streams its runs and stores none. Asking for them is
  // refused rather than ignored (store them with `orgsim run` of one design point).
  for (std::size_t a = 0; a < s.scenario.arm_params.size(); ++a) {
    const auto& flat = s.scenario.arm_params[a];
    const auto it = flat.find("output.snapshots");
    if (it != flat.end() && *it != 0)
      throw InputError(s.scenario.file,
                       a == 0 && s.scenario.arms.size() == 1
                           ? std::string("output.snapshots")
                           : "output.snapshots (arm \"" + s.scenario.arms[a].name + "\")",
                       "0 in a sweep's scenario (sweeps store no snapshots)", it->dump(),
                       "run one design point with `orgsim run` and output.snapshots to see its network");
  }
  for (const auto& p : s.design.params)
    if (p.key == "output.snapshots")
      throw InputError(path, "design.parameters.output.snapshots",
                       "a model parameter (sweeps store no snapshots)", "output.snapshots");
  generate_points(s.design, s.seed);
  // The plan's size (the design has at most 10^8 points): points x arms x replicates in long double.
  const long double runs = static_cast<long double>(s.design.points.size()) *
                           static_cast<long double>(s.scenario.arms.size()) *
                           static_cast<long double>(s.replicates);
  if (runs > kMaxPlanRuns)
    throw InputError(path, "replicates",
                     "a plan of at most 2^53 runs (points x arms x replicates)",
                     format_count(static_cast<long double>(s.design.points.size())) + " points x " +
                         std::to_string(s.scenario.arms.size()) + " arms x " +
                         std::to_string(s.replicates) + " replicates = " + format_count(runs) +
                         " runs",
                     "fewer points (the design) or replicates");

  // Outputs analysed for sensitivity: default, the summarized per-run outcomes.
  if (doc.contains("outputs")) {
    const json& o = doc.at("outputs");
    if (!o.is_array() || o.empty())
      throw InputError(path, "outputs", "a non-empty array of per-run output names", o.dump());
    std::vector<std::string> names;
    for (const auto& v : per_run_outputs()) names.push_back(v.name);
    for (std::size_t i = 0; i < o.size(); ++i) {
      if (!o[i].is_string() ||
          std::find(names.begin(), names.end(), o[i].get<std::string>()) == names.end())
        throw InputError(path, "outputs[" + std::to_string(i) + "]",
                         "a per-run output: " + join_or(names), o[i].dump());
      s.outputs.push_back(o[i].get<std::string>());
    }
  } else {
    for (const auto& v : per_run_outputs())
      if (v.summarize) s.outputs.push_back(v.name);
  }
  // Every (point, arm) must make a valid configuration (a cross-field rule such as seed ids
  // below population.size can fail at any point, not only at the corners): check them all now,
  // not mid-sweep. Each run builds its configuration again, so this costs at most one run's
  // configuration per point and arm; a point repeated in the design is checked once.
  // "(design point 3: population.size = 50, arm "x")": which point a whole-configuration rule
  // or an edge list failed at.
  auto point_text = [&s](std::int64_t pt, std::int32_t a) {
    std::string values;
    for (std::size_t k = 0; k < s.design.params.size(); ++k)
      values += (k ? ", " : "") + s.design.params[k].key + " = " +
                varied_value(s.design.params[k],
                             s.design.points[static_cast<std::size_t>(pt)][k], s.file)
                    .dump();
    return " (design point " + std::to_string(pt) + ": " + values +
           (s.arms() > 1
                ? ", arm \"" + s.scenario.arms[static_cast<std::size_t>(a)].name + "\""
                : std::string()) +
           ")";
  };
  // An arm's edge list was read at load for the scenario's own population.size; a design that
  // resizes the population reads it at run time, so it is checked here for every size it uses.
  struct EdgeListUse {
    std::int64_t point;
    std::int32_t arm, n;
    std::string written;
  };
  std::map<std::string, std::vector<EdgeListUse>> edge_lists;  // by resolved path
  std::set<std::vector<double>> checked;
  for (std::int64_t pt = 0; pt < s.points(); ++pt)
    if (checked.insert(s.design.points[static_cast<std::size_t>(pt)]).second)
      for (std::int32_t a = 0; a < static_cast<std::int32_t>(s.arms()); ++a) {
        try {
          const ModelConfig c = sweep_config(s, pt, a);
          const auto& nets = s.scenario.arm_networks;
          const auto arm = static_cast<std::size_t>(a);
          const bool read_at_load = arm < nets.size() && nets[arm] && nets[arm]->n == c.n;
          if (c.network.type == NetworkType::edge_list && !read_at_load)
            edge_lists[c.network.path].push_back({pt, a, c.n, c.network.path_for_errors});
        } catch (const InputError& e) {
          if (e.where().find("design point") != std::string::npos) throw;
          // A rule of the whole configuration (make_config knows no design point): say which.
          throw InputError(e.file(), e.where() + point_text(pt, a), e.expected(), e.found(),
                           e.hint());
        }
      }
  // Each list is read once, for the largest population that uses it; a smaller one fails only
  // if the list names an agent beyond it, and is read again for the message (file and line).
  for (const auto& [list, uses] : edge_lists) {
    auto read = [&, &list = list](const EdgeListUse& u) {
      try {
        return read_edge_list(list, u.written, u.n);
      } catch (const InputError& e) {
        throw_edge_list_error(s.scenario, static_cast<std::size_t>(u.arm), u.written, e,
                              point_text(u.point, u.arm));
      }
    };
    const auto largest = std::max_element(
        uses.begin(), uses.end(), [](const auto& x, const auto& y) { return x.n < y.n; });
    const Network net = read(*largest);
    const std::int32_t top =
        net.neighbors.empty() ? -1 : *std::max_element(net.neighbors.begin(), net.neighbors.end());
    for (const auto& u : uses)
      if (u.n <= top) read(u);  // throws: the list names an agent past this population
  }
  return s;
}

bool is_sweep_file(const std::string& path) {
  // Not a regular file (a directory, a FIFO, /dev/zero): the scenario loader names the problem.
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return false;
  std::ifstream in(path);
  if (!in) return false;
  try {
    const auto doc = json::parse(in);
    return doc.is_object() && doc.contains("design");
  } catch (...) {
    return false;
  }
}

namespace {
ModelConfig config_at(const Sweep& s, const std::vector<double>& values, std::int32_t arm,
                      const std::string& where) {
  json flat = s.scenario.base;
  for (std::size_t k = 0; k < s.design.params.size(); ++k) {
    const auto& p = s.design.params[k];
    set_parameter(flat, p.key, varied_value(p, values[k], s.file), s.file, where + ": " + p.key);
  }
  const auto& ov = s.scenario.arms[static_cast<std::size_t>(arm)].overrides;
  for (auto it = ov.begin(); it != ov.end(); ++it)
    set_parameter(flat, it.key(), *it, s.scenario.file,
                  "arms[" + std::to_string(arm) + "].set." + it.key());
  flat["replicates"] = s.replicates;
  flat["seed"] = s.seed;
  return make_config(flat, s.scenario.file, s.scenario.dir, s.rosters.get());
}
}  // namespace

ModelConfig sweep_config(const Sweep& s, std::int64_t point, std::int32_t arm) {
  return config_at(s, s.design.points[static_cast<std::size_t>(point)], arm,
                   "design point " + std::to_string(point));
}

ModelConfig sweep_largest_config(const Sweep& s, std::string* size_key) {
  // Memory grows with population.size and the degrees: try every parameter at its maximum
  // together, then each alone (a combination may break a cross-field rule), and the corners.
  std::vector<std::vector<double>> candidates = {s.design.points.front(), s.design.points.back()};
  std::vector<double> all_max;
  for (const auto& p : s.design.params) all_max.push_back(p.max);
  candidates.push_back(all_max);
  for (std::size_t k = 0; k < s.design.params.size(); ++k) {
    std::vector<double> v = s.design.points.front();
    v[k] = s.design.params[k].max;
    candidates.push_back(v);
  }
  std::optional<ModelConfig> best;
  double best_bytes = -1;
  for (const auto& v : candidates)
    for (std::int32_t a = 0; a < static_cast<std::int32_t>(s.arms()); ++a) {
      try {
        ModelConfig c = config_at(s, v, a, "design maximum");
        const double b = estimate_run_bytes(c);
        if (b > best_bytes) {
          best_bytes = b;
          best = std::move(c);
        }
      } catch (const InputError&) {
        // not a point of the design: its corners and single maxima still bound the size
      }
    }
  if (size_key) {
    *size_key = "population.size";
    for (const auto& p : s.design.params)
      if (p.key == "population.size") *size_key = "design.parameters.population.size";
  }
  return best ? *best : sweep_config(s, 0, 0);
}

double sweep_output_bytes_per_run(const Sweep& s) {
  const auto steps = static_cast<double>(s.scenario.base.at("steps").get<std::int64_t>());
  return steps * static_cast<double>(per_step_outputs().size()) * 4.0 +
         static_cast<double>(per_run_outputs().size() + s.design.params.size()) * 8.0 + 64.0;
}

ResourceEstimate estimate_resources(const Sweep& s, unsigned threads) {
  // Runs stream to parts; the final file's builder keeps each run's analysed outcomes
  // (y[arm][output][point][replicate], 8 bytes each), each run's record without its series (its
  // per-run values and parameters, 8 bytes each, and wins: for the durability estimate and the
  // summary) and a queue of about 256 finished records.
  const double per_run_out = sweep_output_bytes_per_run(s);
  const double kept = static_cast<double>(s.outputs.size() + per_run_outputs().size() +
                                          s.design.params.size()) * 8.0 +
                      static_cast<double>(sizeof(RunRecord));
  ResourceEstimate e = estimate_resources(
      sweep_largest_config(s, nullptr), static_cast<long double>(s.total_runs()),
      s.scenario.base.at("steps").get<std::int64_t>(), threads, kept, per_run_out);
  e.held_bytes += 256.0 * per_run_out;
  e.memory_bytes += 256.0 * per_run_out;
  return e;
}

void check_resources(const Sweep& s, unsigned threads) {
  std::string key;
  const ModelConfig largest = sweep_largest_config(s, &key);
  check_resources(estimate_resources(s, threads), largest, s.file, key);
}

/// The master seed of a design point's replicates: the sweep's, or the point's own (a points
/// design with `seeds`).
static std::uint64_t point_master_seed(const Sweep& s, std::int32_t point) {
  const auto& ps = s.design.point_seeds;
  return ps.empty() ? s.seed : ps[static_cast<std::size_t>(point)];
}

RunRecord sweep_run_identity(const Sweep& s, std::int64_t run) {
  const std::int64_t per_point = s.arms() * s.replicates;
  RunRecord r;
  r.run = run;
  r.point = static_cast<std::int32_t>(run / per_point);
  r.arm = static_cast<std::int32_t>((run % per_point) / s.replicates);
  r.replicate = static_cast<std::int32_t>(run % s.replicates);
  r.seed = replicate_seed(point_master_seed(s, r.point), static_cast<std::uint64_t>(r.replicate));
  r.params = s.design.points[static_cast<std::size_t>(r.point)];
  return r;
}

RunRecord run_sweep_run(const Sweep& s, std::int64_t run) {
  const auto start = std::chrono::steady_clock::now();
  RunRecord r = sweep_run_identity(s, run);
  const ModelConfig cfg = sweep_config(s, r.point, r.arm);
  // The arm's edge list, read once when the scenario was loaded (unless the design resizes it).
  const auto& nets = s.scenario.arm_networks;
  const auto a = static_cast<std::size_t>(r.arm);
  const Network* edges = a < nets.size() && nets[a] && nets[a]->n == cfg.n ? nets[a].get() : nullptr;
  Simulation sim(cfg, r.seed, edges);
  sim.run();
  // The state after the run (ranges, counts, the graph): a pass over the agents and one over the
  // ties. The cached measures are checked against fresh ones by the invariants build, every step.
  sim.check_invariants(Simulation::Audit::state);
  r.per_step = sim.per_step_values();
  r.per_run = sim.per_run_values();
  for (double v : r.per_run)
    if (std::isinf(v)) throw RunError("a per-run output is infinite");
  r.wins = sim.wins().events();
  r.actions = sim.action_events();
  r.status = 1;
  r.wall_seconds = std::chrono::duration<float>(std::chrono::steady_clock::now() - start).count();
  return r;
}

FileHeader sweep_header(const Sweep& s, const std::string& command_line) {
  FileHeader h;
  h.kind = "sweep";
  h.design = design_type_name(s.design.type);
  h.master_seed = s.seed;
  h.n_runs_planned = s.total_runs();
  h.n_steps = s.scenario.base.at("steps").get<std::int32_t>();
  for (const auto& a : s.scenario.arms) h.arm_names.push_back(a.name);
  for (const auto& p : s.design.params) {
    ParamText text = param_text(p.key);
    VariedParam v{p.key, text.units, p.min, p.max, text.long_name, text.description, {}};
    if (!p.levels.empty()) {
      // A swept choice or switch: the column holds indices, which have no units.
      v.units.clear();
      v.levels = json(p.levels).dump();
      v.description += " (the index into the levels attribute, " + v.levels + ")";
    }
    h.varied.push_back(std::move(v));
  }
  h.scenario_json = s.scenario.raw_text;
  json resolved = {{"base", s.scenario.base}, {"arms", json::array()}};
  for (std::size_t a = 0; a < s.scenario.arms.size(); ++a)
    resolved["arms"].push_back(
        {{"name", s.scenario.arms[a].name}, {"overrides", s.scenario.arms[a].overrides}});
  // The data files the arms read, with their contents' hashes: a resume or a merge refuses parts
  // written before one of them changed (inputs_differ).
  resolved["files"] = input_files(s.scenario);
  h.resolved_params_json = resolved.dump(2);
  h.parameter_table_json = parameters_json().dump(2);
  h.sweep_json = s.raw_text;
  h.command_line = command_line;
  // A roster fixes the population, so the first point's arms carry the sweep's roster.
  std::vector<ModelConfig> arms;
  for (std::int32_t a = 0; a < static_cast<std::int32_t>(s.arms()); ++a)
    if (s.scenario.arm_params[static_cast<std::size_t>(a)].at("network.type") ==
        network_type_name(NetworkType::roster))
      arms.push_back(sweep_config(s, 0, a));
  add_roster(h, arms);
  return h;
}

namespace {

struct PartName {
  std::string writer;
  std::int64_t seq = 0;
};

/// part-<writer>-g<generation>-<seq>.h5 -> (writer, seq); false for files not named part-*.h5,
/// an InputError for a part-*.h5 name not of that form (decimal generation and seq).
bool parse_part_name(const std::string& filename, PartName& out) {
  if (filename.rfind("part-", 0) != 0 || filename.size() < 9 ||
      filename.substr(filename.size() - 3) != ".h5")
    return false;
  const std::string core = filename.substr(5, filename.size() - 8);
  const auto digits = [](const std::string& t) {
    return !t.empty() && t.size() <= 9 && t.find_first_not_of("0123456789") == std::string::npos;
  };
  const auto dash = core.rfind('-');
  const auto gen = dash == std::string::npos ? dash : core.rfind("-g", dash - 1);
  if (dash == std::string::npos || gen == std::string::npos || gen == 0 ||
      !digits(core.substr(dash + 1)) || !digits(core.substr(gen + 2, dash - gen - 2)))
    throw InputError(filename, "", "a part file name part-<writer>-g<generation>-<seq>.h5 "
                                   "(decimal numbers) in the parts folder",
                     "\"" + filename + "\"", "move the file out of the parts folder");
  out.writer = core.substr(0, dash);
  out.seq = std::stoll(core.substr(dash + 1));
  return true;
}

std::vector<std::pair<PartName, std::string>> list_parts(const std::string& dir) {
  std::vector<std::pair<PartName, std::string>> parts;
  if (!fs::exists(dir)) return parts;
  for (const auto& e : fs::directory_iterator(dir)) {
    PartName pn;
    if (e.is_regular_file() && parse_part_name(e.path().filename().string(), pn))
      parts.emplace_back(pn, e.path().string());
  }
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) {
    return a.first.writer != b.first.writer ? a.first.writer < b.first.writer
                                            : a.first.seq < b.first.seq;
  });
  return parts;
}

/// A build's commit in words: "commit 0123456789ab" (+ " with uncommitted changes").
std::string commit_text(const std::string& commit, const std::string& dirty) {
  if (commit == "unknown") return "an unknown commit (built outside a git checkout)";
  return "commit " + commit + (dirty == "true" ? " with uncommitted changes" : "");
}

/// Checks that the parts of a sweep were written by this build of orgsim, for `action` (resume,
/// merge): a part of another version is refused; a part of another git commit is refused unless
/// `allow_commit_change`, and then counted for one warning (warn_mixed).
class PartBuildCheck {
 public:
  PartBuildCheck(std::string action, bool allow_commit_change)
      : action_(std::move(action)), allow_(allow_commit_change) {}
  void check(const std::string& file, const FileHeader& header) {
    if (!header.orgsim_version.empty() && header.orgsim_version != kVersion)
      throw UsageError("cannot " + action_ + ": " + file + " was written by orgsim " +
                       header.orgsim_version + ", this is orgsim " + kVersion +
                       " (finish the sweep with that version, or start again)");
    // The same version number spans many commits: a rebuild after `git pull` would finish the
    // sweep with other code, in one file that records only this build's commit.
    const std::string& commit = header.git_commit;
    if (commit.empty() || commit == kGitCommit) return;
    if (!allow_)
      throw CommitChangeError(
          "cannot " + action_ + ": " + file +
          ": /@git_commit: expected a part written by this "
          "build of orgsim (" +
          commit_text(kGitCommit, kGitDirty) +
          "), found a part written "
          "by " +
          commit_text(commit, header.git_dirty) +
          ". Its runs and this build's "
          "would be mixed in one results file that records only this build's commit: " +
          (action_ == "merge" ? "merge with a build of commit " + commit
                              : "finish the sweep with a build of commit " + commit) +
          ", start the sweep again (delete " + fs::path(file).parent_path().string() +
          "), or pass --allow-commit-change to " + action_ + " anyway");
    if (other_parts_++ == 0) {
      other_file_ = file;
      other_commit_ = commit_text(commit, header.git_dirty);
    }
  }
  /// One warning naming the first part of another build, when there was one.
  void warn_mixed(const std::string& parts_dir,
                  const std::function<void(const std::string&)>& warn) const {
    if (other_parts_ > 0 && warn)
      warn(std::to_string(other_parts_) + " part(s) in " + parts_dir + " were written by another "
           "build (--allow-commit-change): " + other_file_ + " by " + other_commit_ + ", this "
           "orgsim is " + commit_text(kGitCommit, kGitDirty) + "; the final file will mix their "
           "runs and record only this build's commit");
  }

 private:
  std::string action_;
  bool allow_;
  std::string other_file_, other_commit_;  // the first part of another commit
  std::int64_t other_parts_ = 0;
};

/// What differs between the inputs part `file` was written for (`part`) and those of `now`, as a
/// sentence for an error, or "" when nothing does. Compared: the sweep specification (as JSON, so
/// spacing, key order and a scenario path written another way do not count), the scenario's
/// resolved parameters (its file, its bases: the first key that differs, with both values), its
/// arms, the data files it reads (by their contents' SHA-256) and the roster. A part of a build
/// that recorded no data files (before 2026-12-04) is not compared on them. `merging`: `now` is
/// another part's header (the words say "differs from the first part's", not "has changed").
std::string inputs_differ(const FileHeader& part, const FileHeader& now, const std::string& file,
                          bool merging = false) {
  const std::string changed =
      merging ? "differs from the first part's" : "has changed since the sweep started";
  const std::string changed_pl =
      merging ? "differ from the first part's" : "have changed since the sweep started";
  const auto parse = [&](const std::string& text, const std::string& where) {
    try {
      return json::parse(text);
    } catch (const json::exception&) {
      throw InputError(file, where, "JSON text", "text that does not parse");
    }
  };
  json spec_then = parse(part.sweep_json, "/provenance/sweep_json");
  json spec_now = json::parse(now.sweep_json);
  for (json* sp : {&spec_then, &spec_now})
    if (sp->is_object() && sp->contains("scenario") && (*sp)["scenario"].is_string())
      sp->erase("scenario");  // the scenario is compared by its resolved parameters below
  if (spec_then != spec_now) {
    std::string key;
    if (spec_then.is_object() && spec_now.is_object())
      for (const json* o : {&spec_then, &spec_now})
        for (auto it = o->begin(); it != o->end() && key.empty(); ++it)
          if (!spec_then.contains(it.key()) || !spec_now.contains(it.key()) ||
              spec_then[it.key()] != spec_now[it.key()])
            key = it.key();
    return "the sweep file " + changed + (key.empty() ? std::string() : " (its `" + key + "`)");
  }
  const json then = parse(part.resolved_params_json, "/provenance/resolved_params_json");
  const json cur = json::parse(now.resolved_params_json);
  const auto value_text = [](const json& o, const std::string& k) {
    return o.contains(k) ? o.at(k).dump() : std::string("not set");
  };
  const json& base_then = then.contains("base") ? then.at("base") : json::object();
  const json& base_now = cur.at("base");
  // The first key that differs, down into objects (a distribution: population.threshold.mean).
  std::function<std::string(const json&, const json&, const std::string&)> first_change =
      [&](const json& a, const json& b, const std::string& prefix) -> std::string {
    for (const json* o : {&a, &b})
      for (auto it = o->begin(); it != o->end(); ++it) {
        const std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
        if (value_text(a, it.key()) == value_text(b, it.key())) continue;
        // A data file's path depends on where the sweep was started from when a base names it
        // (made relative to the base's folder as the command line gave it): such files are
        // compared by their contents below, when the part recorded them.
        if (const ParamSpec* spec = find_param(key); spec && spec->type == ParamType::path &&
                                                     then.contains("files") &&
                                                     cur.contains("files"))
          continue;
        if (a.contains(it.key()) && b.contains(it.key()) && a.at(it.key()).is_object() &&
            b.at(it.key()).is_object())
          if (std::string inner = first_change(a.at(it.key()), b.at(it.key()), key); !inner.empty())
            return inner;
        return key + (merging ? " is " : " was ") + value_text(a, it.key()) +
               (merging ? " in this part, " : ", is now ") + value_text(b, it.key()) +
               (merging ? " in the first" : "");
      }
    return "";
  };
  if (const std::string change = first_change(base_then, base_now, ""); !change.empty())
    return "the scenario " + changed + ": " + change;
  if (value_text(then, "arms") != value_text(cur, "arms"))
    return "the scenario's arms " + changed_pl + " (their names or what they set)";
  if (then.contains("files") && cur.contains("files")) {
    // Compared by key and contents, not by path (see above).
    std::multiset<std::pair<std::string, std::string>> files_then, files_now;
    for (const json& f : then.at("files"))
      files_then.insert({f.value("key", ""), f.value("sha256", "")});
    for (const json& f : cur.at("files"))
      files_now.insert({f.at("key").get<std::string>(), f.at("sha256").get<std::string>()});
    if (files_then != files_now) {
      for (const json& f : cur.at("files"))
        if (files_then.count({f.at("key"), f.at("sha256")}) == 0)
          return "the data file " + f.at("path").get<std::string>() + " (" +
                 f.at("key").get<std::string>() + ") " + changed;
      return merging ? "the scenario reads other data files than in the first part"
                     : "the scenario reads other data files than when the sweep started";
    }
  }
  if (part.roster_names != now.roster_names || part.roster_departments != now.roster_departments ||
      part.roster_shifts != now.roster_shifts || part.roster_roles != now.roster_roles ||
      part.roster_leader != now.roster_leader)
    return "the roster " + changed;
  return "";
}

/// Reads every finished part of `parts_dir` (per-run values only), checks that it belongs to this
/// sweep file, engine version and git commit (refusing, for `action`, otherwise; parts of another
/// commit are let through with a warning when `allow_commit_change`), marks its runs in `done`,
/// and returns the parts' names.
std::vector<PartName> scan_parts(const Sweep& s, const std::string& parts_dir,
                                 std::vector<char>& done, const std::string& action,
                                 bool allow_commit_change = false,
                                 const std::function<void(const std::string&)>& warn = {}) {
  std::vector<PartName> names;
  PartBuildCheck build(action, allow_commit_change);
  std::optional<FileHeader> now;  // the inputs as they are, built when the first part is read
  for (const auto& [pn, file] : list_parts(parts_dir)) {
    const ResultsFile rf = read_results(file, /*with_series=*/false);
    if (!now) now = sweep_header(s, "");
    if (const std::string why = inputs_differ(rf.header, *now, file); !why.empty())
      throw InputError(file, "/provenance",
                       "a part written for the sweep and the scenario as they are now", why,
                       "cannot " + action +
                           " a sweep whose inputs changed: its runs would mix "
                           "two experiments. Restore what changed, or start the sweep again under "
                           "another output name");
    build.check(file, rf.header);
    for (const auto& r : rf.runs)
      if (r.run >= 0 && r.run < s.total_runs()) done[static_cast<std::size_t>(r.run)] = 1;
    names.push_back(pn);
  }
  build.warn_mixed(parts_dir, warn);
  return names;
}

/// An advisory flock(2) on a lock file of a sweep's parts directory, released when destroyed
/// (and by the kernel when the process dies, so a crash never leaves a stale lock). The file
/// holds the holder's pid, host and start time, for the message a second writer gets.
class FileLock {
 public:
  FileLock() = default;
  FileLock(const std::string& path, bool exclusive) : path_(path) {
    for (int attempt = 0; attempt < 50; ++attempt) {
      fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
      if (fd_ < 0)
        throw RunError("cannot create the lock file " + path + ": " + std::strerror(errno));
      if (::flock(fd_, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
        const int err = errno;
        const std::string holder = read_holder(fd_);
        ::close(fd_);
        fd_ = -1;
        if (err == EWOULDBLOCK) throw Busy{holder};
        throw RunError("cannot lock " + path + ": " + std::strerror(err) +
                       " (on NFS, locks need NFSv4 or lockd; see docs/RELIABILITY.md)");
      }
      // The lock file may have been removed (by a merge) between open and flock: then retry
      // on the new file, so that two processes never hold locks on different inodes.
      struct stat a {}, b {};
      if (::fstat(fd_, &a) == 0 && ::stat(path.c_str(), &b) == 0 && a.st_ino == b.st_ino &&
          a.st_dev == b.st_dev)
        return;
      ::close(fd_);
      fd_ = -1;
    }
    throw RunError("cannot lock " + path + ": the lock file keeps being replaced");
  }
  ~FileLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  FileLock(FileLock&& o) noexcept : path_(std::move(o.path_)), fd_(std::exchange(o.fd_, -1)) {}
  FileLock& operator=(FileLock&& o) noexcept {
    if (this != &o) {
      if (fd_ >= 0) ::close(fd_);
      path_ = std::move(o.path_);
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  /// Records this process as the holder (pid, host, start time).
  void write_holder() {
    char host[256] = "";
    ::gethostname(host, sizeof host - 1);
    const std::time_t now = std::time(nullptr);
    char when[64] = "";
    std::strftime(when, sizeof when, "%Y-%m-%d %H:%M:%S %Z", std::localtime(&now));
    const std::string text = "pid " + std::to_string(::getpid()) + " on host " + host +
                             " since " + when + "\n";
    if (::ftruncate(fd_, 0) == 0 && ::pwrite(fd_, text.data(), text.size(), 0) >= 0)
      ::fsync(fd_);
  }
  /// Removes the lock file while holding it (a merge that leaves no parts behind).
  void remove_file() {
    if (fd_ >= 0) ::unlink(path_.c_str());
  }

  struct Busy {
    std::string holder;
  };

  static std::string read_holder(int fd) {
    char buf[512] = "";
    const ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
    std::string text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
    return text.empty() ? "another process" : text;
  }

 private:
  std::string path_;
  int fd_ = -1;
};

/// Guards a sweep's parts directory (docs/RELIABILITY.md): a single-process sweep, its --resume
/// and a merge hold PARTS_DIR/.lock exclusively; a shard (or MPI rank) holds it shared and its own
/// PARTS_DIR/.lock-<writer> exclusively, so shards run side by side but never twice, and a merge
/// waits for all of them. A second writer gets a RunError naming the holder.
struct PartsLock {
  FileLock dir_lock, writer_lock;
  PartsLock(const std::string& parts_dir, const std::string& writer_tag, bool shared) {
    const std::string main = parts_dir + "/.lock";
    try {
      dir_lock = FileLock(main, !shared);
      if (!shared) dir_lock.write_holder();
      if (shared) {
        writer_lock = FileLock(parts_dir + "/.lock-" + writer_tag, true);
        writer_lock.write_holder();
      }
    } catch (const FileLock::Busy& b) {
      std::string holder = b.holder;
      if (!shared || holder == "another process") {
        // Held shared by shards: name them from their own lock files.
        std::string shards;
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(parts_dir, ec)) {
          const std::string fn = e.path().filename().string();
          if (fn.rfind(".lock-", 0) != 0) continue;
          const int fd = ::open(e.path().c_str(), O_RDONLY | O_CLOEXEC);
          if (fd < 0) continue;
          if (::flock(fd, LOCK_SH | LOCK_NB) != 0)
            shards += (shards.empty() ? "" : "; ") + fn.substr(6) + ": " + FileLock::read_holder(fd);
          ::close(fd);
        }
        if (!shards.empty()) holder = shards;
      }
      throw RunError(parts_dir + " is being written by " + holder +
                     " (wait for it to finish, or stop it; `orgsim status " + parts_dir +
                     "` shows its progress)");
    }
  }
};

std::string seq_text(std::int64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%06lld", static_cast<long long>(seq));
  return buf;
}

/// After the final file is in place: removes the part files that went into it (only those), the
/// lock file, and the directory if nothing else is left in it. A file the user put there stays.
void remove_parts(const std::string& parts_dir, const std::vector<std::string>& parts,
                  FileLock& lock) {
  std::error_code ec;
  for (const auto& p : parts) fs::remove(p, ec);
  bool others = false;  // another shard's lock file counts as left over only if it is held
  for (const auto& e : fs::directory_iterator(parts_dir, ec)) {
    const std::string fn = e.path().filename().string();
    if (fn == ".lock") continue;
    if (fn.rfind(".lock-", 0) == 0) {
      const int fd = ::open(e.path().c_str(), O_RDONLY | O_CLOEXEC);
      const bool held = fd >= 0 && ::flock(fd, LOCK_SH | LOCK_NB) != 0;
      if (fd >= 0) ::close(fd);
      if (!held) {
        fs::remove(e.path(), ec);
        continue;
      }
    }
    others = true;
  }
  if (others) return;
  lock.remove_file();
  fs::remove(parts_dir, ec);  // only if empty
}

}  // namespace

namespace {

/// Builds a sweep's final file from its runs in run order (from the parts by merge_parts, or as
/// they finish by run_sweep): appends them in batches, keeps the per-run outcomes the sensitivity
/// indices need and the runs' win lists for the durability estimate, and at finish() checks that
/// every planned run came exactly once, adds /design, /durability and (sobol, morris)
/// /sensitivity, and renames the file into place. `where` names the runs' origin in errors.
class FinalFile {
 public:
  FinalFile(const FileHeader& header, const std::string& where, const std::string& out)
      : header_(header), where_(where), writer_(out, header) {
    init();
  }
  /// The same file built in memory (sweep_to_image).
  FinalFile(const FileHeader& header, const std::string& where, ResultsWriter::InMemory tag)
      : header_(header), where_(where), writer_(tag, where, header) {
    init();
  }
  const std::vector<unsigned char>& image() const { return writer_.image(); }

 private:
  void init() {
    // The design, regenerated from the sweep specification stored in the header (deterministic).
    spec_ = json::parse(header_.sweep_json);
    design_ = parse_design(spec_.at("design"), where_, "design", integer_parameter_paths());
    generate_points(design_, header_.master_seed);
    n_points_ = static_cast<std::int64_t>(design_.points.size());
    n_arms_ = static_cast<std::int64_t>(header_.arm_names.size());
    reps_ = n_points_ > 0 && n_arms_ > 0 ? header_.n_runs_planned / (n_points_ * n_arms_) : 0;
    if (spec_.contains("outputs")) {
      for (const auto& o : spec_.at("outputs")) outputs_.push_back(o.get<std::string>());
    } else {
      for (const auto& v : per_run_outputs())
        if (v.summarize) outputs_.push_back(v.name);
    }
    // Per-run outcomes kept for the sensitivity analysis: [arm][output][point][replicate].
    y_.assign(static_cast<std::size_t>(n_arms_),
              std::vector<std::vector<std::vector<double>>>(
                  outputs_.size(),
                  std::vector<std::vector<double>>(
                      static_cast<std::size_t>(n_points_),
                      std::vector<double>(static_cast<std::size_t>(reps_), std::nan("")))));
  }

 public:
  /// Appends the next run (its index must be the next planned one).
  void add(RunRecord&& r) { add(std::make_shared<const RunRecord>(std::move(r))); }
  /// The same, for a record shared with the sweep's part batch (not copied).
  void add(std::shared_ptr<const RunRecord> shared) {
    const RunRecord& r = *shared;
    if (r.run != expected_)
      throw InputError(where_, "run " + std::to_string(expected_),
                       "every planned run exactly once",
                       r.run < expected_ ? "run " + std::to_string(r.run) + " twice"
                                         : "run " + std::to_string(expected_) + " missing");
    // read_results() has checked every code against its file's bounds; here they must also fit
    // this sweep's design and agree with the run index.
    if (r.arm < 0 || r.arm >= n_arms_ || r.point < 0 || r.point >= n_points_ || r.replicate < 0 ||
        r.replicate >= reps_ || (r.point * n_arms_ + r.arm) * reps_ + r.replicate != r.run)
      throw InputError(where_, "run " + std::to_string(r.run),
                       "point, arm and replicate codes matching the run index in a design of " +
                           std::to_string(n_points_) + " point(s), " + std::to_string(n_arms_) +
                           " arm(s) and " + std::to_string(reps_) + " replicate(s)",
                       "point " + std::to_string(r.point) + ", arm " + std::to_string(r.arm) +
                           ", replicate " + std::to_string(r.replicate));
    if (r.status == 1)
      for (std::size_t o = 0; o < outputs_.size(); ++o)
        y_[static_cast<std::size_t>(r.arm)][o][static_cast<std::size_t>(r.point)]
          [static_cast<std::size_t>(r.replicate)] = r.per_run[per_run_index(outputs_[o])];
    // Everything but the series, the action events and snapshots: for the durability estimate
    // and the recap (the summary).
    RunRecord light;
    light.arm = r.arm;
    light.status = r.status;
    light.wins = r.wins;
    if (keep_recap_) {
      light.run = r.run;
      light.replicate = r.replicate;
      light.point = r.point;
      light.seed = r.seed;
      light.wall_seconds = r.wall_seconds;
      light.per_run = r.per_run;
      light.params = r.params;
      light.message = r.message;
    }
    light_.push_back(std::move(light));
    batch_.push_back(std::move(shared));
    ++expected_;
    if (batch_.size() >= 256) append_batch();
  }

  std::int64_t added() const { return expected_; }

  /// Keep each run's record without its series for recap() (otherwise only what the durability
  /// estimate needs).
  void keep_recap() { keep_recap_ = true; }
  /// At most this many threads compress the series (the sweep's --threads).
  void set_threads(unsigned threads) { writer_.set_threads(threads); }

  /// After finish(), with keep_recap(): the runs without their series and action events, and
  /// the durability estimates.
  void recap(SweepRecap& out) {
    out.arm_names = header_.arm_names;
    out.runs = std::move(light_);
    out.durability = std::move(durability_);
    out.filled = true;
  }

  void finish() {
    append_batch();
    if (expected_ != header_.n_runs_planned)
      throw InputError(where_, "", std::to_string(header_.n_runs_planned) + " runs",
                       std::to_string(expected_) + " runs (is a shard missing?)");
    durability_ = durability_by_arm(light_, header_.arm_names, header_.n_steps);
    writer_.set_durability(durability_);
    DesignTable table;
    table.type = design_type_name(design_.type);
    for (const auto& p : design_.params) table.keys.push_back(p.key);
    table.points = design_.points;
    table.unit = design_.unit;
    writer_.set_design(table);
    if (design_.type == DesignType::sobol || design_.type == DesignType::morris)
      writer_.set_sensitivity(sensitivity(design_, outputs_, y_, spec_.value("bootstrap", 200),
                                          header_.master_seed));
    writer_.finish();
  }

 private:
  FileHeader header_;
  std::string where_;
  ResultsWriter writer_;
  json spec_;
  Design design_;
  std::int64_t n_points_ = 0, n_arms_ = 0, reps_ = 0, expected_ = 0;
  std::vector<std::string> outputs_;
  std::vector<std::vector<std::vector<std::vector<double>>>> y_;
  std::vector<std::shared_ptr<const RunRecord>> batch_;
  bool keep_recap_ = false;
  std::vector<RunRecord> light_;
  std::vector<ArmDurability> durability_;

  void append_batch() {
    if (batch_.empty()) return;
    writer_.append(RunList(batch_));
    batch_.clear();
  }
};

}  // namespace

/// The record of a run that failed with `message`: status 2, NaN values.
static RunRecord failed_run_record(const Sweep& s, std::int64_t run, std::int32_t n_steps,
                            const std::string& message) {
  RunRecord r = sweep_run_identity(s, run);
  r.status = 2;
  r.message = message;
  r.per_step.assign(per_step_outputs().size() * static_cast<std::size_t>(n_steps), std::nanf(""));
  r.per_run.assign(per_run_outputs().size(), std::nan(""));
  return r;
}

std::vector<unsigned char> sweep_to_image(const Sweep& s, unsigned threads,
                                          const std::string& command_line,
                                          std::vector<std::string>* failures) {
  const FileHeader header = sweep_header(s, command_line);
  const std::int64_t total = s.total_runs();
  std::vector<RunRecord> records(static_cast<std::size_t>(total));
  std::vector<std::string> messages(static_cast<std::size_t>(total));
  std::atomic<std::int64_t> next{0};
  auto work = [&] {
    for (std::int64_t run = next++; run < total; run = next++) {
      auto& r = records[static_cast<std::size_t>(run)];
      try {
        r = run_sweep_run(s, run);
      } catch (const std::exception& e) {
        r = failed_run_record(s, run, header.n_steps, e.what());
        messages[static_cast<std::size_t>(run)] = e.what();
      }
    }
  };
  const unsigned nt = threads_used(threads, static_cast<long double>(total));
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < nt; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  FinalFile final_file(header, "<in memory: " + s.name + ">", ResultsWriter::InMemory{});
  for (std::int64_t run = 0; run < total; ++run) {
    if (failures && !messages[static_cast<std::size_t>(run)].empty())
      failures->push_back("run " + std::to_string(run) + ": " +
                          messages[static_cast<std::size_t>(run)]);
    final_file.add(std::move(records[static_cast<std::size_t>(run)]));
  }
  final_file.finish();
  return final_file.image();
}

SweepOptions sweep_options(const SweepChoices& c) {
  SweepOptions opt;
  opt.threads = c.threads;
  opt.shard = c.shard;
  opt.shards = c.shards;
  opt.resume = c.resume;
  opt.allow_commit_change = c.allow_commit_change;
  opt.part_runs = c.part_runs;
  opt.command_line = c.command_line;
  if (!c.warn_as.empty())  // warnings are printed with --quiet too
    opt.warn = [name = c.warn_as](const std::string& w) {
      std::cerr << name << ": warning: " << w << "\n";
    };
  // a fresh sweep builds its file as it runs (no merge at the end)
  opt.build_final = c.shards == 1;
  return opt;
}

std::int64_t run_sweep(const Sweep& s, const std::string& out, const SweepOptions& opt,
                       const std::function<void(const SweepProgress&)>& progress) {
  const std::string parts_dir = out + ".parts";
  std::vector<char> done(static_cast<std::size_t>(s.total_runs()), 0);
  int generation = 0;
  const std::string shard_tag =
      !opt.writer.empty() ? opt.writer
                          : "s" + std::to_string(opt.shard) + "of" + std::to_string(opt.shards);
  // A sink (an MPI rank but 0) writes nothing: rank 0 holds the directory and writes its runs.
  const bool to_sink = static_cast<bool>(opt.sink);
  // One writer per parts directory (or per shard of it): a second sweep, or a --resume of a
  // running sweep, stops here with the holder's pid, host and start time.
  if (!to_sink) fs::create_directories(parts_dir);
  // MPI rank 0 of a fresh sweep (remote) is the directory's only writer: it locks it exclusively.
  const bool shared_dir =
      (opt.shards > 1 || !opt.writer.empty() || opt.next_run) && opt.remote == nullptr;
  std::optional<PartsLock> parts_lock;
  if (!to_sink) parts_lock.emplace(parts_dir, shard_tag, shared_dir);
  // Parts of other shards may share the directory (job arrays); parts of this shard mean an
  // interrupted run of it, which only --resume may continue.
  for (const auto& part : to_sink ? std::vector<PartName>{}
                                  : scan_parts(s, parts_dir, done, opt.resume ? "resume" : "run",
                                               opt.allow_commit_change, opt.warn)) {
    const bool ours = part.writer.rfind(shard_tag + "-g", 0) == 0;
    if (ours && !opt.resume)
      throw PartsExistError("the parts directory " + parts_dir + " already holds parts of this " +
                            (opt.shards > 1 ? "shard" : "sweep") +
                            ": continue it with --resume, or delete the directory to start again");
    if (ours) generation = std::max(generation, std::stoi(part.writer.substr(shard_tag.size() + 2)) + 1);
  }

  std::vector<std::int64_t> todo;
  std::int64_t mine = 0;
  for (std::int64_t r = 0; r < s.total_runs(); ++r) {
    if (r % opt.shards != opt.shard) continue;
    ++mine;
    if (!done[static_cast<std::size_t>(r)]) todo.push_back(r);
  }
  const std::string writer = shard_tag + "-g" + std::to_string(generation);
  const FileHeader header = sweep_header(s, opt.command_line);

  // The runs come from a source: this process's share in order, or (MPI) the coordinator.
  // Worker threads fetch and simulate runs; this thread is the writer: it alone calls HDF5,
  // flushing the in-order prefix of finished runs into parts (and, with build_final, into the
  // final file). Workers never wait on HDF5: they hand a finished run over and fetch the next,
  // held back only when kMaxAhead runs are in flight or waiting to be written (a bounded queue).
  std::size_t local_next = 0;
  const std::function<std::int64_t()> source =
      opt.next_run ? opt.next_run : std::function<std::int64_t()>([&]() -> std::int64_t {
        return local_next < todo.size() ? todo[local_next++] : -1;
      });
  const unsigned nt = static_cast<unsigned>(std::max<std::int64_t>(
      1, opt.next_run ? resolve_threads(opt.threads)
                      : std::min<std::int64_t>(resolve_threads(opt.threads),
                                               static_cast<std::int64_t>(todo.size()))));
  // With other ranks' runs arriving (remote), runs are ordered by index (the coordinator hands
  // them out in increasing order, and a fresh sweep's runs are 0, 1, 2, ...); otherwise by fetch.
  // How far this process's workers may run ahead of the writer (which bounds the finished runs
  // held in memory): with remote runs, the runs the other ranks hold (a batch of up to 64 each)
  // lie in between, so the bound is wider; beyond some 16 ranks, rank 0's own workers may wait.
  const bool by_index = opt.remote != nullptr;
  const std::int64_t max_ahead = std::max<std::int64_t>(64, 16 * static_cast<std::int64_t>(nt)) +
                                 (by_index ? 1024 : 0);
  std::mutex mu, fetch_mu;
  std::condition_variable cv, room;
  std::map<std::int64_t, RunRecord> finished;  // by fetch position (by run index: by_index)
  std::int64_t fetched = 0;                     // guarded by fetch_mu
  std::atomic<std::int64_t> flushed{0};         // runs taken by the writer (fetch order)
  std::atomic<bool> exhausted{false};
  std::int64_t failed = 0;
  std::exception_ptr worker_error;  // guarded by mu: the first exception a worker could not record
  auto worker_loop = [&] {
    for (;;) {
      std::int64_t k = 0, run = -1;
      {
        std::unique_lock<std::mutex> lock(fetch_mu);
        while (!exhausted && fetched - flushed.load() >= max_ahead)
          room.wait_for(lock, std::chrono::milliseconds(20));
        if (exhausted) return;
        run = source();
        if (run < 0) {
          exhausted = true;
          cv.notify_one();
          return;
        }
        if (by_index) {
          k = run;
          fetched = std::max(fetched, run + 1);
        } else {
          k = fetched++;
        }
      }
      RunRecord r;
      try {
        r = run_sweep_run(s, run);
      } catch (const std::exception& e) {
        // A failed run is recorded (status 2, NaN values) and the sweep goes on.
        r = failed_run_record(s, run, header.n_steps, e.what());
        std::string values;
        for (std::size_t p = 0; p < s.design.params.size(); ++p)
          values += (p ? ", " : "") + s.design.params[p].key + " = " +
                    varied_value(s.design.params[p], r.params[p], s.file).dump();
        std::lock_guard<std::mutex> lock(mu);
        std::cerr << "orgsim sweep: run " << run << " failed (point " << r.point << ": " << values
                  << "; arm " << s.scenario.arms[static_cast<std::size_t>(r.arm)].name
                  << "; replicate " << r.replicate << ", seed " << r.seed << "): " << e.what()
                  << "\n  reproduce: orgsim rerun " << s.file << " --run " << run << "\n";
      }
      std::lock_guard<std::mutex> lock(mu);
      if (r.status == 2) ++failed;
      finished.emplace(k, std::move(r));
      cv.notify_one();
    }
  };
  // An exception escaping a worker (the MPI source, memory) is carried to this thread, which
  // joins every worker and rethrows it: never std::terminate.
  auto worker = [&] {
    try {
      worker_loop();
    } catch (...) {
      {
        std::lock_guard<std::mutex> lock(mu);
        if (!worker_error) worker_error = std::current_exception();
      }
      exhausted = true;
      cv.notify_one();
    }
  };
  // A fresh single-process sweep builds the final file while it runs (the merge would otherwise
  // be serial work at the end); the parts are still written, for crash safety and --resume.
  // So does MPI rank 0 of a fresh sweep, which receives the other ranks' runs (remote).
  const bool stream_final = opt.build_final && (!opt.next_run || by_index) && opt.shards == 1 &&
                            static_cast<std::int64_t>(todo.size()) == s.total_runs() && !to_sink;
  std::unique_ptr<FinalFile> final_file;

  std::vector<std::thread> pool;
  // If the writer fails (a full disk), stop the workers before the exception leaves (declared
  // before the threads start, so that even a failure to start one joins the others).
  struct StopWorkers {
    std::atomic<bool>& exhausted;
    std::vector<std::thread>& pool;
    ~StopWorkers() {
      exhausted = true;
      for (auto& t : pool)
        if (t.joinable()) t.join();
    }
  } stop{exhausted, pool};
  for (unsigned i = 0; i < nt; ++i) pool.emplace_back(worker);
  // Created once the workers run, so that creating its ~130 datasets overlaps the first runs
  // (on 2 cores no gain was measurable: the CPU work is the same; bench/README.md).
  if (stream_final) {
    final_file = std::make_unique<FinalFile>(header, parts_dir, out);
    final_file->set_threads(nt);
    if (opt.recap) final_file->keep_recap();
  }
  std::vector<std::string> written;  // the parts this process wrote, removed after the final file

  std::int64_t seq = 0;
  // The runs not yet in a part; shared with the final file's builder, which holds them until
  // its next append (neither copies them).
  std::vector<std::shared_ptr<const RunRecord>> batch;
  auto last_flush = std::chrono::steady_clock::now();
  auto write_part = [&] {
    if (batch.empty()) return;
    const std::string part = parts_dir + "/part-" + writer + "-" + seq_text(seq++) + ".h5";
    ResultsWriter w(part, header, layout::kPartDeflateLevel);
    w.set_threads(nt);
    w.append(RunList(batch));
    w.finish();  // written as part-….h5.partial, fsync'ed, renamed: never half a part
    written.push_back(part);
    batch.clear();
    last_flush = std::chrono::steady_clock::now();
  };
  const std::int64_t already = mine - static_cast<std::int64_t>(todo.size());
  bool remote_closed = opt.remote == nullptr;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(fetch_mu);
      if (by_index ? exhausted && remote_closed && flushed.load() == s.total_runs()
                   : exhausted && flushed.load() == fetched)
        break;
    }
    {
      std::lock_guard<std::mutex> lock(mu);
      if (worker_error) break;
    }
    if (opt.remote) {
      // The other ranks' runs, ordered among this process's own by index. Their failures were
      // counted (and reported) where they ran.
      bool closed = false;
      std::vector<RunRecord> arrived = opt.remote->take(closed);
      std::lock_guard<std::mutex> lock(mu);
      for (auto& r : arrived) {
        const std::int64_t key = r.run;
        if (key < flushed.load() || !finished.emplace(key, std::move(r)).second)
          throw RunError("MPI sweep: run " + std::to_string(key) + " arrived twice");
      }
      remote_closed = closed;
    }
    std::vector<RunRecord> ready;  // the in-order prefix that has finished
    std::int64_t failed_now = 0;
    {
      std::unique_lock<std::mutex> lock(mu);
      if (finished.empty() || finished.begin()->first != flushed.load())
        cv.wait_for(lock, std::chrono::milliseconds(opt.remote ? 2 : 250));
      std::int64_t next = flushed.load();
      while (!finished.empty() && finished.begin()->first == next) {
        ready.push_back(std::move(finished.begin()->second));
        finished.erase(finished.begin());
        ++next;
      }
      flushed.store(next);
      failed_now = failed;
    }
    if (!ready.empty()) room.notify_all();
    for (auto& r : ready) {
      if (to_sink) {
        opt.sink(std::move(r));
        continue;
      }
      auto shared = std::make_shared<const RunRecord>(std::move(r));
      if (final_file) final_file->add(shared);
      batch.push_back(std::move(shared));
      if (static_cast<std::int64_t>(batch.size()) >= opt.part_runs) write_part();
    }
    const double age =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - last_flush).count();
    if (!batch.empty() && age >= opt.part_seconds) write_part();
    if (progress) progress(SweepProgress{already + flushed.load(), failed_now, mine});
  }
  for (auto& t : pool) t.join();
  if (worker_error) std::rethrow_exception(worker_error);
  if (final_file) {
    // The runs since the last part go straight into the final file: a part written now would be
    // deleted a moment later, and it cost a whole file's writing (for a sweep shorter than
    // part_seconds, every run written twice). A crash from here on loses at most those runs, as
    // a crash between two parts does; if finishing the file fails (a full disk), they are
    // written to a part after all, for --resume.
    try {
      final_file->finish();
    } catch (...) {
      try {
        write_part();
      } catch (...) {  // the first error is the one to report
      }
      throw;
    }
    remove_parts(parts_dir, written, parts_lock->dir_lock);
    if (opt.recap) final_file->recap(*opt.recap);
  } else {
    write_part();
  }
  return failed;
}

SensitivityTable sensitivity(
    const Design& d, const std::vector<std::string>& outputs,
    const std::vector<std::vector<std::vector<std::vector<double>>>>& y, int bootstrap,
    std::uint64_t seed) {
  SensitivityTable t;
  t.method = d.type == DesignType::sobol ? "sobol" : "morris";
  t.outputs = outputs;
  for (const auto& p : d.params) t.parameters.push_back(p.key);
  const std::size_t k = d.params.size();
  const auto n_points = d.points.size();
  for (const auto& arm : y) {
    std::vector<std::vector<double>> S1, S1c, ST, STc, mu, mus, sg;
    std::vector<double> noise;
    for (const auto& out : arm) {
      // The point means over replicates (NaN replicates skipped; a point without any finite
      // value makes the indices NaN).
      std::vector<double> mean(n_points, std::nan(""));
      std::vector<std::vector<double>> finite(n_points);
      for (std::size_t p = 0; p < n_points; ++p) {
        double sum = 0;
        for (double v : out[p])
          if (std::isfinite(v)) {
            sum += v;
            finite[p].push_back(v);
          }
        if (!finite[p].empty()) mean[p] = sum / static_cast<double>(finite[p].size());
      }
      noise.push_back(replicate_noise_share(finite));
      const bool ok = std::all_of(mean.begin(), mean.end(), [](double v) { return std::isfinite(v); });
      // A point without any finite value leaves the indices undefined (NaN).
      const std::vector<double> undefined(k, std::nan(""));
      if (t.method == "sobol") {
        const SobolIndices si = ok ? sobol_indices(mean, d.samples, k, bootstrap, seed)
                                   : SobolIndices{undefined, undefined, undefined, undefined};
        S1.push_back(si.S1);
        S1c.push_back(si.S1_conf);
        ST.push_back(si.ST);
        STc.push_back(si.ST_conf);
      } else {
        const MorrisIndices mi =
            ok ? morris_indices(mean, d) : MorrisIndices{undefined, undefined, undefined};
        mu.push_back(mi.mu);
        mus.push_back(mi.mu_star);
        sg.push_back(mi.sigma);
      }
    }
    if (t.method == "sobol") {
      t.S1.push_back(S1);
      t.S1_conf.push_back(S1c);
      t.ST.push_back(ST);
      t.ST_conf.push_back(STc);
    } else {
      t.mu.push_back(mu);
      t.mu_star.push_back(mus);
      t.sigma.push_back(sg);
    }
    t.noise_share.push_back(noise);
  }
  return t;
}

std::int64_t kept_runs(const Sweep& s, const std::string& out, bool allow_commit_change) {
  return s.total_runs() -
         static_cast<std::int64_t>(pending_runs(s, out, allow_commit_change).size());
}

std::vector<std::int64_t> pending_runs(const Sweep& s, const std::string& out,
                                       bool allow_commit_change) {
  std::vector<char> done(static_cast<std::size_t>(s.total_runs()), 0);
  scan_parts(s, out + ".parts", done, "resume", allow_commit_change);
  std::vector<std::int64_t> todo;
  for (std::int64_t r = 0; r < s.total_runs(); ++r)
    if (!done[static_cast<std::size_t>(r)]) todo.push_back(r);
  return todo;
}

bool has_parts(const std::string& out) { return !list_parts(out + ".parts").empty(); }

std::string sweep_status(const std::string& parts_dir) {
  std::error_code ec;
  if (fs::exists(parts_dir, ec) && !fs::is_directory(parts_dir, ec))
    throw InputError(parts_dir, "", "a sweep's parts directory (part-*.h5)",
                     "a file (status reads the OUT.h5.parts folder of a sweep in progress; "
                     "orgsim summarize reads a finished results file)");
  const auto parts = list_parts(parts_dir);
  if (parts.empty())
    throw InputError(parts_dir, "", "a sweep's parts directory (part-*.h5)",
                     fs::exists(parts_dir) ? "no parts yet" : "no such directory");
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> by_writer;  // parts, runs
  std::int64_t runs = 0, failed = 0, planned = 0, in_flight = 0, duplicates = 0;
  std::set<std::int64_t> seen;
  std::string name, kind;
  std::map<std::string, std::string> command_of;  // writer -> the command line its parts record
  fs::file_time_type newest = fs::file_time_type::min();
  for (const auto& [pn, file] : parts) {
    const ResultsFile rf = read_results(file, /*with_series=*/false);
    planned = rf.header.n_runs_planned;
    by_writer[pn.writer].first += 1;
    by_writer[pn.writer].second += static_cast<std::int64_t>(rf.runs.size());
    for (const auto& r : rf.runs) {
      if (!seen.insert(r.run).second) {
        ++duplicates;
        continue;
      }
      ++runs;
      failed += r.status == 2 ? 1 : 0;
    }
    newest = std::max(newest, fs::last_write_time(file));
    command_of.emplace(pn.writer.substr(0, pn.writer.rfind("-g")), rf.header.command_line);
    if (name.empty()) {
      try {
        name = json::parse(rf.header.sweep_json).value("name", std::string());
      } catch (...) {
      }
    }
  }
  for (const auto& e : fs::directory_iterator(parts_dir))
    in_flight += e.path().extension() == ".partial" ? 1 : 0;
  const auto age = std::chrono::duration_cast<std::chrono::seconds>(
                       fs::file_time_type::clock::now() - newest)
                       .count();
  // One decimal, rounded down: 99.96% of the runs is not "100.0%" while runs are missing.
  char percent[32];
  std::snprintf(
      percent, sizeof percent, "%.1f",
      planned > 0
          ? std::floor(1000.0 * static_cast<double>(runs) / static_cast<double>(planned)) / 10.0
          : 0.0);
  std::ostringstream o;
  o << parts_dir << ": sweep \"" << name << "\", " << runs << " of " << planned << " runs done ("
    << percent << "%), " << failed << " failed, " << parts.size() << " part(s)\n";
  for (const auto& [w, pr] : by_writer)
    o << "  writer " << w << ": " << pr.first << " part(s), " << pr.second << " runs\n";
  if (duplicates > 0)
    o << "  " << duplicates << " run(s) appear in more than one part: the merge will refuse them; "
      << "remove the parts of one writer (see the writer names above)\n";
  {
    // A writer holding the lock (read only: status creates nothing).
    const int fd = ::open((parts_dir + "/.lock").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
      if (::flock(fd, LOCK_SH | LOCK_NB) != 0)
        o << "  being written by " << FileLock::read_holder(fd) << "\n";
      ::close(fd);
    }
  }
  o << "  newest part written " << age << " s ago"
    << (in_flight ? "; " + std::to_string(in_flight) + " part(s) being written or left by a crash" : "")
    << "\n";
  const bool named = parts_dir.size() > 6 && parts_dir.substr(parts_dir.size() - 6) == ".parts";
  const std::string out = named ? parts_dir.substr(0, parts_dir.size() - 6) : "OUT.h5";
  if (runs < planned) {
    // The command each writer's parts record (`orgsim sweep ...`, argv[0] as "orgsim"), with
    // --resume: what continues it, run from the folder it was started in.
    std::vector<std::string> again;
    for (const auto& [writer, line] : command_of) {
      const auto at = line.find(" sweep ");
      if (at == std::string::npos) continue;  // the Python module's sweep: no command to give
      std::string cmd = "orgsim" + line.substr(at);
      if (cmd.find(" --resume") == std::string::npos) cmd += " --resume";
      again.push_back(cmd);
    }
    if (again.empty()) {
      o << "  to finish (run the missing shards, or continue an interrupted sweep): orgsim sweep "
           "SWEEP.json -o "
        << out << " --resume\n";
    } else {
      o << "  to finish (from the folder the sweep was started in; run the missing shards too, if "
           "any):\n";
      for (const auto& cmd : again) o << "    " << cmd << "\n";
    }
  } else {
    o << "  all runs done: orgsim merge " << parts_dir << " -o " << out << "\n";
  }
  return o.str();
}

void merge_parts(const std::string& parts_dir, const std::string& out, bool allow_commit_change,
                 const std::function<void(const std::string&)>& warn) {
  std::error_code ec;
  if (!fs::is_directory(parts_dir, ec))
    throw InputError(parts_dir, "", "a sweep's parts directory (part-*.h5)",
                     fs::exists(parts_dir, ec) ? "not a directory" : "no such directory");
  if (list_parts(parts_dir).empty())
    throw InputError(parts_dir, "", "a sweep's parts directory (part-*.h5)",
                     "a directory without parts");
  PartsLock lock(parts_dir, "", /*shared=*/false);
  const auto parts = list_parts(parts_dir);  // again, now that no writer can add one
  if (parts.empty())
    throw InputError(parts_dir, "", "a sweep's parts directory (part-*.h5)",
                     "a directory without parts");
  // One stream per writer; each writer's parts hold increasing run indices.
  struct PartStream {
    std::vector<std::string> files;
    std::size_t next_file = 0, pos = 0;
    std::vector<RunRecord> runs;
    bool load() {
      while (pos >= runs.size()) {
        if (next_file >= files.size()) return false;
        const std::string& file = files[next_file++];
        ResultsFile rf = read_results(file);
        runs = std::move(rf.runs);
        pos = 0;
      }
      return true;
    }
  };
  std::map<std::string, PartStream> streams;
  for (const auto& [pn, file] : parts) streams[pn.writer].files.push_back(file);
  const ResultsFile first = read_results(parts.front().second, /*with_series=*/false);
  const FileHeader header = first.header;
  if (header.kind != "sweep" || header.sweep_json.empty())
    throw InputError(parts.front().second, "/@kind", "a part of a sweep (kind \"sweep\")",
                     "a results file of kind \"" + header.kind + "\"");
  // Every part is checked as a resume checks it, before the final file is begun: a merge that
  // would mix builds stops before it writes anything (the lock keeps the parts as they are).
  // So is every part's sweep, scenario and data files against the first part's: shards started
  // together never see each other's parts, and an edit between their starts would mix two
  // experiments.
  PartBuildCheck build("merge", allow_commit_change);
  for (const auto& [pn, file] : parts) {
    const FileHeader h = read_results(file, false).header;
    build.check(file, h);
    if (const std::string why = inputs_differ(h, header, file, /*merging=*/true); !why.empty())
      throw InputError(file, "/provenance",
                       "a part of the same sweep, run on the same inputs, as the first part (" +
                           parts.front().second + ")",
                       why,
                       "the shards ran on different versions of the sweep, its scenario or its "
                       "data files; rerun the shards whose inputs were not the final ones");
  }
  build.warn_mixed(parts_dir, warn);
  using Item = std::pair<std::int64_t, PartStream*>;
  auto cmp = [](const Item& a, const Item& b) { return a.first > b.first; };
  std::priority_queue<Item, std::vector<Item>, decltype(cmp)> heap(cmp);
  for (auto& [w, st] : streams)
    if (st.load()) heap.emplace(st.runs[st.pos].run, &st);

  FinalFile final_file(header, parts_dir, out);
  while (!heap.empty()) {
    auto [run, st] = heap.top();
    heap.pop();
    final_file.add(std::move(st->runs[st->pos++]));
    if (st->load()) heap.emplace(st->runs[st->pos].run, st);
  }
  final_file.finish();
  std::vector<std::string> merged;
  for (const auto& [pn, file] : parts) merged.push_back(file);
  remove_parts(parts_dir, merged, lock.dir_lock);
}

}  // namespace orgsim

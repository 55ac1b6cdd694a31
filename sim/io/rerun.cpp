#include "io/rerun.hpp"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "engine/design.hpp"
#include "engine/simulation.hpp"
#include "engine/sweep.hpp"
#include "io/layout.hpp"
#include "io/outputs.hpp"
#include "io/results_file.hpp"
#include "io/scenario.hpp"
#include "model/config.hpp"
#include "model/parameters.hpp"
#include "orgsim_version.hpp"

namespace orgsim {

namespace {

/// A parameter map stored in a results file, validated like a scenario: every parameter present,
/// each value checked against the table (a damaged or foreign file is an InputError, not a crash).
nlohmann::json stored_parameters(const nlohmann::json& stored, const std::string& file,
                                 const std::string& where) {
  if (!stored.is_object())
    throw InputError(file, where, "an object of parameter values", json_value_text(stored));
  nlohmann::json flat = default_parameters();
  for (const auto& key : parameter_keys()) {
    if (!stored.contains(key))
      throw InputError(file, where, "a value for every parameter", "no `" + key + "`",
                       "the file may come from another orgsim version");
    set_parameter(flat, key, stored.at(key), file, where + "." + key);
  }
  return flat;
}

}  // namespace

RunRecord rerun_from_file(const ResultsFile& rf, const RunRecord& stored, const std::string& file) {
  // The provenance must be there and whole: a file without it cannot be rerun.
  const std::string where = "/provenance/resolved_params_json";
  const std::string expected = "the resolved parameters of every arm (written by orgsim run or "
                               "sweep), needed to rerun a run";
  if (rf.header.resolved_params_json.empty())
    throw InputError(file, where, expected, "none (the file has no provenance)");
  const auto resolved = parse_json_text(rf.header.resolved_params_json, file + " " + where);
  if (!resolved.is_object() || !resolved.contains("arms") || !resolved.at("arms").is_array())
    throw InputError(file, where, expected, "no \"arms\" array");
  if (stored.arm < 0 || static_cast<std::size_t>(stored.arm) >= resolved.at("arms").size())
    throw InputError(file, where + " arms", expected,
                     std::to_string(resolved.at("arms").size()) + " arm(s), but run " +
                         std::to_string(stored.run) + " is of arm " + std::to_string(stored.arm));
  const auto& arm = resolved.at("arms").at(static_cast<std::size_t>(stored.arm));
  if (!arm.is_object() || !(arm.contains("parameters") ||
                            (arm.contains("overrides") && arm.at("overrides").is_object() &&
                             resolved.contains("base") && resolved.at("base").is_object())))
    throw InputError(file, where + " arms[" + std::to_string(stored.arm) + "]", expected,
                     "neither \"parameters\" nor \"overrides\" with a \"base\"");
  if (stored.params.size() != rf.header.varied.size())
    throw InputError(file, "/", "one value per varied parameter for run " + std::to_string(stored.run),
                     std::to_string(stored.params.size()) + " for " +
                         std::to_string(rf.header.varied.size()) + " parameters");
  nlohmann::json flat;
  if (arm.contains("parameters")) {
    // orgsim run: the arm's full parameter set
    flat = stored_parameters(arm.at("parameters"), file,
                             where + " arms[" + std::to_string(stored.arm) + "].parameters");
  } else {
    // sweeps: base, then the run's design values, then the arm
    flat = stored_parameters(resolved.at("base"), file, where + " base");
    const auto ints = integer_parameter_paths();
    for (std::size_t k = 0; k < rf.header.varied.size(); ++k) {
      const VariedParam& p = rf.header.varied[k];
      // The column holds the design value, or for a choice the index into its levels: the value
      // the sweep set, by the sweep's own rule.
      const bool integer = std::find(ints.begin(), ints.end(), p.key) != ints.end();
      const std::string run = "for run " + std::to_string(stored.run);
      set_parameter(flat, p.key,
                    varied_value(p.key, stored.params[k], integer,
                                 levels_from_text(p.levels, file, p.key), file, run),
                    file, "run " + std::to_string(stored.run));
    }
    const auto& ov = arm.at("overrides");
    for (auto it = ov.begin(); it != ov.end(); ++it)
      set_parameter(flat, it.key(), *it, file, "arm overrides");
  }
  const ModelConfig cfg = make_config(flat, file, std::filesystem::path(file).parent_path().string());
  Simulation sim(cfg, stored.seed);
  sim.run();
  RunRecord r = stored;
  r.per_step = sim.per_step_values();
  r.per_run = sim.per_run_values();
  r.wins = sim.wins().events();
  r.actions = sim.action_events();
  return r;
}

std::vector<std::string> differing_values(const RunRecord& a, const RunRecord& b) {
  std::vector<std::string> out;
  const auto& step_vars = per_step_outputs();
  if (a.per_step.size() != b.per_step.size() || a.per_step.size() % step_vars.size() != 0) {
    out.emplace_back("per_step");
  } else {
    const std::size_t n_steps = a.per_step.size() / step_vars.size();
    for (std::size_t v = 0; v < step_vars.size(); ++v)
      if (std::memcmp(a.per_step.data() + v * n_steps, b.per_step.data() + v * n_steps,
                      n_steps * sizeof(float)) != 0)
        out.push_back(step_vars[v].name);
  }
  const auto& run_vars = per_run_outputs();
  if (a.per_run.size() != run_vars.size() || b.per_run.size() != run_vars.size()) {
    out.emplace_back("per_run");
  } else {
    for (std::size_t v = 0; v < run_vars.size(); ++v)
      if (std::memcmp(&a.per_run[v], &b.per_run[v], sizeof(double)) != 0)
        out.push_back(run_vars[v].name);
  }
  const auto same_win = [](const WinEvent& x, const WinEvent& y) {
    return x.start_step == y.start_step && x.end_step == y.end_step && x.censored == y.censored &&
           std::memcmp(&x.strength, &y.strength, sizeof(double)) == 0;
  };
  bool wins_same = a.wins.size() == b.wins.size();
  for (std::size_t k = 0; wins_same && k < a.wins.size(); ++k)
    wins_same = same_win(a.wins[k], b.wins[k]);
  if (!wins_same) out.emplace_back(layout::kWinEvents);
  const auto same_action = [](const ActionEvent& x, const ActionEvent& y) {
    return x.step == y.step && x.kind == y.kind && x.won == y.won &&
           x.notice_weeks == y.notice_weeks && x.consolidated_step == y.consolidated_step &&
           std::memcmp(&x.turnout, &y.turnout, sizeof(double)) == 0 &&
           std::memcmp(&x.support, &y.support, sizeof(double)) == 0 &&
           std::memcmp(&x.cohesion, &y.cohesion, sizeof(double)) == 0 &&
           std::memcmp(&x.power, &y.power, sizeof(double)) == 0;
  };
  bool actions_same = a.actions.size() == b.actions.size();
  for (std::size_t k = 0; actions_same && k < a.actions.size(); ++k)
    actions_same = same_action(a.actions[k], b.actions[k]);
  if (!actions_same) out.emplace_back(layout::kActionEvents);
  return out;
}

std::string version_warning(const std::string& file, const std::string& file_version) {
  if (file_version.empty() || file_version == kVersion) return {};
  return file + " was written by orgsim " + file_version + ", this is orgsim " + kVersion +
         "; the rerun may differ from the file";
}

Rerun rerun(const std::string& file, std::int64_t run) {
  Rerun out;
  if (is_sweep_file(file)) {
    const Sweep s = load_sweep(file);
    if (run < 0 || run >= s.total_runs())
      throw InputError(file, "--run", "a run index below " + std::to_string(s.total_runs()),
                       std::to_string(run));
    out.record = run_sweep_run(s, run);
    out.arm_name = s.scenario.arms.at(static_cast<std::size_t>(out.record.arm)).name;
    const auto& point = s.design.points.at(static_cast<std::size_t>(out.record.point));
    for (std::size_t k = 0; k < s.design.params.size(); ++k)
      out.point_values.emplace_back(s.design.params[k].key,
                                    varied_value(s.design.params[k], point[k], file));
    return out;
  }
  const ResultsFile rf = read_results(file);
  if (run < 0 || run >= static_cast<std::int64_t>(rf.runs.size()))
    throw InputError(file, "--run", "a run index below " + std::to_string(rf.runs.size()),
                     std::to_string(run));
  out.from_results = true;
  out.stored = rf.runs[static_cast<std::size_t>(run)];
  // read_results() checked the arm code against the arm names, and one value per varied
  // parameter; a value that is no index into its levels is named by varied_value.
  if (out.stored.arm >= 0 && static_cast<std::size_t>(out.stored.arm) < rf.header.arm_names.size())
    out.arm_name = rf.header.arm_names[static_cast<std::size_t>(out.stored.arm)];
  const auto ints = integer_parameter_paths();
  for (std::size_t k = 0; k < rf.header.varied.size() && k < out.stored.params.size(); ++k) {
    const VariedParam& p = rf.header.varied[k];
    const bool integer = std::find(ints.begin(), ints.end(), p.key) != ints.end();
    out.point_values.emplace_back(p.key, varied_value(p.key, out.stored.params[k], integer,
                                                      levels_from_text(p.levels, file, p.key), file,
                                                      "for run " + std::to_string(run)));
  }
  out.version_warning = version_warning(file, rf.header.orgsim_version);
  out.record = rerun_from_file(rf, out.stored, file);
  out.differences = differing_values(out.stored, out.record);
  return out;
}

}  // namespace orgsim

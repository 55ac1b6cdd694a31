// The browser face of the engine (docs/WEB.md): the same scenario loader, validation, runner and
// output dictionary as `orgsim run`, compiled to WebAssembly by tools/build_web.sh. No HDF5, no
// threads: the page runs this in a Web Worker.
//
// One call, orgsim_run(scenario JSON text, file name, options JSON), returns a JSON text
//   {"ok": true,  "result": {...}}   (the layout below; numbers in the float buffer)
//   {"ok": false, "error": "orgsim: error: ..."}   (the line `orgsim run` prints on stderr)
// Per-step series and snapshot frames are float32, the precision of the results file: they go to
// one float buffer (orgsim_floats / orgsim_floats_size) and the JSON gives their offsets, so a
// 40-run scenario is not formatted as text.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <new>
#include <limits>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/errors.hpp"
#include "engine/runner.hpp"
#include "engine/simulation.hpp"
#include "engine/snapshot.hpp"
#include "io/outputs.hpp"
#include "io/scenario.hpp"
#include "model/strategy.hpp"

using nlohmann::json;
using namespace orgsim;

namespace {

std::string g_text;
std::vector<float> g_floats;

std::size_t put(const float* v, std::size_t n) {
  const std::size_t at = g_floats.size();
  g_floats.insert(g_floats.end(), v, v + n);
  return at;
}
template <class T>
std::size_t put_as_float(const std::vector<T>& v) {
  const std::size_t at = g_floats.size();
  for (const T& x : v) g_floats.push_back(static_cast<float>(x));
  return at;
}

/// The page's files (a roster, its friendships, an edge list, a base scenario) live in this
/// in-memory folder; the scenario's relative paths resolve against it, as against the scenario
/// file's folder on the command line.
const char* const kInputDir = "/inputs";

/// Writes options.files ({"name.csv": "text", ...}) into kInputDir, which then holds those files
/// and no other: a scenario sees only the files given with it (the page gives a trainer's scenario
/// the files opened with it, a shipped one the shipped files), never a file an earlier call left.
/// Names must be plain file names (what a browser's file picker gives): no folders.
void write_input_files(const json& opt) {
  if (::mkdir(kInputDir, 0755) != 0 && errno != EEXIST)
    throw std::runtime_error("cannot create the page's file folder");
  for (const auto& entry : std::filesystem::directory_iterator(kInputDir))
    std::filesystem::remove_all(entry.path());
  if (!opt.contains("files")) return;
  for (const auto& [name, text] : opt.at("files").items()) {
    if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos ||
        name.find('\\') != std::string::npos || !text.is_string())
      throw UsageError("a file given to the page must be a plain file name with its text; found '" +
                       name + "'");
    std::ofstream out(std::string(kInputDir) + "/" + name, std::ios::binary | std::ios::trunc);
    out << text.get<std::string>();
    if (!out) throw std::runtime_error("cannot store " + name + " in the page's file folder");
  }
}

/// The biggest workplace the page runs. Measured with the default scenario (156 weeks, 20 runs
/// per strategy; Node 18, one core): 10,000 people take 1 s for the animated run and 4 s for
/// every run, with 0.5 GB of memory; 20,000 take 4 s and 9 s with 1 GB; 50,000 run out of the
/// browser's memory (std::bad_alloc) in the animated run, whose weekly snapshots grow with
/// people x weeks. On the page in headless Chromium, 20,000 people: 1.6 s and 5.5 s. So at most kMaxPeople people, and at most kMaxPeopleWeeks people x weeks
/// (20,000 people over 156 weeks). Bigger workplaces run with the command-line orgsim, which
/// keeps no snapshots.
constexpr std::int64_t kMaxPeople = 20000;
constexpr std::int64_t kMaxPeopleWeeks = kMaxPeople * 156;

/// Refuses a workplace too big for a browser before running it, in the command line's form.
void check_size(const Scenario& sc, const RunPlan& plan, const std::string& file) {
  for (std::size_t a = 0; a < sc.arm_params.size(); ++a) {
    const json& p = sc.arm_params[a];
    if (!p.contains("population.size") || !p.at("population.size").is_number()) continue;
    const auto n = p.at("population.size").get<std::int64_t>();
    if (n > kMaxPeople)
      throw InputError(file, "population.size",
                       "at most " + std::to_string(kMaxPeople) +
                           " people in the browser (use the command-line orgsim for bigger "
                           "workplaces)",
                       std::to_string(n));
    if (n * plan.steps > kMaxPeopleWeeks)
      throw InputError(file, "steps",
                       "at most " + std::to_string(kMaxPeopleWeeks / n) + " weeks for " +
                           std::to_string(n) + " people in the browser (" +
                           std::to_string(kMaxPeopleWeeks) +
                           " people x weeks; use the command-line orgsim for longer runs)",
                       std::to_string(plan.steps));
  }
}

/// The page's file folder is the page's own: an error naming a file in it names the file alone
/// ("(default.json)", not "(/inputs/default.json)").
std::string without_input_dir(std::string message) {
  const std::string dir = std::string(kInputDir) + "/";
  for (std::size_t at = message.find(dir); at != std::string::npos; at = message.find(dir, at))
    message.erase(at, dir.size());
  return message;
}

json number_or_null(double v) { return std::isfinite(v) ? json(v) : json(nullptr); }

/// A frame's fields, in the order they are stored (each n floats), then the n_ties tie trusts.
const char* const kFrameFields[] = {"rung",      "commitment", "trust_degree", "staff_trust",
                                    "role",      "took_part",  "last_action"};

json snapshots_json(const Snapshots& s, const ModelConfig& cfg) {
  json j;
  // Your own workplace: the roster's people by name (they never leave the browser).
  if (const auto& r = cfg.network.roster; r && cfg.network.type == NetworkType::roster) {
    j["names"] = r->names;
    j["shifts"] = r->shifts;
    j["roles"] = r->roles;
    j["department_names"] = r->department_names;
  }
  j["every"] = s.every;
  j["staff_organizers"] = s.staff_organizers;
  j["people"] = s.department.size();
  j["ties"] = s.tie_i.size();
  j["department"] = put_as_float(s.department);
  std::vector<std::int32_t> ends;
  ends.reserve(2 * s.tie_i.size());
  for (std::size_t k = 0; k < s.tie_i.size(); ++k) {
    ends.push_back(s.tie_i[k]);
    ends.push_back(s.tie_j[k]);
  }
  j["tie_ends"] = put_as_float(ends);
  j["fields"] = json::array();
  for (const char* f : kFrameFields) j["fields"].push_back(f);
  j["frames"] = json::array();
  for (const Frame& f : s.frames) {
    const std::size_t at = put_as_float(f.rung);
    put(f.commitment.data(), f.commitment.size());
    put(f.trust_degree.data(), f.trust_degree.size());
    put(f.staff_trust.data(), f.staff_trust.size());
    put_as_float(f.role);
    put_as_float(f.took_part);
    put_as_float(f.last_action);
    put(f.tie_trust.data(), f.tie_trust.size());
    // Ties organizers created later are not there yet in this frame: NaN, not drawn.
    const std::vector<float> absent(s.tie_i.size() - f.tie_trust.size(),
                                    std::numeric_limits<float>::quiet_NaN());
    put(absent.data(), absent.size());
    j["frames"].push_back({{"step", f.step}, {"offset", at}});
  }
  return j;
}

json run_scenario(const std::string& text, const std::string& file, const json& opt) {
  const json doc = parse_json_text(text, file);
  std::vector<std::string> sets;
  if (opt.contains("set"))
    for (const auto& s : opt.at("set")) sets.push_back(s.get<std::string>());
  write_input_files(opt);
  const Scenario sc = scenario_from_json(doc, file, kInputDir, text, sets);
  RunPlan plan = make_plan(sc);
  check_size(sc, plan, file);
  std::int64_t reps = plan.replicates;
  if (opt.contains("replicates") && opt.at("replicates").is_number_integer())
    reps = std::min<std::int64_t>(reps, opt.at("replicates").get<std::int64_t>());
  const std::int32_t every = opt.value("snapshot_every", 0);
  const std::int64_t snap_reps = opt.value("snapshot_replicates", std::int64_t{1});
  const SnapshotOptions so{every, opt.value("snapshot_ties", true)};

  g_floats.clear();
  json out;
  out["name"] = sc.name;
  out["title"] = sc.base.at("title");
  out["description"] = sc.base.at("description");
  out["discussion"] = sc.discussion;
  out["try"] = json::array();
  for (const auto& t : sc.try_this) out["try"].push_back({{"text", t.text}, {"set", t.set}});
  out["steps"] = plan.steps;
  out["seed"] = std::to_string(plan.master_seed);
  out["replicates_planned"] = plan.replicates;
  out["outputs"] = json::array();
  for (const auto& o : per_step_outputs())
    out["outputs"].push_back({{"name", o.name},
                              {"units", o.units},
                              {"unit_words", o.unit_words},
                              {"long_name", o.long_name},
                              {"description", o.description},
                              {"nature", o.nature == OutputNature::stock ? "stock" : "flow"}});
  out["run_outputs"] = json::array();
  for (const auto& o : per_run_outputs())
    out["run_outputs"].push_back({{"name", o.name},
                                  {"units", o.units},
                                  {"unit_words", o.unit_words},
                                  {"long_name", o.long_name},
                                  {"description", o.description}});
  out["arms"] = json::array();
  for (std::size_t a = 0; a < plan.arms.size(); ++a) {
    const ModelConfig& cfg = plan.arms[a];
    json arm;
    arm["name"] = plan.arm_names[a];
    arm["description"] = sc.arms[a].description;
    arm["params"] = sc.arm_params[a];  // every resolved parameter (flat dotted keys)
    json alloc = json::object();
    for (int k = 0; k < kActivities; ++k) alloc[kActivityNames[static_cast<std::size_t>(k)]] = cfg.allocation[static_cast<std::size_t>(k)];
    arm["allocation"] = alloc;  // the resolved hour split (a preset's nulls filled)
    arm["replicates"] = json::array();
    for (std::int64_t r = 0; r < reps; ++r) {
      Snapshots snaps;
      const bool observe = every > 0 && r < snap_reps;
      // Week 0, the workplace before the campaign: the per-step outputs measured on it (flows
      // NaN) and, for an animated run, its frame (step -1), first of the frames.
      std::vector<float> week0;
      const StartObserver start = [&](Simulation& sim) {
        week0 = sim.initial_values();
        if (!observe) return;
        snaps = snapshot_layout(sim, cfg, so);
        snaps.frames.push_back(take_frame(sim, cfg, snaps, so));
      };
      StepObserver obs;
      if (observe)
        obs = [&](const Simulation& sim) {
          if (snapshot_due(sim.current_step() - 1, plan.steps, every))
            snaps.frames.push_back(take_frame(sim, cfg, snaps, so));
        };
      const RunRecord rec = run_one(plan, static_cast<std::int32_t>(a), r, nullptr, obs, start);
      json rj;
      rj["replicate"] = rec.replicate;
      rj["seed"] = std::to_string(rec.seed);
      rj["series"] = put(rec.per_step.data(), rec.per_step.size());
      rj["week0"] = put(week0.data(), week0.size());
      json outcomes = json::object();
      for (std::size_t k = 0; k < per_run_outputs().size(); ++k)
        outcomes[per_run_outputs()[k].name] = number_or_null(rec.per_run[k]);
      rj["outcomes"] = outcomes;
      json wins = json::array();
      for (const auto& w : rec.wins)
        wins.push_back({{"start", w.start_step}, {"end", w.end_step}, {"censored", w.censored},
                        {"strength", w.strength}});
      rj["wins"] = wins;
      if (observe) rj["snapshots"] = snapshots_json(snaps, cfg);
      arm["replicates"].push_back(rj);
    }
    out["arms"].push_back(arm);
  }
  return out;
}

}  // namespace

extern "C" {

const char* orgsim_run(const char* scenario_text, const char* file, const char* options) {
  json reply;
  try {
    const json opt = json::parse(options ? options : "{}");
    reply = {{"ok", true}, {"result", run_scenario(scenario_text, file, opt)}};
  } catch (const InputError& e) {
    reply = {{"ok", false}, {"error", without_input_dir(std::string("orgsim: error: ") + e.what())}};
  } catch (const UsageError& e) {
    reply = {{"ok", false}, {"error", without_input_dir(std::string("orgsim: error: ") + e.what())}};
  } catch (const std::bad_alloc&) {
    // The browser gave the engine no more memory (a big workplace's snapshots, many runs).
    g_floats = {};
    reply = {{"ok", false}, {"error", "orgsim: failed: out of memory (std::bad_alloc)"}};
  } catch (const std::exception& e) {
    reply = {{"ok", false}, {"error", std::string("orgsim: failed: ") + e.what()}};
  }
  g_text = reply.dump(-1, ' ', false, json::error_handler_t::replace);
  return g_text.c_str();
}

const float* orgsim_floats() { return g_floats.data(); }
std::size_t orgsim_floats_size() { return g_floats.size(); }

}  // extern "C"

// Results files built in memory (io/memory_results.hpp).
#include "io/memory_results.hpp"

#include <nlohmann/json.hpp>

#include "engine/summary.hpp"
#include "io/results_file.hpp"
#include "model/parameters.hpp"

namespace orgsim {

FileHeader run_file_header(const Scenario& sc, const RunPlan& plan,
                           const std::string& command_line) {
  FileHeader h;
  h.kind = "run";
  h.design = "none";
  h.master_seed = plan.master_seed;
  h.n_runs_planned = plan.total_runs();
  h.n_steps = plan.steps;
  h.arm_names = plan.arm_names;
  h.scenario_json = sc.raw_text;
  nlohmann::json resolved = {{"base", sc.base}, {"arms", nlohmann::json::array()}};
  for (std::size_t a = 0; a < sc.arms.size(); ++a)
    resolved["arms"].push_back({{"name", sc.arms[a].name},
                                {"description", sc.arms[a].description},
                                {"overrides", sc.arms[a].overrides},
                                {"parameters", sc.arm_params[a]}});
  h.resolved_params_json = resolved.dump(2);
  h.parameter_table_json = parameters_json().dump(2);
  h.command_line = command_line;
  add_roster(h, plan.arms);
  return h;
}

void add_roster(FileHeader& h, const std::vector<ModelConfig>& arms) {
  for (const auto& cfg : arms) {
    const auto& r = cfg.network.roster;
    if (cfg.network.type != NetworkType::roster || !r) continue;
    h.roster_names = r->names;
    h.roster_departments = r->departments;
    h.roster_shifts = r->shifts;
    h.roster_roles = r->roles;
    h.roster_leader = r->leader;
    return;
  }
}

std::vector<unsigned char> run_to_image(const Scenario& sc, unsigned threads,
                                        const std::string& command_line) {
  const RunPlan plan = make_plan(sc);
  check_resources(plan, sc.file, threads);
  const auto records = run_plan(plan, threads);
  ResultsWriter writer(ResultsWriter::InMemory{}, "<in memory: " + sc.name + ">",
                       run_file_header(sc, plan, command_line));
  writer.append(records);
  writer.set_durability(durability_by_arm(records, plan.arm_names, plan.steps));
  writer.finish();
  return writer.image();
}

}  // namespace orgsim

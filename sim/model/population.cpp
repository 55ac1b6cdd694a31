#include "model/population.hpp"

#include <cmath>
#include <vector>

namespace orgsim {

namespace {
Eigen::ArrayXf draw_array(const Distribution& d, std::int32_t n, Rng& rng, Range range) {
  std::vector<float> v(static_cast<std::size_t>(n));
  draw_values(d, rng, v, range);
  return Eigen::Map<Eigen::ArrayXf>(v.data(), n);
}

float new_hire_value(const Distribution& d, std::int32_t i, std::int32_t n, Rng& rng, Range range) {
  switch (d.kind) {
    case DistKind::quantiles: return static_cast<float>(draw_one(*d.of, rng, range));
    case DistKind::linspace:
      return static_cast<float>(n > 1 ? d.from + (d.to - d.from) * i / (n - 1) : d.from);
    case DistKind::values: return static_cast<float>(d.values[static_cast<std::size_t>(i)]);
    default: return static_cast<float>(draw_one(d, rng, range));
  }
}
}  // namespace

PopulationArrays arrays_needed(const ModelConfig& cfg) {
  PopulationArrays a;
  a.campaign = cfg.strategy != Strategy::none;
  a.fatigue = a.campaign || cfg.participation_fatigue > 0.0;
  a.inoculation = a.campaign || cfg.w_fear > 0.0 || cfg.loss_fear > 0.0 || cfg.retaliation > 0.0 ||
                  cfg.counter_campaign > 0.0 || cfg.kind == ActionKind::election;
  a.last_action = a.campaign || cfg.snapshot_every > 0;
  a.exposed_until = cfg.firing > 0.0;
  const bool election_firings = cfg.kind == ActionKind::election && cfg.elections.firing_rate > 0.0;
  a.hired = cfg.turnover > 0.0 || cfg.firing > 0.0 || election_firings;
  a.grievance_base = cfg.decay.grievance > 0.0;
  a.fear_base = cfg.decay.fear > 0.0;
  return a;
}

Population draw_population(const ModelConfig& cfg, Rng& rng) {
  return draw_population(cfg, rng, arrays_needed(cfg));
}

Population draw_population(const ModelConfig& cfg, Rng& rng, const PopulationArrays& need) {
  Population p;
  p.threshold = draw_array(cfg.threshold, cfg.n, rng, cfg.threshold_range);
  p.grievance = draw_array(cfg.grievance, cfg.n, rng, cfg.unit_range);
  p.fear = draw_array(cfg.fear, cfg.n, rng, cfg.unit_range);
  // Inoculation is drawn in its place in the stream even when the run does not keep it, so
  // that the draws after it do not move.
  p.inoculation = draw_array(cfg.inoculation, cfg.n, rng, cfg.unit_range);
  if (!need.inoculation) p.inoculation.resize(0);
  p.commitment = draw_array(cfg.commitment, cfg.n, rng, cfg.unit_range);
  const auto n = static_cast<std::size_t>(cfg.n);
  p.role.assign(n, Role::member);
  if (need.grievance_base) p.grievance_base = p.grievance;
  if (need.fear_base) p.fear_base = p.fear;
  if (need.hired) p.hired.assign(n, 0);
  if (need.last_action) p.last_action.assign(n, -1);
  if (need.exposed_until) p.exposed_until.assign(n, -1);
  if (need.fatigue) p.fatigue = Eigen::ArrayXf::Zero(cfg.n);
  if (!need.campaign) return p;
  p.leadership = draw_array(cfg.leadership, cfg.n, rng, cfg.unit_range);
  p.awareness = Eigen::ArrayXf::Zero(cfg.n);
  p.staff_trust = Eigen::ArrayXf::Zero(cfg.n);
  p.known.assign(n, 0);
  p.evaluated.assign(n, 0);
  p.training.assign(n, 0);
  p.trained_step.assign(n, -1);
  p.type.assign(n, PersonType::self_interested);
  if (cfg.types.selfish > 0.0 || cfg.types.selfless > 0.0)
    for (auto& t : p.type) t = draw_type(cfg, rng);
  p.task.assign(n, TaskState::none);
  p.task_due.assign(n, -1);
  p.task_asker.assign(n, -1);
  p.task_nudges.assign(n, 0);
  p.followed.assign(n, -1);
  p.attention.assign(n, 0.0f);
  p.strain.assign(n, 0.0f);
  p.staff_public.assign(n, 0);
  p.said_yes.assign(n, 0);
  return p;
}

PersonType draw_type(const ModelConfig& cfg, Rng& rng) {
  if (!(cfg.types.selfish > 0.0 || cfg.types.selfless > 0.0)) return PersonType::self_interested;
  const double u = rng.uniform();
  if (u < cfg.types.selfish) return PersonType::selfish;
  if (u < cfg.types.selfish + cfg.types.selfless) return PersonType::selfless;
  return PersonType::self_interested;
}

void replace_agent(Population& pop, std::int32_t i, const ModelConfig& cfg, Rng& rng) {
  pop.threshold[i] = new_hire_value(cfg.threshold, i, cfg.n, rng, cfg.threshold_range);
  pop.grievance[i] = new_hire_value(cfg.grievance, i, cfg.n, rng, cfg.unit_range);
  pop.fear[i] = new_hire_value(cfg.fear, i, cfg.n, rng, cfg.unit_range);
  const float inoculation = new_hire_value(cfg.inoculation, i, cfg.n, rng, cfg.unit_range);
  if (pop.inoculation.size() > 0) pop.inoculation[i] = inoculation;  // drawn either way
  pop.commitment[i] = 0.0f;
  const auto k = static_cast<std::size_t>(i);
  pop.role[k] = Role::member;
  if (pop.grievance_base.size() > 0) pop.grievance_base[i] = pop.grievance[i];
  if (pop.fear_base.size() > 0) pop.fear_base[i] = pop.fear[i];
  if (!pop.last_action.empty()) pop.last_action[k] = -1;
  if (!pop.exposed_until.empty()) pop.exposed_until[k] = -1;
  if (pop.fatigue.size() > 0) pop.fatigue[i] = 0.0f;
  if (pop.leadership.size() == 0) return;  // no campaign: none of its state, no more draws
  pop.leadership[i] = new_hire_value(cfg.leadership, i, cfg.n, rng, cfg.unit_range);
  pop.awareness[i] = 0.0f;
  pop.staff_trust[i] = 0.0f;
  pop.known[k] = 0;
  pop.evaluated[k] = 0;
  pop.training[k] = 0;
  pop.trained_step[k] = -1;
  pop.type[k] = draw_type(cfg, rng);  // last draw of a hire (none when the shares are 0)
  pop.task[k] = TaskState::none;
  pop.task_due[k] = -1;
  pop.task_asker[k] = -1;
  pop.task_nudges[k] = 0;
  pop.followed[k] = -1;
  pop.attention[k] = 0.0f;
  pop.strain[k] = 0.0f;
  pop.staff_public[k] = 0;
  pop.said_yes[k] = 0;
}

void draw_initial_trust(Network& net, const Distribution& d, Rng& rng, double friendships,
                        double friendship_level) {
  if (net.complete) return;
  if (d.kind == DistKind::constant && !(friendships > 0.0)) {
    // No draws at all: every tie not given by an edge list gets the constant.
    const auto t = static_cast<float>(d.value);
    for (float& tau : net.trust)
      if (std::isnan(tau)) tau = t;
    return;
  }
  // Rows are sorted, so the entries (j, i) with i < j are met in increasing i while i ascends:
  // a cursor per row finds each twin in O(1), keeping this O(n + m).
  std::vector<std::int32_t> cursor(net.offsets.begin(), net.offsets.end() - 1);
  const bool constant = d.kind == DistKind::constant;
  for (std::int32_t i = 0; i < net.n; ++i) {
    for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
      const std::int32_t j = net.neighbors[e];
      if (j <= i) continue;
      const std::int32_t twin = cursor[j]++;
      if (!std::isnan(net.trust[e])) continue;
      float t;
      if (friendships > 0.0 && rng.uniform() < friendships)
        t = static_cast<float>(friendship_level);
      else
        t = constant ? static_cast<float>(d.value)
                     : static_cast<float>(draw_one(d, rng, Range{0.0, 1.0}));
      net.trust[e] = t;
      net.trust[twin] = t;
    }
  }
}

void reset_ties(Network& net, std::int32_t i, float level) {
  if (net.complete) return;
  const bool acc = !net.accountable.empty();
  for (std::int32_t e = net.offsets[i]; e < net.offsets[i + 1]; ++e) {
    const auto twin = net.find_entry(net.neighbors[e], i);
    net.set_tie(e, twin, level);
    if (acc) net.set_accountable(e, twin, false);
  }
}


}  // namespace orgsim
